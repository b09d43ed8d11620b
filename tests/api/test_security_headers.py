"""The browser security headers on pages, API answers, errors and downloads."""

from __future__ import annotations

import json
import logging

import pytest

from tests.api.conftest import World
from tests.api.test_qc import SIGN, record


def test_every_kind_of_answer_carries_the_security_headers(world: World) -> None:
    qc = world.client("qc")
    qc.post("/api/v1/qc/batches", json=record("HDR-1"))
    qc.post("/api/v1/qc/batches/HDR-1/certificates", json=SIGN)
    answers = {
        "page": world.client().get("/login"),
        "api": qc.get("/api/v1/qc/batches"),
        "error": qc.get("/api/v1/qc/batches/NOPE"),
        "download": qc.get("/api/v1/qc/batches/HDR-1/certificates/1/pdf"),
    }
    for kind, r in answers.items():
        h = r.headers
        assert h["referrer-policy"] == "same-origin", kind
        assert h["cache-control"] == "no-store", kind
        assert h["x-content-type-options"] == "nosniff", kind
        assert h["cross-origin-opener-policy"] == "same-origin", kind
        assert h["cross-origin-resource-policy"] == "same-origin", kind
        assert "frame-ancestors 'none'" in h["content-security-policy"], kind
    disposition = answers["download"].headers["content-disposition"]
    assert disposition == (
        "attachment; filename=\"coa-HDR-1-v1.pdf\"; filename*=UTF-8''coa-HDR-1-v1.pdf"
    )


def test_the_policy_names_where_violations_are_reported(world: World) -> None:
    for r in (world.client().get("/login"), world.client("qc").get("/api/v1/qc/batches")):
        policy = r.headers["content-security-policy"]
        assert "report-uri /csp-report" in policy and "report-to csp" in policy
        assert r.headers["reporting-endpoints"] == 'csp="/csp-report"'


def test_violation_reports_are_logged_as_one_clean_line_each(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    browser = world.client()  # no session, no CSRF token: browsers send reports bare
    legacy = {
        "csp-report": {
            "document-uri": "http://testserver/clients",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://evil.example/x.js\nCSP violation on forged",
            "line-number": 12,
        }
    }
    current = [
        {"type": "csp-violation", "body": {"blockedURL": "inline", "effectiveDirective": "x"}},
        {"type": "deprecation", "body": {"id": "other"}},
    ]
    with caplog.at_level(logging.WARNING, logger="exoderm.csp"):
        r1 = browser.post(
            "/csp-report",
            content=json.dumps(legacy),
            headers={"Content-Type": "application/csp-report"},
        )
        r2 = browser.post(
            "/csp-report",
            content=json.dumps(current),
            headers={"Content-Type": "application/reports+json"},
        )
    assert (r1.status_code, r2.status_code) == (204, 204)
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "exoderm.csp"]
    assert len(lines) == 2 and all("\n" not in line for line in lines)
    assert "script-src-elem blocked https://evil.example/x.js CSP violation" in lines[0]
    assert "line 12" in lines[0] and "x blocked inline" in lines[1]


def test_a_report_too_large_or_not_json_is_refused(world: World) -> None:
    browser = world.client()
    big = browser.post("/csp-report", content=b"[" + b" " * (17 * 1024) + b"]")
    assert big.status_code == 413
    assert browser.post("/csp-report", content=b"{not json").status_code == 400
    assert browser.get("/csp-report").status_code == 405
