"""The patient-reported loop over HTTP: a link, verification, answers, the record, and
the fence; photos and treatments; expected beside observed."""

from __future__ import annotations

import io
import re

from PIL import Image

from exoderm.clients.invitations import rewind_verification
from tests.api.conftest import World
from tests.api.test_clients import new_client


def _link(world: World, pseudonym: str, **body: object) -> dict[str, object]:
    r = world.client("doc_a").post(
        f"/api/v1/clients/{pseudonym}/invitations", json={"instrument": "dlqi", **body}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_code_verified_link_over_the_api(world: World) -> None:
    p = new_client(world)["pseudonym"]
    link = _link(world, p, verifier="code")
    token, code = str(link["token"]), str(link["code"])
    public = world.client()  # no account
    prompt = public.get(f"/api/v1/respond/{token}")
    assert prompt.status_code == 200 and prompt.json() == {"verifier": "code", "attempts_left": 20}
    wrong = public.post(f"/api/v1/respond/{token}/verification", json={"answer": "WRONG123"})
    assert wrong.status_code == 200 and wrong.json()["verified"] is False
    assert wrong.json()["attempts_left"] == 19 and wrong.json()["nonce"] is None
    ok = public.post(f"/api/v1/respond/{token}/verification", json={"answer": code.lower()})
    assert ok.json()["verified"] is True
    answers = {f"q{i}": 3 for i in range(1, 11)}
    stale = public.post(
        f"/api/v1/respond/{token}/answers", json={"nonce": "x" * 20, "answers": answers}
    )
    assert stale.status_code == 403
    at_once = public.post(  # a bot: ten questions answered within milliseconds (ASVS 2.4.2)
        f"/api/v1/respond/{token}/answers", json={"nonce": ok.json()["nonce"], "answers": answers}
    )
    assert at_once.status_code == 429, at_once.text
    assert "faster than its 10 questions can be read" in at_once.json()["detail"]
    with world.db.transaction() as s:  # the respondent reads for a minute; the nonce held
        rewind_verification(s, token, seconds=60)
    sent = public.post(
        f"/api/v1/respond/{token}/answers", json={"nonce": ok.json()["nonce"], "answers": answers}
    )
    assert sent.status_code == 201 and sent.json()["value"] == 30
    again = public.post(
        f"/api/v1/respond/{token}/answers", json={"nonce": ok.json()["nonce"], "answers": answers}
    )
    assert again.status_code == 403 and "already used" in again.text
    outcomes = world.client("doc_a").get(f"/api/v1/clients/{p}/outcomes").json()
    assert [o["value"] for o in outcomes] == [30.0]
    assert public.get("/api/v1/respond/" + "A" * 43).status_code == 404


def test_the_fence_holds_for_links_photos_and_comparisons(world: World) -> None:
    p = new_client(world)["pseudonym"]
    link = _link(world, p, verifier="code")
    other = world.client("doc_b")
    assert other.get(f"/api/v1/clients/{p}/invitations").status_code == 404
    assert other.post(f"/api/v1/clients/invitations/{link['id']}/revoke").status_code == 404
    assert other.get(f"/api/v1/clients/{p}/photos").status_code == 404
    assert other.get(f"/api/v1/clients/{p}/expected-observed").status_code == 404
    clinician = world.client("doc_a")
    clinician_rows = clinician.get(f"/api/v1/clients/{p}/invitations").json()
    assert [r["state"] for r in clinician_rows] == ["open"]
    assert "token" not in clinician_rows[0]


def test_photos_need_consent_and_treatments_resolve_over_the_api(world: World) -> None:
    p = new_client(world)["pseudonym"]
    doc = world.client("doc_a")
    buf = io.BytesIO()
    Image.new("RGB", (12, 12), "white").save(buf, format="PNG")
    files = {"file": ("face.png", buf.getvalue(), "image/png")}
    refused = doc.post(f"/api/v1/clients/{p}/photos", files=files, data={"view": "frontal"})
    assert refused.status_code == 403
    doc.post(f"/api/v1/clients/{p}/consents", json={"topic": "photos", "version": "v1"})
    added = doc.post(f"/api/v1/clients/{p}/photos", files=files, data={"view": "frontal"})
    assert added.status_code == 201, added.text
    image = doc.get(f"/api/v1/clients/{p}/photos/{added.json()['id']}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    t = doc.post(
        f"/api/v1/clients/{p}/treatments",
        json={
            "exposure": "ADSC",
            "route": "topical",
            "concern": "wrinkles",
            "started_on": "2026-01-05",
        },
    )
    assert t.status_code == 201 and t.json()["exposure"] == "source:adipose-msc"
    bad = doc.post(
        f"/api/v1/clients/{p}/treatments",
        json={
            "exposure": "wrinkles",
            "route": "topical",
            "concern": "wrinkles",
            "started_on": "2026-01-05",
        },
    )
    assert bad.status_code == 422 and "not an EV source" in bad.text
    compared = doc.get(f"/api/v1/clients/{p}/expected-observed")
    assert compared.status_code == 200 and compared.json()["rows"] == []
    assert doc.get("/api/v1/clients/cohort/expected-observed").status_code == 200


def test_a_form_sent_too_fast_comes_back_with_the_answers_kept(world: World) -> None:
    """ASVS 5.0 V2.4.2 on the phone page: the refusal keeps the answers and the key."""
    p = new_client(world)["pseudonym"]
    token = str(_link(world, p)["token"])
    phone = world.client()
    verified = phone.post(f"/respond/{token}", data={"answer": "1985-12-10"})
    assert verified.status_code == 200, verified.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', verified.text)
    assert nonce is not None
    answers = {f"f_q{i}": ("2" if i <= 3 else "0") for i in range(1, 11)}
    early = phone.post(f"/respond/{token}/answers", data={"nonce": nonce.group(1), **answers})
    assert early.status_code == 429
    assert "sooner than its questions can be read" in early.text
    for field, value in answers.items():  # every answer is still chosen
        select = re.search(rf'<select id="{field}".*?</select>', early.text, re.S)
        assert select is not None and f'value="{value}" selected>' in select.group(0), field
    with world.db.transaction() as s:
        rewind_verification(s, token, seconds=60)
    sent = phone.post(f"/respond/{token}/answers", data={"nonce": nonce.group(1), **answers})
    assert sent.status_code == 200 and "were saved" in sent.text
