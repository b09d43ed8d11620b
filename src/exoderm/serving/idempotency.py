"""The ``Idempotency-Key`` header on the API's creating requests (``POST``).

Pure ASGI middleware around :mod:`exoderm.accounts.idempotency`: a ``POST`` under the API
prefix that carries the header is fingerprinted (method, path, query, body), claimed for
its credential, run once, and its successful answer stored; a retry gets that answer
with ``Idempotent-Replayed: true``. Requests without the header pass untouched.

Errors are problem+json (RFC 9457): 400 for a malformed key, 409 while the first request
with the key still runs, 413 for a keyed body over :data:`MAX_KEYED_BODY`, 422 for a key
reused with a different request (IETF draft-ietf-httpapi-idempotency-key-header-07,
"Error Scenarios").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Final

from anyio import to_thread
from cryptography.fernet import Fernet, MultiFernet
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exoderm.accounts import idempotency
from exoderm.storage.engine import Database

HEADER: Final = "idempotency-key"
#: The largest body a keyed request may carry (it is held in memory to be fingerprinted).
MAX_KEYED_BODY: Final = 4 << 20
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"


def _credential(headers: Headers, session_cookies: tuple[str, ...]) -> str | None:
    """The SHA-256 of the bearer token or session cookie that sent the request."""
    bearer = headers.get("authorization", "")
    cookie = next(
        (
            part.split("=", 1)[1]
            for part in headers.get("cookie", "").split(";")
            if any(part.strip().startswith(f"{name}=") for name in session_cookies)
        ),
        "",
    )
    secret = bearer.strip() or cookie.strip()
    return hashlib.sha256(secret.encode()).hexdigest() if secret else None


def _fingerprint(scope: Scope, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode()):
        h.update(part.encode() + b"\0")
    h.update(body)
    return h.hexdigest()


async def _problem(send: Send, status: int, title: str, detail: str, path: str) -> None:
    body = json.dumps(
        {"title": title, "status": status, "detail": detail, "instance": path}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None once it exceeds :data:`MAX_KEYED_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_KEYED_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay_receive(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class IdempotencyKeys:
    """ASGI middleware: ``POST`` requests under ``prefix`` with an ``Idempotency-Key``.

    ``database`` and ``cipher`` are called per request, so the middleware can be built
    before the application's context exists. ``authenticated`` says whether the request's
    credential is valid now: a stored answer is never replayed to a revoked token or an
    ended session (the request then goes on, and gets its 401 from the API).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        database: Callable[[], Database],
        cipher: Callable[[], Fernet | MultiFernet],
        session_cookies: tuple[str, ...],
        authenticated: Callable[[Scope], bool],
    ) -> None:
        self.app = app
        self.authenticated = authenticated
        self.prefix = prefix
        self.database = database
        self.cipher = cipher
        self.session_cookies = session_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        credential = _credential(headers, self.session_cookies)
        if (
            key is None
            or credential is None
            or not await to_thread.run_sync(self.authenticated, scope)
        ):
            await self.app(scope, receive, send)
            return
        await self._keyed(scope, receive, send, key, credential)

    async def _keyed(
        self, scope: Scope, receive: Receive, send: Send, key: str, credential: str
    ) -> None:
        path = scope["path"]
        if not idempotency.valid_key(key):
            await _problem(
                send,
                400,
                "Bad request",
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
                path,
            )
            return
        body = await _read_body(receive)
        if body is None:
            limit = MAX_KEYED_BODY >> 20
            detail = f"a request with an Idempotency-Key may carry at most {limit} MiB"
            await _problem(send, 413, "Payload too large", detail, path)
            return
        db, cipher = self.database(), self.cipher()
        fingerprint = _fingerprint(scope, body)

        def claim() -> idempotency.Claim:
            with db.transaction() as s:
                return idempotency.claim(
                    s, scope=credential, key=key, fingerprint=fingerprint, cipher=cipher
                )

        outcome = await to_thread.run_sync(claim)
        if outcome.verdict is idempotency.Verdict.mismatch:
            detail = "this Idempotency-Key was used for a different request"
            await _problem(send, 422, "Invalid input", detail, path)
            return
        if outcome.verdict is idempotency.Verdict.in_progress:
            detail = "a request with this Idempotency-Key is still being processed"
            await _problem(send, 409, "Conflict", detail, path)
            return
        if outcome.answer is not None:
            await _send_answer(send, outcome.answer)
            return
        await self._first(scope, body, send, db, cipher, key, credential)

    async def _first(
        self,
        scope: Scope,
        body: bytes,
        send: Send,
        db: Database,
        cipher: Fernet | MultiFernet,
        key: str,
        credential: str,
    ) -> None:
        status = 500
        media_type = ""
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, media_type
            if message["type"] == "http.response.start":
                status = message["status"]
                media_type = Headers(raw=message.get("headers", [])).get("content-type", "")
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replay_receive(body), capture)
        finally:
            answer = idempotency.Answer(status, media_type, b"".join(parts))

            def keep() -> None:
                with db.transaction() as s:
                    idempotency.store(s, scope=credential, key=key, answer=answer, cipher=cipher)

            await to_thread.run_sync(keep)


async def _send_answer(send: Send, answer: idempotency.Answer) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [
                (b"content-type", answer.media_type.encode()),
                (b"content-length", str(len(answer.body)).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer.body})
