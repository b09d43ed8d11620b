"""Every web page, opened by organisation A's logged-in users with organisation B's ids.

Organisation B's records are the ones the API test seeds
(:func:`tests.api.test_tenancy_every_endpoint.seed`). Every page route with a path
parameter (``GET`` pages and the ``POST`` forms behind them, with a valid CSRF token and
a minimal form) is called by each non-admin user of organisation A through a browser
session, once with B's real identifiers and once with made-up ones of the same format:
the status and, for an error page, the page once the sent identifiers are masked must be
the same, and no page may contain one of B's markers. Every ``GET`` page without a path
parameter is opened too, for leaks. B's records read the same afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response

from exoderm import web
from tests.api.conftest import PASSWORD, World
from tests.api.test_tenancy_every_endpoint import (
    CALLERS,
    PATH_VALUES,
    Ids,
    Seeded,
    b_state,
    differences,
    seed,
)
from tests.api.test_tenancy_every_endpoint import _nanosight as nanosight
from tests.api.test_tenancy_every_endpoint import _png as png
from tests.api.test_tenancy_every_endpoint import _wait_for_jobs as wait_for_jobs
from tests.api.test_tenancy_every_endpoint import _wait_for_own_jobs as wait_for_own_jobs
from tests.web.logins import login

#: Every page module, as :func:`exoderm.web.install_pages` mounts them.
PAGE_MODULES = (
    web.account_pages,
    web.jobs_pages,
    web.admin_pages,
    web.evidence_pages,
    web.design_pages,
    web.clients_pages,
    web.qc_pages,
    web.nta_pages,
    web.simulate_pages,
    web.respond_pages,
)


@dataclass(frozen=True)
class Form:
    data: dict[str, str]
    files: dict[str, tuple[str, bytes, str]] | None = None


#: (method, path) of a form with a path parameter → a minimal valid form.
FORMS: dict[tuple[str, str], Callable[[], Form]] = {
    ("POST", "/account/tokens/{token_id}/revoke"): lambda: Form({}),
    ("POST", "/account/security-keys/{key_id}/remove"): lambda: Form(
        {"current_password": PASSWORD}
    ),
    ("POST", "/admin/users/{user_id}/sessions/end"): lambda: Form({}),
    ("POST", "/admin/users/{user_id}/approval"): lambda: Form({}),
    ("POST", "/admin/organisations/{organisation_id}/real-world-evidence"): lambda: Form(
        {"contributes": "false"}
    ),
    ("POST", "/evidence/curation/candidates/{candidate_id}"): lambda: Form({"decision": "reject"}),
    ("POST", "/clients/{pseudonym}/invitations"): lambda: Form({"instrument": "dlqi"}),
    ("POST", "/clients/{pseudonym}/invitations/{invitation_id}/revoke"): lambda: Form({}),
    ("POST", "/clients/{pseudonym}/consents"): lambda: Form({"topic": "photos"}),
    ("POST", "/clients/{pseudonym}/photos"): lambda: Form(
        {"view": "frontal"}, {"file": ("face.png", png(), "image/png")}
    ),
    ("POST", "/clients/{pseudonym}/treatments"): lambda: Form(
        {
            "exposure": "ADSC",
            "route": "topical",
            "concern": "wrinkles",
            "started_on": "2026-01-05",
        }
    ),
    ("POST", "/clients/{pseudonym}/assessments"): lambda: Form(
        {"instrument": "dlqi", **{f"f_q{n}": "1" for n in range(1, 11)}}
    ),
    ("POST", "/clients/{pseudonym}/regimen"): lambda: Form({"format": "html"}),
    ("POST", "/clients/{pseudonym}/erase"): lambda: Form(
        {"confirm": "true", "current_password": PASSWORD}
    ),
    ("POST", "/clients/{pseudonym}/export"): lambda: Form({"current_password": PASSWORD}),
    ("POST", "/qc/batches/{lot}/imports"): lambda: Form({}, nanosight()),
    ("POST", "/qc/batches/{lot}/sign"): lambda: Form(
        {"reason": "probe correction", "password": PASSWORD, "meaning": "reviewed"}
    ),
}


@dataclass(frozen=True)
class Page:
    method: str
    template: str
    params: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.template)


def pages() -> list[Page]:
    """Every page route of every page module."""
    found = []
    for module in PAGE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute) and not route.include_in_schema
            for method in sorted(route.methods or ()):
                found.append(Page(method, route.path, tuple(re.findall(r"{(\w+)}", route.path))))
    return found


def _url(page: Page, ids: Ids, seeded: Seeded, own: dict[str, str]) -> tuple[str, list[str]]:
    url, sent = page.template, []
    for name in page.params:
        value_of = PATH_VALUES[name]
        if name in own:
            value = own[name]
        elif name == "token":
            value = seeded.token if ids is seeded.real else "A" * 43
        elif value_of is None:
            value = seeded.shared[name]
        else:
            value = str(value_of(ids))
        url = url.replace("{" + name + "}", value)
        sent.append(value)
    return url, sent


def _masked(response: Response, sent: list[str]) -> str:
    text = response.text
    for value in sorted(sent, key=len, reverse=True):
        if not value.isdigit():
            text = text.replace(value, "<sent>")
    return re.sub(r"\b\d+\b", "<n>", text)


def _open(browser: TestClient, page: Page, url: str, csrf: str) -> Response:
    if page.method == "GET":
        return browser.get(url, follow_redirects=False)
    form = FORMS[page.key]()
    return browser.post(
        url,
        data=form.data,
        files=form.files,
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )


def _csrf(browser: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/account").text)
    assert found is not None
    return found.group(1)


def _leaks(response: Response, sent: list[str], markers: list[str]) -> list[str]:
    text = response.text
    for value in sent:
        text = text.replace(value, "<sent>")
    text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return [m for m in markers if m.lower() in text.lower()]


def test_every_page_as_another_organisation(world: World) -> None:
    seeded = seed(world)
    wait_for_jobs(seeded)
    before = b_state(seeded)
    found = pages()
    unmapped = {p for page in found for p in page.params} - set(PATH_VALUES)
    assert not unmapped, f"page path parameters with no value for organisation B: {unmapped}"
    with_params = [p for p in found if p.params]
    no_form = [p.key for p in with_params if p.method == "POST" and p.key not in FORMS]
    # the questionnaire link's token is the respondent's credential (see the API test):
    # its forms are not posted, as that would spend B's verification attempts
    no_form = [k for k in no_form if not k[1].startswith("/respond/")]
    assert not no_form, f"forms with no entry in FORMS: {no_form}"

    leaks: list[str] = []
    oracles: list[str] = []
    calls = 0
    for who in CALLERS:
        browser = login(TestClient(world.app, raise_server_exceptions=False), who)
        csrf = _csrf(browser)
        for page in found:
            if not page.params:
                if page.method == "GET" and page.template not in ("/login",):
                    r = browser.get(page.template, follow_redirects=False)
                    calls += 1
                    leaks += [
                        f"GET {page.template} as {who}: {m}" for m in _leaks(r, [], seeded.markers)
                    ]
                continue
            if "token" in page.params:
                if page.method == "GET":
                    url, sent = _url(page, seeded.real, seeded, {})
                    r = browser.get(url)
                    calls += 1
                    markers = [m for m in seeded.markers if m != seeded.token]
                    leaks += [f"GET {url} as {who}: {m}" for m in _leaks(r, sent, markers)]
                continue
            # (overrides of the real call, overrides of the made-up call)
            variants: list[tuple[dict[str, str], dict[str, str]]] = [({}, {})]
            if "photo_id" in page.params or "invitation_id" in page.params:
                # A's own client with B's photo or link: the inner fence, not the client's
                own_client = {"pseudonym": seeded.own_pseudonym}
                variants.append((own_client, own_client))
            if "job_id" in page.params:
                variants.append(({"job_id": seeded.job_ids[1]}, {}))  # B's NTA analysis
            for own, own_fake in variants:
                real_url, real_sent = _url(page, seeded.real, seeded, own)
                fake_url, fake_sent = _url(page, seeded.fake, seeded, own_fake)
                real = _open(browser, page, real_url, csrf)
                fake = _open(browser, page, fake_url, csrf)
                calls += 2
                for url, sent, r in ((real_url, real_sent, real), (fake_url, fake_sent, fake)):
                    leaks += [
                        f"{page.method} {url} as {who}: {m}"
                        for m in _leaks(r, sent, seeded.markers)
                    ]
                tenant = any(PATH_VALUES[p] is not None for p in page.params)
                same = real.status_code == fake.status_code and (
                    real.status_code < 400 or _masked(real, real_sent) == _masked(fake, fake_sent)
                )
                if tenant and not same:
                    oracles.append(
                        f"{page.method} {page.template} as {who} {own}: "
                        f"{real.status_code} ≠ {fake.status_code}"
                    )
    assert not leaks, "\n".join(leaks)
    assert not oracles, "\n".join(oracles)
    wait_for_own_jobs(world)
    after = b_state(seeded)
    trail_before, trail_after = before.pop("audit"), after.pop("audit")
    assert isinstance(trail_before, list) and isinstance(trail_after, list)
    assert trail_after[: len(trail_before)] == trail_before
    assert after == before, differences(before, after)
    # the counts docs/security.md reports
    assert len(with_params) >= 20 and calls >= 4 * 2 * 18
