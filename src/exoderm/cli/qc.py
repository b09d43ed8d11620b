"""``exoderm qc``: batch records, instrument imports, release checks, certificates, trends.

Every command calls :mod:`exoderm.qc.service` as the local operator and prints with
:mod:`exoderm.cli.output`; writes happen in one transaction per command, so a failure
writes nothing. ``--spec`` names a packaged sheet; ``--spec-file`` reads the operator's own.
Signing a certificate (``coa --sign``) is the exception: it acts as the exoderm account
given by ``--user`` or ``--token``, re-authenticated by its password, never as the
operating-system user.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from exoderm.accounts.actor import local_operator
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE, OutputFormat
from exoderm.errors import UserInputError
from exoderm.qc import (
    FORMATS,
    ParticleMeasurement,
    Replicate,
    Spec,
    control_chart_png,
    load_batch_file,
    load_spec,
    load_spec_file,
    packaged_specs,
)
from exoderm.qc import service as qc
from exoderm.qc.certificate import signed_at_text
from exoderm.qc.signing import Meaning, SignatureCredentialsMissing, Signer, authenticate_signer
from exoderm.settings import get_settings

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
        "--spec", help="Packaged spec sheet: id or id@version (default: the product's sheet)."
    ),
]
SpecFileOption = Annotated[
    Path | None,
    typer.Option(
        "--spec-file",
        help="Your own spec sheet (TOML); wins over --spec.",
        dir_okay=False,
        exists=True,
    ),
]


def _sheet(spec_file: Path | None) -> Spec | None:
    return load_spec_file(spec_file) if spec_file is not None else None


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
        qc.create_batch(session, local_operator(), record=record)
    info(f"created batch {record.lot} of {record.product}")
    emit_object({"product": record.product, "lot": record.lot, "source": record.source.kind})


@batch_app.command("show")
def batch_show(lot: Annotated[str, typer.Argument(help="Lot number.")]) -> None:
    """Show a batch record with its measurements and certificates."""
    with STATE.database().reader() as session:
        batch = qc.get_batch(session, local_operator(), lot)
    record, measurements, certs = batch.record, batch.measurements, batch.certificates
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
                {"id": m.id, **_measurement_row(m.measurement)}
                if STATE.format is OutputFormat.json
                else f"#{m.id} {m.measurement.method} {m.measurement.instrument}"
                + (
                    f" ({len(m.measurement.warnings)} instrument warnings)"
                    if m.measurement.warnings
                    else ""
                )
                for m in measurements
            ],
            "certificates": [f"v{c.version} {c.decision} by {c.signed_by}" for c in certs],
        },
        title=f"batch {lot}",
    )
    if STATE.format is not OutputFormat.json:
        for m in measurements:
            if m.measurement.replicates:
                emit_rows(_replicate_rows(m.measurement), title=f"measurement #{m.id}: per video")


@batch_app.command("list")
def batch_list(
    product: Annotated[str | None, typer.Option("--product", help="Only this product.")] = None,
) -> None:
    """List batches."""
    with STATE.database().reader() as session:
        found = qc.list_batches(session, local_operator(), product=product, newest_first=False)
    rows = [
        {
            "lot": b.lot,
            "product": b.product,
            "source": b.source_kind,
            "created_by": b.created_by,
            "created_at": b.created_at.isoformat(),
        }
        for b in found.items
    ]
    emit_rows(rows, ["lot", "product", "source", "created_by", "created_at"], title="batches")


def _measurement_row(m: ParticleMeasurement) -> dict[str, Any]:
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
        "dilution_recorded": m.dilution_recorded,
        "operator": m.operator,
        "measured_at": m.measured_at.isoformat() if m.measured_at else None,
        "software": m.software,
        "sd_nm": m.sd_nm,
        "d10_nm": m.d10_nm,
        "d90_nm": m.d90_nm,
        "particles_per_frame": m.particles_per_frame,
        "particles_per_frame_se": m.particles_per_frame_se,
        "centres_per_frame": m.centres_per_frame,
        "centres_per_frame_se": m.centres_per_frame_se,
        "ph": m.ph,
        "conductivity_us_per_cm": m.conductivity_us_per_cm,
        "camera_gain": m.camera_gain,
        "max_brightness": m.max_brightness,
        "micrometre_per_pixel": m.micrometre_per_pixel,
        "d50_concentration_nm": m.d50_concentration_nm,
        "d50_volume_nm": m.d50_volume_nm,
        "log_classes": len(m.log_bins),
        "particles_counted": m.particles_counted,
        "completed_tracks": m.completed_tracks,
        "reported": m.reported,
        "bins": [b.model_dump(exclude_none=True) for b in m.bins],
        "log_bins": [b.model_dump(exclude_none=True) for b in m.log_bins],
        "notes": m.notes,
        "warnings": [w.text for w in m.warnings],
        "settings": m.settings,
        "weightings": [w.model_dump(exclude={"percentiles"}) for w in m.weightings],
        "diffusion": [w.model_dump(exclude={"percentiles"}) for w in m.diffusion],
        "replicates": [_replicate_row(r) for r in m.replicates],
    }


def _replicate_row(r: Replicate) -> dict[str, Any]:
    """Every per-video value of a measurement: all weightings and diffusion blocks, the
    per-particle sizes and every other value under the file's own label (``reported``)."""
    return r.model_dump(exclude={"bins"}, exclude_none=True)


