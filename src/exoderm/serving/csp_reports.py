"""Content-Security-Policy violation reports: where browsers send them and what is kept.

Why: a policy that blocks an injected script silently hides the attack from the
operator. The policy names :data:`REPORT_PATH` twice, as the legacy ``report-uri`` and as
the Reporting API endpoint ``csp`` (``report-to``, declared in ``Reporting-Endpoints``),
so every browser reports a blocked load there (OWASP ASVS 5.0 V3.4.7).

What is kept: one warning line in the server log per violation, naming the page, the
directive, the blocked resource and where it was blocked, each value stripped of control
characters and cut to :data:`MAX_FIELD` characters (a report is attacker-controlled text:
it must not forge log lines). Nothing is written to the database, so an anonymous flood
of reports cannot grow it; a body over :data:`MAX_REPORT_BYTES` is refused with 413
before it is read in full.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("exoderm.csp")

#: Where browsers post violation reports (same origin; no session or CSRF token needed).
REPORT_PATH = "/csp-report"
#: The Reporting API group name the policy's ``report-to`` names.
REPORT_GROUP = "csp"
#: Largest report body read (a report is well under 2 KB).
MAX_REPORT_BYTES = 16 * 1024
#: Longest value written to the log from a report.
MAX_FIELD = 200
#: The report fields logged, as the legacy ``application/csp-report`` body names them and
#: as the Reporting API's ``csp-violation`` body names them.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("page", "document-uri", "documentURL"),
    ("directive", "effective-directive", "effectiveDirective"),
    ("blocked", "blocked-uri", "blockedURL"),
    ("source", "source-file", "sourceFile"),
    ("line", "line-number", "lineNumber"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean(value: object) -> str:
    return _CONTROL.sub(" ", str(value))[:MAX_FIELD]


def violations(document: object) -> Iterator[dict[str, str]]:
    """The violations in a report body, each as the :data:`FIELDS` it names.

    A legacy report is ``{"csp-report": {...}}``; a Reporting API delivery is a list of
    ``{"type": "csp-violation", "body": {...}}``; anything else yields nothing.

    References
    ----------
    .. [1] W3C (2024). Content Security Policy Level 3, §5 Reporting (the
       ``csp-violation`` report body and the legacy ``report-uri`` format).
    .. [2] W3C (2024). Reporting API, the ``Reporting-Endpoints`` header.

    Examples
    --------
    >>> legacy = {"csp-report": {"document-uri": "https://x/clients",
    ...                           "effective-directive": "script-src-elem",
    ...                           "blocked-uri": "inline"}}
    >>> next(violations(legacy))["blocked"]
    'inline'
    >>> api = [{"type": "csp-violation", "body": {"blockedURL": "https://evil/x.js\\n"}}]
    >>> next(violations(api))["blocked"]
    'https://evil/x.js '
    """
    bodies: list[object] = []
    if isinstance(document, dict) and "csp-report" in document:
        bodies.append(document["csp-report"])
    elif isinstance(document, list):
        bodies += [
            r.get("body")
            for r in document
            if isinstance(r, dict) and r.get("type") == "csp-violation"
        ]
    for body in bodies:
        if isinstance(body, dict):
            yield {
                name: _clean(body.get(legacy, body.get(current, "")))
                for name, legacy, current in FIELDS
            }


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or None when it exceeds :data:`MAX_REPORT_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REPORT_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REPORT_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def receive_report(request: Request) -> Response:
    """``POST /csp-report``: log each violation; 204, or 413 for an oversized body."""
    body = await _bounded_body(request)
    if body is None:
        return Response(status_code=413)
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Response(status_code=400)
    for v in violations(document):
        log.warning(
            "CSP violation on %s: %s blocked %s (%s line %s)",
            v["page"],
            v["directive"],
            v["blocked"],
            v["source"],
            v["line"],
        )
    return Response(status_code=204)
