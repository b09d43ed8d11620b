"""Pages a client opens from a questionnaire link, without an account.

``/respond/<token>`` asks for the second factor the clinic chose, then shows the
patient-reported instrument on a phone-sized page, then thanks the respondent. Nothing
about the client is shown before verification. Every response carries
``Referrer-Policy: no-referrer`` (the token is in the path) and ``Cache-Control:
no-store``. All rules — lock after 20 wrong answers, single use, expiry, revocation,
address throttling — live in :mod:`exoderm.clients.service`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from exoderm.clients import INSTRUMENTS, service
from exoderm.clients.invitations import Respondent, TooFast, Verification
from exoderm.serving.auth import client_address
from exoderm.serving.context import AppContext, app_context
from exoderm.web.templating import render

router = APIRouter(prefix="/respond", include_in_schema=False)

_PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _private(response: Response) -> Response:
    response.headers.update(_PRIVATE)
    return response


def _respondent(request: Request) -> Respondent:
    return Respondent(address=client_address(request))


@router.get("/{token}")
def prompt(request: Request, token: str, svc: AppContext = Depends(app_context)) -> Response:
    with svc.db.reader() as s:
        ask = service.respondent_prompt(s, _respondent(request), token=token)
    return _private(
        render(request, "respond/verify.html", {"token": token, "ask": ask, "failed": None})
    )


def _form_page(request: Request, token: str, result: Verification) -> Response:
    tool = INSTRUMENTS.get(result.instrument or "")
    return render(
        request,
        "respond/form.html",
        {"token": token, "nonce": result.nonce, "tool": tool, "form": result.form},
    )


@router.post("/{token}")
def verify(
    request: Request,
    token: str,
    answer: Annotated[str, Form(max_length=100)] = "",
    svc: AppContext = Depends(app_context),
) -> Response:
    with svc.db.transaction() as s:
        result = service.verify_respondent(s, _respondent(request), token=token, answer=answer)
        ask = (
            service.respondent_prompt(s, _respondent(request), token=token)
            if (not result.verified and not result.locked)
            else None
        )
    if result.verified:
        return _private(_form_page(request, token, result))
    return _private(
        render(
            request,
            "respond/verify.html",
            {"token": token, "ask": ask, "failed": result},
            status_code=403 if result.locked else 422,
        )
    )


@router.post("/{token}/answers")
async def answers(request: Request, token: str, svc: AppContext = Depends(app_context)) -> Response:
    form = await request.form()
    nonce = str(form.get("nonce", ""))[:100]
    entered: dict[str, str] = {}
    values: dict[str, float | int | str] = {}
    for key, raw in form.multi_items():
        if not key.startswith("f_") or not isinstance(raw, str) or not raw.strip():
            continue
        text = raw.strip()[:40]
        entered[key[2:]] = text
        try:
            values[key[2:]] = float(text) if any(ch in text for ch in ".eE") else int(text)
        except ValueError:
            values[key[2:]] = text
    respondent = _respondent(request)

    def store() -> str:
        with svc.db.transaction() as s:
            done = service.submit_response(s, respondent, token=token, nonce=nonce, answers=values)
        return done.instrument_name

    try:
        name = await run_in_threadpool(store)
    except TooFast as early:  # the form again, answers kept: the key is still valid
        context = {
            "token": token,
            "nonce": nonce,
            "tool": INSTRUMENTS.get(early.form.code),
            "form": early.form,
            "values": entered,
            "too_fast": True,
        }
        return _private(render(request, "respond/form.html", context, status_code=429))
    return _private(render(request, "respond/done.html", {"instrument_name": name}))
