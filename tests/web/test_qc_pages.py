"""QC pages: enter a batch, upload a real export, see checklist and decision, sign, trends."""

from __future__ import annotations

import yaml

from exoderm.web.qc_pages import TEMPLATE
from tests.api.conftest import PASSWORD, World
from tests.api.shared_data import shared_file
from tests.web.logins import csrf_of, login


def test_batch_upload_sign_and_trends(world: World) -> None:
    qc = login(world.client(), "qc")
    page = qc.get("/qc")
    csrf = csrf_of(page.text)
    for lot in ("P-1", "P-2", "P-3"):
        record = {**TEMPLATE, "lot": lot, "product": "Serum Z"}
        r = qc.post(
            "/qc",
            data={"csrf_token": csrf, "record": yaml.safe_dump(record)},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        path = shared_file("nanosight/beads2.csv")
        with path.open("rb") as fh:
            up = qc.post(
                f"/qc/batches/{lot}/imports",
                data={"csrf_token": csrf},
                files={"file": (path.name, fh, "text/csv")},
                follow_redirects=False,
            )
        assert up.status_code == 303, up.text
    batch = qc.get("/qc/batches/P-1")
    assert batch.status_code == 200
    assert "beads2.csv" in batch.text and '<svg role="img"' in batch.text
    assert "MISEV checklist" in batch.text and "Release criteria" in batch.text
    assert 'name="password" type="password"' in batch.text  # re-authentication to sign
    # a missing or wrong password is refused (403, not a trip to the login page)
    for password in ("", "not-the-password"):
        refused = qc.post(
            "/qc/batches/P-1/sign",
            data={"csrf_token": csrf, "password": password, "meaning": "reviewed"},
            follow_redirects=False,
        )
        assert refused.status_code == 403, refused.text
    assert "None signed yet." in qc.get("/qc/batches/P-1").text
    signed = qc.post(
        "/qc/batches/P-1/sign",
        data={"csrf_token": csrf, "password": PASSWORD, "meaning": "reviewed"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = qc.get("/qc/batches/P-1").text
    assert "Version 1" in page and "Reviewed by Quality Assurance" in page and " UTC" in page
    trends = qc.get("/qc/trends", params={"product": "Serum Z"})
    assert trends.status_code == 200 and trends.text.count('<svg role="img"') >= 1


def test_bad_record_is_reported_by_field(world: World) -> None:
    qc = login(world.client(), "qc")
    csrf = csrf_of(qc.get("/qc").text)
    bad = {**TEMPLATE, "safety": {"endotoxin_eu_per_ml": "lots"}}
    r = qc.post("/qc", data={"csrf_token": csrf, "record": yaml.safe_dump(bad)})
    assert r.status_code == 422 and "endotoxin_eu_per_ml" in r.text
    r = qc.post("/qc", data={"csrf_token": csrf, "record": "product: [unclosed"})
    assert r.status_code == 422 and "line" in r.text


def test_viewer_reads_but_cannot_enter(world: World) -> None:
    viewer = login(world.client(), "viewer")
    page = viewer.get("/qc")
    assert page.status_code == 200 and "New batch" not in page.text
    csrf = csrf_of(page.text)
    r = viewer.post("/qc", data={"csrf_token": csrf, "record": yaml.safe_dump(TEMPLATE)})
    assert r.status_code == 403


def test_trends_of_another_lab_show_none_of_its_lots(world: World) -> None:
    """Issue 13: /qc/trends fenced the lots by organisation only in the API, not here."""
    from exoderm.accounts import users as user_lib

    qc = login(world.client(), "qc")
    csrf = csrf_of(qc.get("/qc").text)
    path = shared_file("nanosight/beads2.csv")
    for lot in ("SECRET-LOT-1", "SECRET-LOT-2"):
        record = {**TEMPLATE, "lot": lot, "product": "Serum Q"}
        data = {"csrf_token": csrf, "record": yaml.safe_dump(record)}
        assert qc.post("/qc", data=data, follow_redirects=False).status_code == 303
        with path.open("rb") as fh:
            up = qc.post(
                f"/qc/batches/{lot}/imports",
                data={"csrf_token": csrf},
                files={"file": (path.name, fh, "text/csv")},
                follow_redirects=False,
            )
        assert up.status_code == 303, up.text
    assert qc.get("/qc/trends", params={"product": "Serum Q"}).text.count('<svg role="img"') >= 1
    with world.db.transaction() as s:
        user_lib.create_organisation(s, "Other Lab", "lab")
        user_lib.create_user(
            s, "other_qc", "qc_analyst", password="another-password", organisation="Other Lab"
        )
    other = login(world.client(), "other_qc", password="another-password")
    trends = other.get("/qc/trends", params={"product": "Serum Q"})
    assert trends.status_code == 200
    assert "SECRET-LOT" not in trends.text and '<svg role="img"' not in trends.text
    assert "No lots with data for Serum Q" in trends.text
    index = other.get("/qc", params={"product": "Serum Q"})
    assert index.status_code == 200 and "SECRET-LOT" not in index.text
    assert other.get("/qc/batches/SECRET-LOT-1").status_code == 404


def test_page_shows_instrument_warnings_and_per_video_table(world: World) -> None:
    """Issue 14: the batch page shows the instrument's words and every weighting per video."""
    from tests.qc.conftest import FIXTURES

    qc = login(world.client(), "qc")
    csrf = csrf_of(qc.get("/qc").text)
    record = {**TEMPLATE, "lot": "W-1", "product": "Serum W"}
    qc.post("/qc", data={"csrf_token": csrf, "record": yaml.safe_dump(record)})
    path = FIXTURES / "nanosight_full_sections.csv"
    up = qc.post(
        "/qc/batches/W-1/imports",
        data={"csrf_token": csrf},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
        follow_redirects=False,
    )
    assert up.status_code == 303, up.text
    page = qc.get("/qc/batches/W-1").text
    assert "Instrument warnings" in page and "Unreliable" in page and "Too Low" in page
    assert "Surface Area" in page and "diffusion (1e4 nm²/s)" in page and "full_02" in page
    for weighting in ("Number", "Surface Area", "Volume"):
        assert f"{weighting} weighting" in page
