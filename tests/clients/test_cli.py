"""The ``exoderm client`` commands end to end, through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

from icalendar import Calendar


def test_client_lifecycle(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        "client",
        "add",
        "--name",
        "Ada Lovelace",
        "--dob",
        "1985-03-04",
        "--phototype",
        "5",
        "--concern",
        "atrophic acne scars:moderate",
        "--allergy",
        "lavender oil",
        "--consent",
        "treatment:v1",
    )
    assert code == 0, err
    p = json.loads(out)["pseudonym"]

    code, out, _ = run("client", "show", p)
    assert json.loads(out)["name"] == "Ada Lovelace"
    code, out, _ = run("client", "list")
    assert [r["pseudonym"] for r in json.loads(out)] == [p]

    code, out, err = run(
        "client",
        "assess",
        p,
        "dlqi",
        *[arg for i in range(1, 11) for arg in ("-i", f"q{i}=2")],
        "--date",
        "2026-01-01",
    )
    assert code == 0, err and json.loads(out)["value"] == 20

    code, _, err = run("client", "assess", p, "dlqi", "-i", "q1=4")
    assert code == 2 and "q1" in err and "0–3" in err

    code, out, _ = run("client", "screen", p)
    rules = {(r["option"], r["rule"]) for r in json.loads(out)}
    assert ("lavender oil", "allergy-excludes-ingredient") in rules

    ics = tmp_path / "plan.ics"
    code, out, err = run(
        "client",
        "regimen",
        p,
        "--start",
        "2026-12-01",
        "--ics",
        str(ics),
        "--pdf",
        str(tmp_path / "plan.pdf"),
        "--html",
        str(tmp_path / "plan.html"),
    )
    assert code == 0, err
    assert json.loads(out)["sessions"]
    assert Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    assert "Ada Lovelace" in (tmp_path / "plan.html").read_text()

    code, out, _ = run("client", "outcomes", p, "--plot", str(tmp_path / "o.png"))
    assert json.loads(out)[0]["instrument"] == "dlqi"

    code, out, _ = run("client", "export", p)
    exported = json.loads(out)
    assert exported["personal_data"]["name"] == "Ada Lovelace" and exported["assessments"]

    code, _, err = run("client", "erase", p)
    assert code == 2 and "--yes" in err
    code, out, err = run("client", "erase", p, "--yes")
    assert code == 0, err
    code, out, _ = run("client", "export", p)
    assert json.loads(out)["personal_data"] is None


def test_user_errors_are_one_line(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("client", "add", "--name", "X", "--concern", "hair loss")
    assert code == 2 and "no regimen data for concern" in err and "Traceback" not in err
    code, _, err = run("client", "show", "C-NOPE0000")
    assert code == 3 and "no client" in err
    code, _, err = run("client", "assess", "C-NOPE0000", "pasi")
    assert code == 2 and "unknown instrument" in err


def test_update_profile_and_record_consents(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("client", "add", "--name", "Grace", "--phototype", "2")
    assert code == 0, err
    p = json.loads(out)["pseudonym"]

    code, _, err = run("client", "update", p, "--pregnant", "--allergy", "retinol")
    assert code == 0, err
    profile = json.loads(run("client", "export", p)[1])["client"]["profile"]
    assert profile["pregnant"] is True and profile["allergies"] == ["retinol"]
    assert profile["fitzpatrick"]["phototype"] == 2  # options apply to the current profile
    code, _, err = run("client", "update", p, "--not-pregnant")
    assert code == 0, err
    assert json.loads(run("client", "export", p)[1])["client"]["profile"]["pregnant"] is False

    assert run("client", "consent", p, "photos:v2")[0] == 0
    assert run("client", "consent", p, "photos:v2", "--withdraw")[0] == 0
    consents = json.loads(run("client", "export", p)[1])["consents"]
    assert [(c["topic"], c["given"]) for c in consents] == [("photos", True), ("photos", False)]

    code, _, err = run("client", "consent", p, "photos")
    assert code == 2 and "topic:version" in err and "Traceback" not in err
    code, _, err = run("client", "update", p, "--phototype", "9")
    assert code == 2 and "phototype" in err and "Traceback" not in err
    code, _, err = run("client", "update", "C-NOPE0000", "--pregnant")
    assert code == 3 and "no client" in err


def test_uk_client_gets_a_regimen_with_uk_rules(run) -> None:  # type: ignore[no-untyped-def]
    """Acceptance (issue 13): a UK client's regimen, not a validation traceback."""
    code, out, err = run(
        "client", "add", "--name", "Mary Seacole", "--phototype", "3",
        "--concern", "wrinkles:moderate", "--market", "uk",
    )  # fmt: skip
    assert code == 0, err
    p = json.loads(out)["pseudonym"]
    code, out, err = run("client", "show", p)
    assert code == 0, err
    assert json.loads(out)["market"] == "UK"

    code, out, err = run("client", "regimen", p, "--start", "2026-12-01")
    assert code == 0, err
    assert "Traceback" not in err
    plan = json.loads(out)
    request = plan["product"]["request"]
    assert request["market"] == "UK" and request["no_human"] is True
    blocked = {(b["option"], b["rule"]) for b in plan["blocked"]}
    assert ("human-derived EV", "human-ev-prohibited-in-market") in blocked
    if plan["product"]["available"]:
        assert not any("human" in i.lower() for i in plan["product"]["inci"])
    else:
        assert plan["product"]["reason"]


def test_unknown_market_is_a_one_line_error_naming_the_markets(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("client", "add", "--name", "X", "--phototype", "2", "--market", "XX")
    assert code == 2 and "Traceback" not in err
    assert "uk" in err.lower() and "eu" in err.lower()


def test_screen_names_each_cause_once(run) -> None:  # type: ignore[no-untyped-def]
    """A phototype V client: the PIH caution is one row naming every procedure it hits."""
    code, out, err = run(
        "client", "add", "--name", "Ana Silva", "--phototype", "5",
        "--concern", "acne scars:moderate",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("client", "screen", json.loads(out)["pseudonym"])
    assert code == 0, err
    rows = json.loads(out)
    causes = [(r["status"], r["rule"], r["reason"]) for r in rows]
    assert len(causes) == len(set(causes))
    pih = [r for r in rows if r["rule"] == "pih-risk-phototype"]
    assert len(pih) == 1 and pih[0]["option"].count(",") >= 2