def _replicate_rows(m: ParticleMeasurement) -> list[dict[str, Any]]:
    """One table row per video and weighting (for the table and CSV output)."""
    rows: list[dict[str, Any]] = []
    for r in m.replicates:
        blocks = [("size", w) for w in r.weightings] + [("diffusion", w) for w in r.diffusion]
        if not blocks:
            rows.append(
                {
                    "video": r.name,
                    "block": "",
                    "weighting": m.weighting,
                    "concentration_per_ml": r.concentration_per_ml,
                    "mean": r.mean_nm,
                    "mode": r.mode_nm,
                    "sd": r.sd_nm,
                    "d10": r.d10_nm,
                    "d50": r.d50_nm,
                    "d90": r.d90_nm,
                    "valid_tracks": r.particles_counted,
                }
            )
        for kind, w in blocks:
            rows.append(
                {
                    "video": r.name,
                    "block": kind,
                    "weighting": w.weighting,
                    "unit": w.unit,
                    "concentration_per_ml": r.concentration_per_ml,
                    "mean": w.mean,
                    "mode": w.mode,
                    "sd": w.sd,
                    "d10": w.d10,
                    "d50": w.d50,
                    "d90": w.d90,
                    "valid_tracks": w.valid_tracks,
                }
            )
    return rows


#: Lists too long for a table cell: JSON only (the table shows the per-video rows).
TABLE_HIDDEN = ("replicates", "weightings", "diffusion", "bins", "log_bins", "reported")


def _emit_measurements(measurements: list[ParticleMeasurement], title: str) -> None:
    if STATE.format is OutputFormat.json:
        emit_rows([_measurement_row(m) for m in measurements], title=title)
        return
    for m in measurements:
        row = _measurement_row(m)
        emit_object(
            {k: v for k, v in row.items() if k not in TABLE_HIDDEN},
            title=title,
        )
        if m.replicates:
            emit_rows(_replicate_rows(m), title=f"{m.instrument}: per video")


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
    with STATE.database().transaction() as session:
        stored = qc.import_measurements(session, local_operator(), lot, file, format=kind)
    info(f"imported {len(stored)} measurement(s) from {file} into {lot}")
    _emit_measurements([m.measurement for m in stored], "imported")


@app.command("check")
def check_cmd(
    lot: Annotated[str, typer.Argument(help="Lot number.")],
    spec: SpecOption = None,
    spec_file: SpecFileOption = None,
) -> None:
    """Test a batch against its specification: every criterion and the decision."""
    sheet = _sheet(spec_file)
    with STATE.database().reader() as session:
        decision = qc.check_batch(session, local_operator(), lot, spec=spec, spec_sheet=sheet)
    emit_rows(
        [c.model_dump() for c in decision.criteria],
        ["id", "title", "measured", "limit", "verdict", "source"],
        title=f"{lot} against {decision.spec}",
    )
    for reason in decision.checklist_reasons:
        info(f"MISEV checklist: {reason}")
    info(
        f"decision: {decision.decision.upper()} (name on label: "
        f"'{decision.allowed_term}'; EV-METRIC-style score {decision.ev_metric.score} %)"
    )


def _password(username: str | None) -> str | None:
    """The signer's password: ``EXODERM_PASSWORD``, else a hidden prompt on a terminal."""
    given = os.environ.get("EXODERM_PASSWORD")
    if given:
        return given
    if sys.stdin.isatty():
        who = username or "the token's user"
        return str(typer.prompt(f"exoderm password of {who} (to sign)", hide_input=True))
    return None


def _signer(user: str | None, token: str | None) -> Signer:
    """Re-authenticate the signer before anything is written."""
    if token is None and not user:
        raise SignatureCredentialsMissing(
            "signing needs an exoderm login, not the operating-system user: pass --user NAME "
            "(password from the prompt or EXODERM_PASSWORD) or --token TOKEN (or "
            "EXODERM_TOKEN) with the account's password; nothing was signed"
        )
    return authenticate_signer(
        STATE.database(), username=user, token=token, password=_password(user)
    )


