"""``exoderm qc``: batch records, instrument imports, release checks, certificates, trends.

Every command calls :mod:`exoderm.qc` and prints with :mod:`exoderm.cli.output`; writes
happen in one transaction per command, so a failure writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exoderm.accounts.actor import local_operator
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE
from exoderm.qc import batch_record, create_batch, get_batch, list_batches, measurements_for
from exoderm.qc.batch_file import load_batch_file
from exoderm.qc.certificate import (
    certificate,
    certificates_for,
    draft_certificate,
    issue_certificate,
)
from exoderm.qc.check import check_batch
from exoderm.qc.importers import FORMATS, Format, import_file
from exoderm.qc.repository import record_measurement
from exoderm.qc.specs import load_spec, packaged_specs
from exoderm.qc.trends import control_chart_png, lot_trends

app = typer.Typer(
    help="Quality control of EV batches: records, imports, release, CoA, trends.",
    no_args_is_help=True,
)
batch_app = typer.Typer(help="Batch records.", no_args_is_help=True)
spec_app = typer.Typer(help="Release specification sheets.", no_args_is_help=True)
app.add_typer(batch_app, name="batch")
app.add_typer(spec_app, name="spec")

SpecOption = Annotated[
    str | None,
    typer.Option(
        "--spec", help="Spec sheet: a .toml file or a packaged id@version (default: the product's)."
    ),
]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="qc")


@batch_app.command("create")
def batch_create(
    file: Annotated[
        Path, typer.Argument(help="Batch record (YAML, JSON or TOML).", dir_okay=False)
    ],
) -> None:
    """Create a batch from a batch-record file (see docs/qc.md for the fields)."""
    record = load_batch_file(file)
    with STATE.database().transaction() as session:
        create_batch(session, record, local_operator())
    info(f"created batch {record.lot} of {record.product}")
    emit_object({"product": record.product, "lot": record.lot, "source": record.source.kind})


@batch_app.command("show")
def batch_show(lot: Annotated[str, typer.Argument(help="Lot number.")]) -> None:
    """Show a batch record with its measurements and certificates."""
    with STATE.database().reader() as session:
        batch = get_batch(session, lot)
        record = batch_record(batch)
        measurements = measurements_for(session, lot)
        certs = certificates_for(session, lot)
        emit_object(
            {
                "product": record.product,
                "lot": record.lot,
                "created_by": batch.created_by,
                "source": record.source.model_dump(exclude_none=True),
                "separation": record.separation,
                "protein_ug_per_ml": record.protein.ug_per_ml if record.protein else None,
                "markers": [f"{m.protein}{'+' if m.present else '−'}" for m in record.markers],
                "imaging": [i.method for i in record.imaging],
                "endotoxin_eu_per_ml": record.safety.endotoxin_eu_per_ml,
                "measurements": [
                    f"#{m.id} {m.measurement.method} {m.measurement.instrument}"
                    for m in measurements
                ],
                "certificates": [f"v{c.version} {c.decision} by {c.signed_by}" for c in certs],
            },
            title=f"batch {lot}",
        )


@batch_app.command("list")
def batch_list(
    product: Annotated[str | None, typer.Option("--product", help="Only this product.")] = None,
) -> None:
    """List batches."""
    with STATE.database().reader() as session:
        rows = [
            {
                "lot": b.lot,
                "product": b.product,
                "source": b.source_kind,
                "created_by": b.created_by,
                "created_at": b.created_at.isoformat(),
            }
            for b in list_batches(session, product)
        ]
    emit_rows(rows, ["lot", "product", "source", "created_by", "created_at"], title="batches")


def _measurement_row(m: Any) -> dict[str, Any]:
    return {
        "method": m.method,
        "instrument": m.instrument,
        "sample": m.sample_name,
        "concentration_per_ml": m.concentration_per_ml,
        "dilution": m.dilution,
        "stock_per_ml": m.stock_concentration_per_ml,
        "mode_nm": m.mode_nm,
        "mean_nm": m.mean_nm,
        "d50_nm": m.d50_nm,
        "z_average_nm": m.z_average_nm,
        "pdi": m.pdi,
        "replicates": len(m.replicates),
    }


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="Instrument export (or ViewSizer folder).")],
    lot: Annotated[str, typer.Option("--batch", help="Lot the measurement belongs to.")],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"Force a format: {', '.join(FORMATS)} (default: detect)."),
    ] = None,
) -> None:
    """Import an instrument export into a batch (all measurements or none)."""
    if kind is not None and kind not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--kind")
    fmt: Format | None = kind  # type: ignore[assignment]
    measurements = import_file(file, fmt)
    with STATE.database().transaction() as session:
        for m in measurements:
            record_measurement(session, lot, m, local_operator())
    info(f"imported {len(measurements)} measurement(s) from {file} into {lot}")
    emit_rows([_measurement_row(m) for m in measurements], title="imported")


@app.command("check")
def check_cmd(
    lot: Annotated[str, typer.Argument(help="Lot number.")], spec: SpecOption = None
) -> None:
    """Test a batch against its specification: every criterion and the decision."""
    with STATE.database().reader() as session:
        decision = check_batch(session, lot, spec)
    emit_rows(
        decision.as_rows(),
        ["id", "title", "measured", "limit", "verdict", "source"],
        title=f"{lot} against {decision.spec}",
    )
    for reason in decision.checklist.reasons:
        info(f"MISEV checklist: {reason}")
    info(
        f"decision: {decision.decision.upper()} (name on label: "
        f"'{decision.naming.allowed_term}'; EV-METRIC-style score {decision.metric.score} %)"
    )


@app.command("coa")
def coa_cmd(
    lot: Annotated[str, typer.Argument(help="Lot number.")],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML here.")] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Preview only; nothing is signed.")
    ] = False,
    version: Annotated[
        int | None,
        typer.Option(
            "--version", help="Export a stored signed version instead of signing a new one."
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why a new version corrects the previous one.")
    ] = None,
    spec: SpecOption = None,
) -> None:
    """Sign a certificate of analysis (a new version) and write it as PDF and/or HTML."""
    db = STATE.database()
    if draft:
        with db.reader() as session:
            content, html_text, pdf_bytes = draft_certificate(session, lot, spec=spec)
        decision, number, signed = content["decision"], 0, "not signed (draft)"
    elif version is not None:
        with db.reader() as session:
            cert = certificate(session, lot, version)
        html_text, pdf_bytes, decision, number = cert.html, cert.pdf, cert.decision, cert.version
        signed = f"{cert.signed_by} at {cert.signed_at.isoformat(timespec='seconds')}"
    else:
        with db.transaction() as session:
            cert = issue_certificate(session, lot, local_operator(), spec=spec, reason=reason)
        html_text, pdf_bytes, decision, number = cert.html, cert.pdf, cert.decision, cert.version
        signed = f"{cert.signed_by} at {cert.signed_at.isoformat(timespec='seconds')}"
    if pdf is not None:
        pdf.write_bytes(pdf_bytes)
        info(f"wrote {pdf}")
    if html is not None:
        html.write_text(html_text, "utf-8")
        info(f"wrote {html}")
    emit_object(
        {
            "lot": lot,
            "version": number,
            "decision": decision,
            "signed": signed,
            "pdf": str(pdf) if pdf else None,
            "html": str(html) if html else None,
        }
    )


@app.command("trend")
def trend_cmd(
    product: Annotated[str, typer.Option("--product", help="Product whose lots to chart.")],
    baseline: Annotated[
        int | None,
        typer.Option("--baseline", help="Number of first lots that set the limits (default: all)."),
    ] = None,
    plot_dir: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Write one PNG control chart per metric into this folder.",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Control charts across lots (mean ± 3 SD) with out-of-control rules flagged."""
    with STATE.database().reader() as session:
        charts = lot_trends(session, product, baseline)
    rows = []
    for chart in charts:
        low, high = chart.limit(3)
        for p in chart.points:
            rows.append(
                {
                    "metric": chart.metric,
                    "lot": p.lot,
                    "value": p.value,
                    "mean": chart.mean,
                    "lcl": low,
                    "ucl": high,
                    "flags": ", ".join(p.flags),
                }
            )
        if plot_dir is not None and chart.points:
            plot_dir.mkdir(parents=True, exist_ok=True)
            (plot_dir / f"{chart.metric}.png").write_bytes(control_chart_png(chart))
    emit_rows(
        rows,
        ["metric", "lot", "value", "mean", "lcl", "ucl", "flags"],
        title=f"trends for {product}",
    )
    flagged = sum(len(c.out_of_control) for c in charts)
    info(f"{flagged} out-of-control point(s)")


@spec_app.command("list")
def spec_list() -> None:
    """The packaged specification sheets."""
    emit_rows([{"spec": ref} for ref in packaged_specs()], ["spec"])


@spec_app.command("show")
def spec_show(
    ref: Annotated[
        str | None,
        typer.Argument(help="id@version or a .toml file (default: the packaged default)."),
    ] = None,
) -> None:
    """Every criterion of a spec sheet with its limit and source."""
    spec = load_spec(ref)
    emit_rows(
        [
            c.model_dump(
                include={"id", "title", "kind", "limit", "expected", "markers", "unit", "source"}
            )
            for c in spec.criteria
        ],
        ["id", "title", "kind", "limit", "expected", "markers", "unit", "source"],
        title=spec.ref,
    )
