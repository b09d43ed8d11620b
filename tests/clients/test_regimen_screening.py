"""The planner obeys screening (issue 20): no microneedling with a non-sterile topical,
no ablative resurfacing planned for PIH-prone skin, each caution once per cause, and every
line naming the rule that shaped it — in the library and in ``client screen``/``regimen``."""

from __future__ import annotations

import json
from datetime import date

import pytest

from exoderm.clients import build_regimen, parse_profile
from exoderm.clients.formulation import STERILE_PRODUCT_TYPE
from exoderm.clients.handout import expected_sentences
from exoderm.clients.regimen import MICRONEEDLING_TOPICALS_RULE, PIH_ABLATIVE_RULE, PIH_RULE
from exoderm.clients.screening import procedures, screen

START = date(2026, 12, 1)


def phototype_v(concerns: list[dict[str, str]], **extra: object):  # type: ignore[no-untyped-def]
    return parse_profile({"fitzpatrick": {"phototype": 5}, "concerns": concerns, **extra})


@pytest.mark.parametrize("market", ["EU", "US", "KR"])
@pytest.mark.parametrize("severity", ["mild", "severe"])
def test_microneedling_is_paired_only_with_a_designed_sterile_product(
    market: str, severity: str
) -> None:
    profile = phototype_v([{"name": "atrophic acne scars", "severity": severity}], market=market)
    plan = build_regimen("C-TEST0201", profile, start=START)
    needled = [s for s in plan.sessions if s.procedure == "microneedling"]
    if not needled:  # dropped: the plan must say why, naming the rule
        dropped = [c for c in plan.choices if c.decision.startswith("not microneedling")]
        assert dropped and dropped[0].rule == MICRONEEDLING_TOPICALS_RULE
        return
    product = plan.session_product
    assert product is not None and product.available
    assert product.sterile and product.product_type == STERILE_PRODUCT_TYPE
    assert product.request.route == "post-procedure-topical"
    for s in needled:
        assert product.name in s.product and "after the needling" in s.product
        assert MICRONEEDLING_TOPICALS_RULE in s.rule
    # the home-care serum (non-sterile) is never the session product
    assert plan.product.name not in needled[0].product


def test_without_a_sterile_product_microneedling_is_dropped_with_its_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exoderm.clients import regimen as planner
    from exoderm.clients.formulation import ProductChoice

    real = planner.propose_product

    def no_sterile(*args: object, product_type: str | None = None, **kw: object) -> ProductChoice:
        if product_type == STERILE_PRODUCT_TYPE:
            return ProductChoice(False, reason="no formulation satisfies the constraints: test")
        return real(*args, product_type=product_type, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(planner, "propose_product", no_sterile)
    plan = build_regimen(
        "C-TEST0203", phototype_v([{"name": "acne scars", "severity": "moderate"}]), start=START
    )
    assert all(s.procedure != "microneedling" for s in plan.sessions)
    assert plan.session_product is None
    dropped = [c for c in plan.choices if c.decision.startswith("not microneedling")]
    assert dropped and dropped[0].rule == MICRONEEDLING_TOPICALS_RULE
    assert "sterile" in dropped[0].reason and "test" in dropped[0].reason
    # the next usable option for acne scars in PIH-prone skin is not ablative either
    assert not any(procedures()[s.procedure].energy == "ablative" for s in plan.sessions)


def test_ablative_resurfacing_is_a_review_not_allowed_plainly() -> None:
    result = screen(phototype_v([{"name": "acne scars", "severity": "moderate"}]))
    ablative = [k for k, p in procedures().items() if p.energy == "ablative"]
    assert set(ablative) <= set(result.review_procedures)
    for option in ablative:
        assert PIH_ABLATIVE_RULE in {v.rule for v in result.warnings_for(option)}
        assert PIH_RULE not in {v.rule for v in result.warnings_for(option)}  # one cause each
    light = screen(parse_profile({"fitzpatrick": {"phototype": 2}, "concerns": []}))
    assert "laser_ablative_full" not in light.review_procedures  # the phototype decided it


def test_each_caution_once_per_cause_in_screening_and_plan() -> None:
    profile = phototype_v(
        [{"name": "acne scars", "severity": "severe"}, {"name": "pigmentation", "severity": "mild"}]
    )
    result = screen(profile)
    grouped = result.grouped_rows()
    causes = [(r["status"], r["rule"]) for r in grouped]
    assert len(causes) == len(set(causes))
    assert len(grouped) < len(result.rows())  # the raw screening repeats causes per option
    plan = build_regimen("C-TEST0202", profile, start=START)
    rules = [w.rule for w in plan.warnings]
    assert len(rules) == len(set(rules)) and PIH_RULE in rules
    assert all(c.rule for c in plan.choices) and all(s.rule for s in plan.sessions)
    assert not any(procedures()[s.procedure].energy == "ablative" for s in plan.sessions)


def test_cli_screen_and_regimen(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        "client", "add", "--name", "Ana Silva", "--phototype", "5",
        "--concern", "acne scars:moderate",
    )  # fmt: skip
    assert code == 0, err
    pseudonym = json.loads(out)["pseudonym"]
    code, out, err = run("client", "screen", pseudonym)
    assert code == 0, err
    rows = json.loads(out)
    reasons = [r["reason"] for r in rows]
    assert len(reasons) == len(set(reasons))  # each caution printed once
    assert (
        "only after physician review: " in err
        and "laser_ablative_full" in err.split("only after physician review: ")[1]
    )
    allowed_line = next(line for line in err.splitlines() if line.startswith("allowed"))
    assert "laser_ablative_full" not in allowed_line

    code, out, err = run("client", "regimen", pseudonym, "--start", "2026-12-01", "--simulate")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["session_product"]["sterile"] is True
    assert plan["expected_sentences"] and plan["expected_sentences"][0].startswith("Model estimate")
    assert len({w["rule"] for w in plan["warnings"]}) == len(plan["warnings"])


def test_cli_regimen_simulate_prints_the_handout_sentences(  # type: ignore[no-untyped-def]
    run, tmp_path, capsys
) -> None:
    from exoderm.cli.main import main

    _, out, _ = run("client", "add", "--name", "Ana", "--phototype", "5",
                         "--concern", "acne scars:moderate")  # fmt: skip
    pseudonym = json.loads(out)["pseudonym"]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    pdf = tmp_path / "handout.pdf"
    code = main(["--db", url, "--format", "table", "client", "regimen", pseudonym,
                 "--start", "2026-12-01", "--simulate", "--pdf", str(pdf)])  # fmt: skip
    terminal = capsys.readouterr().out
    assert code == 0
    assert "Expected outcome (model estimate" in terminal
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf.read_bytes())
    text = " ".join(
        " ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))
    )
    profile = phototype_v([{"name": "acne scars", "severity": "moderate"}])
    sentences = expected_sentences(build_regimen(pseudonym, profile, start=START, simulate=True))
    assert sentences
    for sentence in sentences:
        assert sentence in terminal  # the terminal prints the sentence unwrapped
        assert " ".join(sentence.split()) in text  # and the handout carries the same one
