"""Whole labels, identity rules, negation and hedging, the CLI and the API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from exoderm.cli.main import main
from exoderm.cli.output import NOT_COMPLIANT_EXIT
from exoderm.design.claims import check_claim, check_identity, check_label, split_sentences
from exoderm.errors import UserInputError
from exoderm.markets import Market

LABEL = """Exoderm Renewal Serum
Hydrates skin for 24 hours. Helps reduce the look of fine lines and wrinkles.
Leaves skin feeling soft and smooth. For a radiant-looking complexion.
Works without injections. Heals eczema and psoriasis. Stimulates collagen production.
Permanently removes wrinkles. An exosome therapy for your face. Clinical-grade formula.
Reduces rosacea. Like Botox in a bottle. Regenerates skin cells overnight.
Does not treat any disease. Helps skin look firmer. Visibly brightens dull skin.
Gently cleanses. Suitable for sensitive skin. Clears acne for good.
Helps minimise the look of pores. Fragrance-free.
Ingredients: Aqua, Glycerin, Human Adipose Stem Cell Conditioned Media,
 Centella Asiatica Leaf Vesicles
"""


def test_whole_label_per_sentence_and_market_fast() -> None:
    markets = [m.value for m in Market]
    check_label("warm-up.", markets)
    start = time.perf_counter()
    report = check_label(LABEL, ["US", "EU"])
    elapsed = time.perf_counter() - start
    assert len(report.sentences) >= 20
    assert elapsed < 0.2, f"{elapsed * 1000:.0f} ms for {len(report.sentences)} sentences"
    for sentence in report.sentences:
        assert [v.market for v in sentence.verdicts] == ["US", "EU"]
        for v in sentence.verdicts:
            assert v.rule, sentence.text
            if not v.accepted:
                assert v.rule_id and v.rewording, sentence.text
                assert check_claim(v.rewording, v.market, "cosmetic").accepted
    verdict = {s.text: s.accepted for s in report.sentences}
    assert verdict["Hydrates skin for 24 hours."] is True
    assert verdict["Works without injections."] is False
    assert verdict["Reduces rosacea."] is False
    assert verdict["An exosome therapy for your face."] is False
    assert verdict["Does not treat any disease."] is True
    human = [f for f in report.identity if f.origin == "human"]
    plant = [f for f in report.identity if f.origin == "plant"]
    assert {f.market for f in human} == {"US", "EU"} and not any(f.accepted for f in human)
    assert plant and all(f.accepted for f in plant)
    assert not report.accepted


def test_all_nine_markets_in_one_label() -> None:
    report = check_label("Heals wounds. Helps skin feel hydrated.", [m.value for m in Market])
    heals, hydrated = report.sentences
    assert len(heals.verdicts) == 9 and not any(v.accepted for v in heals.verdicts)
    assert all(v.accepted for v in hydrated.verdicts)
    assert len({v.rule for v in heals.verdicts}) >= 7, "each market names its own rule"


@pytest.mark.parametrize(
    "item",
    [
        "Human Adipose Stem Cell Conditioned Media",
        "Human Umbilical Cord Mesenchymal Stem Cell Derived Exosomes",
        "Stem Cell Exosomes",
        "Human Fibroblast Conditioned Media",
    ],
)
def test_human_derived_identity(item: str) -> None:
    (us,) = check_identity([item], "US")
    assert not us.accepted and "PHS Act" in us.rule and "2019" in us.rule
    (eu,) = check_identity([item], "EU")
    assert not eu.accepted and "Annex II entry 416" in eu.rule
    (cn,) = check_identity([item], "CN")
    assert not cn.accepted
    assert check_identity([item], "TW")[0].status == "dossier required"


@pytest.mark.parametrize(
    "item", ["Centella Asiatica Leaf Extracellular Vesicles", "Rosa Damascena Callus Vesicles"]
)
def test_plant_vesicles_pass_the_identity_check(item: str) -> None:
    for market in Market:
        (finding,) = check_identity([item], market.value)
        assert finding.accepted and finding.origin == "plant"


def test_identity_in_wording_is_checked_in_the_us_too() -> None:
    v = check_claim("contains 10 billion human stem cell exosomes", "US", "cosmetic")
    assert not v.accepted and v.rule_id == "human-derived-identity" and "PHS Act" in v.rule


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("does not treat eczema", True),
        ("not a treatment for any disease", True),
        ("treats eczema", False),
        ("renew the look of your skin", True),
        ("stimulates natural cell renewal", False),
        ("reduces the appearance of dark spots", True),
        ("fade dark spots", False),
        ("covers blemishes with a natural finish", True),
        ("clears blemishes", False),
        ("for acne-prone skin", True),
        ("no more acne", False),
    ],
)
def test_negation_and_hedging(text: str, accepted: bool) -> None:
    assert check_claim(text, "US", "cosmetic").accepted is accepted


def test_sentences_split() -> None:
    assert split_sentences("One. Two!\n• Three") == ["One.", "Two!", "Three"]


def test_bad_label_input_is_a_clear_error() -> None:
    with pytest.raises(UserInputError, match="empty"):
        check_label("   \n ", ["US"])
    with pytest.raises(UserInputError, match="binary"):
        check_label("abc\x00def", ["US"])
    with pytest.raises(UserInputError, match="too large"):
        check_label("Hydrates skin. " * 700_000, ["US"])
    with pytest.raises(UserInputError, match="unknown market"):
        check_label("Hydrates skin.", ["US", "MARS"])
    with pytest.raises(UserInputError, match="no market"):
        check_label("Hydrates skin.", [])


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_label_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    label = tmp_path / "label.txt"
    label.write_text(LABEL, encoding="utf-8")
    argv = ["--format", "json", "design", "claims", "check", "--file", str(label)]
    code, out, err = _run([*argv, "--market", "US", "--market", "EU"], capsys)
    rows = json.loads(out)
    assert code == NOT_COMPLIANT_EXIT and "Traceback" not in err
    assert {r["market"] for r in rows} == {"US", "EU"}
    assert any(r["n"] == "INCI" and r["accepted"] is False for r in rows)
    good = tmp_path / "good.txt"
    good.write_text("Hydrates skin. Helps skin look smoother.", encoding="utf-8")
    code, out, _ = _run(
        ["--format", "json", "design", "claims", "check", "--file", str(good)], capsys
    )
    assert code == 0 and all(r["accepted"] for r in json.loads(out))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"Hydrates skin. " * 700_000, "too large"),
        (b"\xff\xfe caf\xe9", "not UTF-8"),
    ],
)
def test_cli_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "label.txt"
    path.write_bytes(content)
    code, _, err = _run(["design", "claims", "check", "--file", str(path)], capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_unknown_market_and_missing_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        ["design", "claims", "check", "soft", "--market", "US", "--market", "XX"], capsys
    )
    assert code == 2 and "unknown market" in err
    code, _, err = _run(["design", "claims", "check"], capsys)
    assert code == 2 and "--file" in err


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from exoderm.server import create_app
    from exoderm.settings import Settings
    from exoderm.storage import open_database, upgrade
    from tests.api.conftest import populate

    path = tmp_path_factory.mktemp("claims-api")
    db = open_database(f"sqlite:///{path / 'exoderm.db'}")
    upgrade(db)
    tokens, _, _ = populate(db)
    app = create_app(Settings(data_dir=path / "data"), db)
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {tokens['viewer']}"
    yield client
    app.state.context.jobs.shutdown()
    db.dispose()


def test_api_label(api: TestClient) -> None:
    r = api.post("/api/v1/design/claims/label", json={"text": LABEL, "markets": ["US", "EU"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["sentences"]) >= 20 and body["accepted"] is False
    assert any(f["origin"] == "human" and not f["accepted"] for f in body["identity"])


@pytest.mark.parametrize(
    "body",
    [
        {"text": "", "markets": ["US"]},
        {"text": "Hydrates.", "markets": ["MARS"]},
        {"text": "Hydrates.", "markets": []},
        {"text": "x" * 10_000_000, "markets": ["US"]},
        {"text": "abc\x00def", "markets": ["US"]},
    ],
)
def test_api_label_bad_input(api: TestClient, body: dict[str, object]) -> None:
    r = api.post("/api/v1/design/claims/label", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
