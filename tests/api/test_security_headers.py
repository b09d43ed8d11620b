"""The browser security headers on pages, API answers, errors and downloads."""

from __future__ import annotations

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