@app.command("coa")
def coa_cmd(
    lot: Annotated[str, typer.Argument(help="Lot number.")],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML here.")] = None,
    json_file: Annotated[
        Path | None,
        typer.Option("--json", help="Write the signed content (JSON, checkable) here."),
    ] = None,
    sign: Annotated[
        bool,
        typer.Option("--sign", help="Sign a new version electronically (needs --user or --token)."),
    ] = False,
    draft: Annotated[
        bool, typer.Option("--draft", help="Preview only; nothing is signed.")
    ] = False,
    version: Annotated[
        int | None,
        typer.Option("--version", help="Export a stored signed version."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="EXODERM_USER",
            help="exoderm username of the signer (password: prompt or EXODERM_PASSWORD).",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="EXODERM_TOKEN",
            help="API token of the signer (the account's password is asked for too).",
        ),
    ] = None,
    meaning: Annotated[
        Meaning,
        typer.Option("--meaning", help="What the signature means."),
    ] = Meaning.approved,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why a new version corrects the previous one.")
    ] = None,
    spec: SpecOption = None,
    spec_file: SpecFileOption = None,
) -> None:
    """Sign (--sign), preview (--draft) or export (--version N) a certificate of analysis."""
    if sum((sign, draft, version is not None)) != 1:
        raise UserInputError(
            "choose one of --sign (sign a new version), --draft (preview) or --version N "
            "(export a signed version)",
            field="coa",
            expected="exactly one of --sign, --draft, --version",
        )
    db, me, sheet = STATE.database(), local_operator(), _sheet(spec_file)
    if draft:
        with db.reader() as session:
            preview = qc.draft_certificate(session, me, lot, spec=spec, spec_sheet=sheet)
        html_text, pdf_bytes, decision = preview.html, preview.pdf, preview.decision
        number, signed, meant = 0, "not signed (draft)", None
    else:
        signer = _signer(user, token) if sign else None
        with db.transaction() as session:
            if signer is not None:
                new = qc.sign_certificate(
                    session,
                    signer,
                    lot,
                    meaning=meaning,
                    spec=spec,
                    spec_sheet=sheet,
                    reason=reason,
                    second_person=get_settings().release_needs_review,
                )
                version = new.version
            cert = qc.get_certificate(session, signer.actor if signer else me, lot, version)
        html_text, pdf_bytes, decision, number = cert.html, cert.pdf, cert.decision, cert.version
        signed = f"{cert.signer_name or cert.signed_by} at {signed_at_text(cert.signed_at)}"
        meant = cert.meaning
        if json_file is not None:
            json_file.write_text(json.dumps(cert.content, indent=2, ensure_ascii=False), "utf-8")
            info(f"wrote {json_file}")
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
            "meaning": meant,
            "pdf": str(pdf) if pdf else None,
            "html": str(html) if html else None,
        }
    )


@app.command("coa-key")
def coa_key_cmd() -> None:
    """Print the public key that checks this installation's certificates (give it to
    recipients)."""
    key = qc.certificate_key(local_operator())
    emit_object({"algorithm": key.algorithm, "key_id": key.key_id})
    typer.echo(key.public_key_pem, nl=False)


def read_json_object(path: Path) -> dict[str, object]:
    """A JSON object from ``path``, or a clear error naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserInputError("not UTF-8 text", file=path, expected="a JSON file") from exc
    except OSError as exc:
        raise UserInputError(f"cannot read it ({exc.strerror})", file=path) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(
            f"not valid JSON ({exc.msg})", file=path, line=exc.lineno, expected="a JSON object"
        ) from exc
    if not isinstance(data, dict):
        raise UserInputError("not a JSON object", file=path, expected="a JSON object")
    return data


@app.command("coa-verify")
def coa_verify_cmd(
    file: Annotated[Path, typer.Argument(help="A certificate exported with 'qc coa --json'.")],
    public_key: Annotated[
        Path, typer.Option("--public-key", help="The issuer's public key (PEM, from 'qc coa-key').")
    ],
) -> None:
    """Check a certificate's digital signature; exit 7 when it does not hold."""
    content = read_json_object(file)
    pem = public_key.read_text(encoding="utf-8")
    found = qc.verify_certificate(local_operator(), content=content, public_key_pem=pem)
    emit_object(found.model_dump(), title="certificate")
    if not found.valid:
        info(f"[red]not valid:[/] {found.reason}")
        raise typer.Exit(7)


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
        charts = qc.lot_trends(session, local_operator(), product, baseline=baseline)
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
        typer.Argument(help="Packaged sheet: id or id@version (default: the packaged default)."),
    ] = None,
    spec_file: SpecFileOption = None,
) -> None:
    """Every criterion of a spec sheet (packaged, or your own with --spec-file)."""
    spec = load_spec_file(spec_file) if spec_file is not None else load_spec(ref)
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
