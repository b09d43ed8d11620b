"""``exoderm simulate validate``: every target, the model's value, pass or fail.

Rows: the published baselines (reproduction within 1 %), the calibration targets of
``data/targets.json`` (within their tolerance, with the shipped fitted parameters) and
the direction checks at several doses (signs and monotonicity). The report is written as
Markdown to ``docs/validation.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from exoderm.simulate import experiments
from exoderm.simulate.atopic import DUPILUMAB, PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.calibrated import calibrated
from exoderm.simulate.calibration import model_values, targets
from exoderm.simulate.directions import direction_checks
from exoderm.simulate.exposure import Exposure
from exoderm.simulate.integrate import solve_each, solve_stacked
from exoderm.simulate.outcomes import ad_baseline
from exoderm.simulate.parameters import read_data
from exoderm.simulate.wound import WoundModel, alpha, wound_parameters


def _row(tid: str, what: str, target: Any, value: Any, ok: bool, source: str) -> dict[str, Any]:
    return {
        "id": tid,
        "quantity": what,
        "target": target,
        "model": value,
        "result": "pass" if ok else "fail",
        "source": source,
    }


def baseline_rows() -> list[dict[str, Any]]:
    """Unmodified models against the published reference numbers (within 1 %)."""
    ref = read_data("baselines.json")
    rows: list[dict[str, Any]] = []
    model = WoundModel()
    for case in ref["waugh"]:
        p = wound_parameters(case["preset"] == "diabetic", theta=0.0)
        days = np.array([0.0, *[c["day"] for c in case["checks"]]])
        tr = solve_each(model, p, model.initial_state(p, 1), Exposure.none(1), days)
        for i, c in enumerate(case["checks"], start=1):
            y = tr.states[0, i]
            value = (
                float(alpha(p, y[6:7])[0])
                if c["state"] == "alpha"
                else float(y[model.state_names.index(c["state"])])
            )
            ok = abs(value - c["value"]) <= 0.01 * abs(c["value"])
            rows.append(
                _row(
                    f"B-{case['case']}-{c['state']}-d{c['day']:g}",
                    f"model {case['case']}: {c['state']} at day {c['day']:g}",
                    c["value"],
                    round(value, 4),
                    ok,
                    ref["waugh_source"],
                )
            )
    rows.extend(_miyano_rows(ref))
    return rows


def _miyano_rows(ref: dict[str, Any]) -> list[dict[str, Any]]:
    p = ad_parameters()
    base = ad_baseline(p)[0]
    rows = []
    e0 = float(easi(base[0], base[1]))
    for c in ref["miyano"]["trajectory"]:
        tr = solve_stacked(
            AtopicModel(),
            p,
            AtopicModel.published_initial_state(p, 1),
            Exposure.none(1),
            np.array([0.0, c["week"]]),
        )
        got = tr.final[0]
        worst = float(np.max(np.abs(got / np.asarray(c["states"]) - 1.0)))
        rows.append(
            _row(
                f"B-AD-traj-w{c['week']:g}",
                f"all 14 states at week {c['week']:g} (max relative difference)",
                "< 1 %",
                f"{worst:.1e}",
                worst < 0.01,
                ref["miyano"]["trajectory_source"],
            )
        )
    rows.append(
        _row(
            "A1-baseline",
            "baseline EASI",
            ref["miyano"]["easi_baseline"],
            round(e0, 3),
            abs(e0 / ref["miyano"]["easi_baseline"] - 1) < 0.01,
            ref["miyano"]["arms_source"],
        )
    )
    for arm, drug in [("placebo", PLACEBO), ("dupilumab", DUPILUMAB)]:
        tr = solve_stacked(
            AtopicModel(drug), p, base[None, :], Exposure.none(1), np.array([0.0, 16.0])
        )
        e16 = float(easi(tr.final[0, 0], tr.final[0, 1]))
        imp = 100.0 * (1.0 - e16 / e0)
        want = ref["miyano"]["improvement_wk16_pct"][arm]
        rows.append(
            _row(
                f"A1-{arm}",
                f"{arm} EASI improvement at week 16 (%)",
                want,
                round(imp, 2),
                abs(imp / want - 1) < 0.01,
                ref["miyano"]["arms_source"],
            )
        )
    return rows


def target_rows() -> list[dict[str, Any]]:
    """Calibration targets with the shipped fitted parameters."""
    fitted = {n: v["value"] for n, v in calibrated()["parameters"].items()}
    values = model_values(fitted)
    rows = []
    by_id = {t["id"]: t for t in targets()}
    for tid, value in values.items():
        t = by_id[tid]
        ok = t["low"] <= value <= t["high"]
        rows.append(
            _row(
                tid,
                t["quantity"],
                f"{t['value']} [{t['low']}, {t['high']}]",
                round(value, 4),
                ok,
                t["source"],
            )
        )
    diff = experiments.wound_closure_difference(fitted)
    rows.append(
        _row(
            "W5",
            by_id["W5"]["quantity"],
            "> 0 at both days",
            f"{diff[0]:.2f} / {diff[1]:.2f}",
            bool(np.all(diff > 0)),
            by_id["W5"]["source"],
        )
    )
    arms = experiments.yanuar_arms(fitted)
    slopes = np.diff(arms) / np.diff(experiments.P1_PERCENT)
    rows.append(
        _row(
            "P1-mono",
            by_id["P1-mono"]["quantity"],
            "increasing",
            f"{arms.round(2).tolist()} (slopes {slopes.round(2).tolist()}, "
            f"{'concave' if slopes[1] < slopes[0] else 'convex'})",
            bool(np.all(np.diff(arms) > 0)),
            by_id["P1-mono"]["source"],
        )
    )
    return rows


def validation_rows() -> list[dict[str, Any]]:
    """Every row of the validation report."""
    return [*baseline_rows(), *target_rows(), *direction_checks()]


def render_markdown(rows: list[dict[str, Any]]) -> str:
    """The report as Markdown."""
    n_pass = sum(r["result"] == "pass" for r in rows)
    lines = [
        "# exoderm simulate — validation report",
        "",
        "Written by `exoderm simulate validate` (do not edit by hand). Baselines: unmodified",
        "models against published reference numbers, pass within 1 %. Targets: calibration",
        "targets (`data/targets.json`) with the shipped fitted parameters,",
        "pass within each target's tolerance. Directions: signs of the exosome effect at every",
        "dose tested and monotonicity in dose.",
        "",
        f"**{n_pass} of {len(rows)} rows pass.**",
        "",
        "| id | quantity | target | model | result | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [
            str(r[k]).replace("|", "/")
            for k in ("id", "quantity", "target", "model", "result", "source")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


#: What the report says when the out-of-sample tables were not asked for.
OUT_OF_SAMPLE_SKIPPED = (
    "## Out-of-sample validation\n\nNot computed in this run: `exoderm simulate validate "
    "--out-of-sample` refits the calibration once per target left out and predicts the "
    "independent outcomes (a few minutes).\n"
)


def write_report(path: Path, *, out_of_sample: bool = True) -> list[dict[str, Any]]:
    """Compute every row and write the report to ``path``; with ``out_of_sample``, also
    the leave-one-out and independent-outcome tables (a refit per target: minutes)."""
    from exoderm.simulate import oos

    rows = validation_rows()
    if out_of_sample:
        tail = oos.render_markdown(oos.loo_rows(), oos.independent_rows())
    else:
        tail = OUT_OF_SAMPLE_SKIPPED
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(rows) + "\n" + tail, encoding="utf-8")
    return rows
