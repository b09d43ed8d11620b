"""The CLI face of the closed loop: invite, list and revoke links, photos with consent,
treatments, opt-in and building real-world evidence."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image


def test_invite_photo_treatment_and_rwe(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        "client",
        "add",
        "--name",
        "Ada Lovelace",
        "--dob",
        "1985-03-04",
        "--phototype",
        "2",
        "--concern",
        "wrinkles",
    )
    assert code == 0, err
    found = re.search(r"C-[0-9A-Z]{8}", out + err)
    assert found is not None
    p = found.group(0)
    qr = tmp_path / "link.svg"
    code, out, err = run(
        "client", "invite", p, "--instrument", "dlqi", "--verifier", "code", "--qr", str(qr)
    )
    assert code == 0, err
    link = json.loads(out)
    assert "/respond/" in link["url"] and len(link["code"]) == 8
    assert qr.read_text(encoding="utf-8").startswith("<svg")
    code, _, err = run("client", "invite", p, "--instrument", "easi")
    assert code == 2 and "clinician" in err
    code, out, _ = run("client", "invitations", p)
    rows = json.loads(out)
    assert [r["state"] for r in rows] == ["open"]
    assert run("client", "revoke-invite", str(rows[0]["id"]))[0] == 0
    assert json.loads(run("client", "invitations", p)[1])[0]["state"] == "revoked"

    picture = tmp_path / "face.png"
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buf, format="PNG")
    picture.write_bytes(buf.getvalue())
    code, _, err = run("client", "photo", p, str(picture))
    assert code == 5 and "consent" in err
    assert run("client", "consent", p, "photos:v1")[0] == 0
    code, out, err = run("client", "photo", p, str(picture), "--view", "frontal")
    assert code == 0, err
    assert json.loads(out)["media_type"] == "image/png"

    code, out, err = run(
        "client",
        "treatment",
        p,
        "--exposure",
        "ADSC",
        "--route",
        "microneedling",
        "--concern",
        "wrinkles",
        "--started",
        "2026-01-05",
    )
    assert code == 0, err
    assert json.loads(out)["exposure"] == "source:adipose-msc"
    assert run("client", "contribute", "Clinic A")[0] == 0
    code, out, err = run("evidence", "rwe", "build")
    assert code == 0, err
    assert json.loads(out) == []  # one client is below k = 10
    code, out, _ = run("evidence", "rwe", "list")
    assert code == 0 and json.loads(out) == []


def test_clinic_reminders_to_send_links_follow_the_regimen(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from icalendar import Calendar

    code, out, err = run(
        "client",
        "add",
        "--name",
        "Ada Lovelace",
        "--dob",
        "1985-03-04",
        "--phototype",
        "2",
        "--concern",
        "acne scars",
    )
    found = re.search(r"C-[0-9A-Z]{8}", out + err)
    assert found is not None
    p = found.group(0)
    clinic = tmp_path / "clinic.ics"
    code, out, err = run(
        "client", "regimen", p, "--start", "2026-01-05", "--clinic-ics", str(clinic)
    )
    assert code == 0, err
    plan = json.loads(out)
    cal = Calendar.from_ical(clinic.read_bytes())
    events = [e for e in cal.walk("VEVENT")]
    visits = [v for v in plan["visits"] if "dlqi" in v["instruments"]]
    assert len(events) == len(visits) > 0
    days = sorted(e.decoded("dtstart") for e in events)
    assert days == sorted(date.fromisoformat(v["date"]) - timedelta(days=3) for v in visits)
    assert all(e.walk("VALARM") for e in events)
