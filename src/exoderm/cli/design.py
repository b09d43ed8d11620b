"""``exoderm design``: formulate, browse and extend the catalogue, check claims.

Options are parsed here; everything else is ``exoderm.design.service``. Results print with
``emit_rows``/``emit_object`` so ``--format table|json|csv`` and ``--quiet`` work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from exoderm.accounts.actor import local_operator
from exoderm.cli.output import NOT_COMPLIANT_EXIT, emit_object, emit_rows, info
from exoderm.cli.state import STATE
from exoderm.design import (
    EVIDENCE_LEVELS,
    FormulationRequest,
    Kind,
    Market,
    Origin,
    ProductClass,
    SheetFormat,
    read_ingredient_file,
    service,
)
from exoderm.design.claims import REPORT_FORMATS, ClaimVerdictRead, read_label_file
from exoderm.design.formula_file import read_formula
from exoderm.design.formulation import Formulation
from exoderm.design.raw_materials import read_raw_materials
from exoderm.errors import UserInputError
from exoderm.storage.paging import FIRST_PAGE

app = typer.Typer(
    help="Design: target-designed formulations, the ingredient catalogue, compliant claims.",
    no_args_is_help=True,
)
catalogue_app = typer.Typer(
    help="The ingredient catalogue: list, show, import.", no_args_is_help=True
)
claims_app = typer.Typer(help="Check product claims against market rules.", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(claims_app, name="claims")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="design")


def _targets(values: list[str]) -> dict[str, float]:
    """``--target collagen`` or ``--target collagen=2`` (weight, default 1)."""
    out: dict[str, float] = {}
    for raw in values:
        name, _, weight = raw.partition("=")
        try:
            out[name.strip()] = out.get(name.strip(), 0.0) + (float(weight) if weight else 1.0)
        except ValueError:
            raise UserInputError(
                f"bad target weight in {raw!r}", field="--target", expected="NAME or NAME=WEIGHT"
            ) from None
    return out


@app.command("formulate")
def formulate_cmd(
    target: Annotated[
        list[str], typer.Option("--target", "-t", help="Target (id or alias), optionally =WEIGHT.")
    ],
    market: Annotated[str, typer.Option(help=", ".join(m.value for m in Market) + ".")] = "EU",
    product_class: Annotated[
        str, typer.Option("--class", help="cosmetic, medical-device or drug.")
    ] = "cosmetic",
    route: Annotated[
        str | None,
        typer.Option(
            help="leave-on (default), rinse-off, post-procedure-topical, intradermal-injection."
        ),
    ] = None,
    vehicle: Annotated[str | None, typer.Option(help="Vehicle key, e.g. serum.")] = None,
    product_type: Annotated[
        str | None,
        typer.Option(help="Product type, e.g. ow-emulsion (see 'design product-types')."),
    ] = None,
    raw_materials: Annotated[
        Path | None,
        typer.Option(help="Your raw-material list (CSV/XLSX): build and price from it."),
    ] = None,
    plant_only: Annotated[
        bool, typer.Option("--plant-only", help="Plant EV sources only.")
    ] = False,
    no_human: Annotated[
        bool, typer.Option("--no-human", help="No human-derived material.")
    ] = False,
    vegan: Annotated[bool, typer.Option("--vegan", help="Vegan ingredients only.")] = False,
    exclude: Annotated[list[str] | None, typer.Option(help="Ingredient key to exclude.")] = None,
    allergen: Annotated[list[str] | None, typer.Option(help="Allergen to avoid.")] = None,
    max_actives: Annotated[int, typer.Option(help="Most EV sources + co-actives.")] = 4,
    budget_tier: Annotated[int | None, typer.Option(help="Highest cost tier (1-3).")] = None,
    ph: Annotated[float | None, typer.Option(help="Target product pH.")] = None,
    require: Annotated[list[str] | None, typer.Option(help="Ingredient key to include.")] = None,
    top: Annotated[int, typer.Option(help="Optimum plus alternatives to return.")] = 1,
    allow_uncovered: Annotated[
        bool,
        typer.Option(
            "--allow-uncovered",
            help="Accept a formula that leaves a requested target without evidence.",
        ),
    ] = False,
    min_coverage: Annotated[
        float,
        typer.Option(help="Evidence score an ingredient must exceed to cover a target."),
    ] = 0.0,
    sheet: Annotated[
        str | None, typer.Option(help="Print or write the formulation sheet: markdown, html, json.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write sheets here (rank is added for alternatives).")
    ] = None,
    no_kb: Annotated[
        bool, typer.Option("--no-kb", help="Score evidence from the catalogue only.")
    ] = False,
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate", help="With --sheet: add the simulator's expected effects (model)."
        ),
    ] = False,
) -> None:
    """Propose the best evidence-backed formulation (exact MILP) and alternatives."""
    raw: dict[str, Any] = {
        "targets": _targets(target),
        "market": market,
        "product_class": product_class,
        "route": route,
        "vehicle": vehicle,
        "product_type": product_type,
        "plant_only": plant_only,
        "no_human": no_human,
        "vegan": vegan,
        "exclude": exclude or [],
        "allergens": allergen or [],
        "max_actives": max_actives,
        "budget_tier": budget_tier,
        "ph": ph,
        "required": require or [],
        "top": top,
        "cover_every_target": not allow_uncovered,
        "min_coverage": min_coverage,
    }
    defaults = {
        "market": "EU",
        "product_class": "cosmetic",
        "max_actives": 4,
        "cover_every_target": True,
        "min_coverage": 0.0,
    }
    given = {k: v for k, v in raw.items() if v is not None and defaults.get(k) != v}
    request = FormulationRequest.parse(given, source="formulate options")
    materials = read_raw_materials(raw_materials) if raw_materials is not None else None
    with STATE.database().reader() as session:
        result = service.formulate(
            session,
            local_operator(),
            request,
            use_knowledge_base=not no_kb,
            raw_materials=materials,
        )
    rows = [
        {
            "rank": f.rank,
            "objective": round(f.objective, 4),
            "proven_optimal": f.proven_optimal,
            "actives": [ln.key for ln in f.actives],
            "vehicle": next((ln.key for ln in f.lines if ln.kind == "vehicle"), None),
            "application": [p.key for p in f.procedures],
            "coverage": ", ".join(f"{t.target} {t.utility:.3g}" for t in f.targets),
            "product_type": f.structure.product_type if f.structure else None,
            "cost_per_kg": _cost(f),
        }
        for f in result.all
    ]
    if sheet is None:
        emit_rows(rows, list(rows[0].keys()), title="formulations")
        for warning in result.best.warnings:
            info(f"[yellow]warning:[/] {escape(warning)}")
        info(
            f"evidence from the {result.best.evidence_provider}; "
            "add --sheet markdown|html|json for the full formulation sheet"
        )
        return
    fmt = _sheet_format(sheet)
    for f in result.all:
        text = service.render_formulation(f, fmt, simulate=simulate)
        if output is None:
            typer.echo(text)
            continue
        path = output if f.rank == 1 else output.with_name(f"{output.stem}-{f.rank}{output.suffix}")
        path.write_text(text, encoding="utf-8")
        info(f"wrote {path}")


def _cost(f: Formulation) -> str | None:
    s = f.structure
    if s is None or s.cost_per_kg is None:
        return None
    return f"{s.cost_per_kg:.2f} {s.currency}/kg"


@app.command("product-types")
def product_types_cmd() -> None:
    """The product types a formula can be built as: phases, temperatures, slots."""
    rows = [
        {
            "id": s.id,
            "label": s.label,
            "vehicle": ", ".join(s.vehicles),
            "phases": " > ".join(f"{p.id} {p.name} {p.temperature_c:g} °C" for p in s.phases),
            "slots": ", ".join(slot.function.value for slot in s.slots),
            "preserved": s.preserved,
            "sterile": s.sterile,
        }
        for s in service.product_types(local_operator())
    ]
    emit_rows(rows, list(rows[0].keys()), title="product types")


@app.command("check")
def check_cmd(
    formula: Annotated[Path, typer.Argument(help="Formula (CSV/XLSX: ingredient, percent).")],
    market: Annotated[str, typer.Option(help=", ".join(m.value for m in Market) + ".")] = "EU",
    route: Annotated[str, typer.Option(help="leave-on or rinse-off.")] = "leave-on",
    raw_materials: Annotated[
        Path | None, typer.Option(help="Raw-material list the formula's trade names come from.")
    ] = None,
) -> None:
    """Check an existing formula: prohibitions, annex limits, pH clashes, incompatible
    pairs. Exits 7 when any rule is broken (not compliant), 0 when none is."""
    where = _market(market)
    if route not in ("leave-on", "rinse-off"):
        raise UserInputError(
            f"unknown route {route!r}", field="--route", expected="leave-on or rinse-off"
        )
    materials = read_raw_materials(raw_materials) if raw_materials is not None else None
    parsed = read_formula(formula, raw_materials=materials)
    check = service.check_formula(
        local_operator(),
        parsed,
        market=where,
        route="rinse-off" if route == "rinse-off" else "leave-on",
    )
    rows = [
        {
            "severity": f.severity.value,
            "kind": f.kind.value,
            "ingredients": ", ".join(f.ingredients),
            "finding": f.message,
            "rule": f.rule,
        }
        for f in check.findings
    ]
    if rows:
        emit_rows(rows, list(rows[0].keys()), title=f"{formula.name}: {len(rows)} finding(s)")
    for note in check.notes:
        info(f"note: {escape(note)}")
    verdict = "passes every rule checked" if check.passed else f"{len(check.errors)} rule(s) broken"
    info(f"{formula.name} ({check.market}, {check.route}, {check.total_percent:g} %): {verdict}")
    if not check.passed:
        raise typer.Exit(NOT_COMPLIANT_EXIT)


@app.command("improve")
def improve_cmd(
    formula: Annotated[Path, typer.Argument(help="Existing formula (CSV/XLSX).")],
    target: Annotated[
        list[str], typer.Option("--target", "-t", help="Target (id or alias), optionally =WEIGHT.")
    ],
    max_changes: Annotated[
        int, typer.Option("--max-changes", "-k", min=0, help="Most actives added or removed.")
    ] = 1,
    market: Annotated[str, typer.Option(help=", ".join(m.value for m in Market) + ".")] = "EU",
    product_class: Annotated[
        str, typer.Option("--class", help="cosmetic, medical-device or drug.")
    ] = "cosmetic",
    product_type: Annotated[
        str | None, typer.Option(help="Product type, e.g. aqueous-serum.")
    ] = None,
    raw_materials: Annotated[
        Path | None, typer.Option(help="Raw-material list (CSV/XLSX) the formula uses.")
    ] = None,
    no_kb: Annotated[
        bool, typer.Option("--no-kb", help="Score evidence from the catalogue only.")
    ] = False,
) -> None:
    """Improve an existing formula for the targets, changing at most K actives."""
    raw: dict[str, Any] = {
        "targets": _targets(target),
        "market": market,
        "product_class": product_class,
        "product_type": product_type,
        "min_ev_sources": 0,
    }
    request = FormulationRequest.parse(
        {k: v for k, v in raw.items() if v is not None}, source="improve options"
    )
    materials = read_raw_materials(raw_materials) if raw_materials is not None else None
    parsed = read_formula(formula, raw_materials=materials)
    with STATE.database().reader() as session:
        out = service.improve_formula(
            session,
            local_operator(),
            parsed,
            request,
            max_changes=max_changes,
            use_knowledge_base=not no_kb,
            raw_materials=materials,
        )
    emit_object(
        {
            "formula": formula.name,
            "rule findings": len(out.check.findings),
            "recognised actives": out.recognised,
            "max changes": out.max_changes,
            "kept": out.kept,
            "added": out.added,
            "removed": out.removed,
            "coverage before": ", ".join(f"{k} {v:.3g}" for k, v in out.before.items()),
            "coverage after": ", ".join(f"{k} {v:.3g}" for k, v in out.after.items()),
            "inci list": ", ".join(out.result.best.inci_list),
        }
    )
    for f in out.check.findings:
        info(f"[yellow]existing formula:[/] {escape(f.message)} ({escape(f.rule)})")


def _market(value: str) -> Market:
    try:
        return Market(value.strip().upper())
    except ValueError:
        raise UserInputError(
            f"unknown market {value!r}",
            field="--market",
            expected=", ".join(m.value for m in Market),
        ) from None


def _sheet_format(value: str) -> SheetFormat:
    lowered = value.lower()
    if lowered == "md":
        lowered = "markdown"
    if lowered not in ("markdown", "html", "json"):
        raise UserInputError(
            f"unknown sheet format {value!r}", field="--sheet", expected="markdown, html or json"
        )
    return lowered  # type: ignore[return-value]


@app.command("targets")
def targets_cmd() -> None:
    """List the targets a formulation can be designed for."""
    with STATE.database().reader() as session:
        found = service.targets(session, local_operator())
    emit_rows(
        [
            {
                "id": t.id,
                "label": t.label,
                "aliases": t.aliases,
                "kg_node": t.kg_node,
                "disease": t.is_disease,
            }
            for t in found
        ],
        ["id", "label", "aliases", "kg_node", "disease"],
        title="targets",
    )


@catalogue_app.command("list")
def catalogue_list(
    kind: Annotated[
        str | None, typer.Option(help="ev_source, co_active, vehicle, delivery.")
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="plant, human, animal, microbial, synthetic.")
    ] = None,
    market: Annotated[str | None, typer.Option(help="Show the status in this market.")] = None,
    product_class: Annotated[str, typer.Option("--class")] = "cosmetic",
) -> None:
    """List catalogue ingredients (packaged and imported)."""
    if kind is not None and kind not in {k.value for k in Kind}:
        raise UserInputError(
            f"unknown kind {kind!r}", field="--kind", expected=", ".join(k.value for k in Kind)
        )
    if origin is not None and origin not in {o.value for o in Origin}:
        raise UserInputError(
            f"unknown origin {origin!r}",
            field="--origin",
            expected=", ".join(o.value for o in Origin),
        )
    cls = _product_class(product_class)
    with STATE.database().reader() as session:
        found = service.catalogue(
            session,
            local_operator(),
            kind=Kind(kind) if kind else None,
            origin=Origin(origin) if origin else None,
            market=Market.parse(market, field="--market") if market else None,
            product_class=cls,
            page=FIRST_PAGE,
        )
    rows = []
    for item in found.items:
        row: dict[str, Any] = {
            "key": item.key,
            "inci": item.inci or item.name,
            "kind": item.kind,
            "origin": item.origin,
            "vegan": item.vegan,
            "cost_tier": item.cost_tier,
            "targets": item.targets,
            "source": item.source,
        }
        if market:
            row["status"] = item.status
        rows.append(row)
    columns = ["key", "inci", "kind", "origin", "vegan", "cost_tier", "targets", "source"]
    emit_rows(rows, [*columns, "status"] if market else columns, title="catalogue")


def _product_class(value: str) -> ProductClass:
    try:
        return ProductClass(value)
    except ValueError:
        raise UserInputError(
            f"unknown product class {value!r}",
            field="--class",
            expected=", ".join(c.value for c in ProductClass),
        ) from None


@catalogue_app.command("show")
def catalogue_show(key: Annotated[str, typer.Argument(help="Ingredient key.")]) -> None:
    """Show one ingredient with its evidence and its status in every market and class."""
    with STATE.database().reader() as session:
        item = service.ingredient(session, local_operator(), key)
    data = item.model_dump(mode="json", exclude={"effects", "regulatory"})
    data["effects"] = [
        f"{e.target}: " + "; ".join(f"[{i.design.value}] {i.citation}" for i in e.evidence)
        for e in item.effects
    ]
    data["regulatory_status"] = [
        f"{r.market} {r.product_class}: {r.status} - {r.basis}"
        for r in service.regulatory_statuses(item)
    ]
    emit_object(data, title=item.name)


@catalogue_app.command("import")
def catalogue_import(
    file: Annotated[Path, typer.Argument(help="YAML or JSON file with 'ingredients: [...]'.")],
) -> None:
    """Validate a file of ingredients and add them to the catalogue (all or nothing)."""
    ingredients = read_ingredient_file(file)
    with STATE.database().transaction() as session:
        outcome = service.import_ingredients(
            session, local_operator(), ingredients, source=str(file)
        )
    emit_rows([{"key": k, "outcome": v} for k, v in outcome.items()], ["key", "outcome"])
    info(f"imported {len(outcome)} ingredient(s) from {file}")


@claims_app.command("check")
def claims_check(
    text: Annotated[
        str | None, typer.Argument(help="The claim, in quotes (or use --file for a label).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A whole label or product page (UTF-8 text)."),
    ] = None,
    market: Annotated[
        list[str] | None,
        typer.Option(help="Market code, repeatable: " + ", ".join(Market) + " (default EU)."),
    ] = None,
    product_class: Annotated[str, typer.Option("--class")] = "cosmetic",
    evidence: Annotated[
        str | None,
        typer.Option(help="Best substantiation held: " + ", ".join(EVIDENCE_LEVELS) + "."),
    ] = None,
    cite: Annotated[
        list[str] | None,
        typer.Option(
            "--cite",
            help="Evidence behind the claim, repeatable: an evidence-claim id, doi:... or "
            "pmid:..., resolved in the evidence graph (its level replaces --evidence).",
        ),
    ] = None,
    inci: Annotated[
        str | None,
        typer.Option(help="The INCI list (comma-separated) for the identity rules."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write the check for a regulatory file here (.pdf or .html)."
        ),
    ] = None,
    title: Annotated[str, typer.Option(help="The report's title.")] = "",
) -> None:
    """Check a claim or a whole label per market. Exits 3 when anything is rejected (not
    compliant: a verdict, not an error), 0 when everything is accepted."""
    fmt = report.suffix.lower().lstrip(".") if report is not None else ""
    if report is not None and fmt not in REPORT_FORMATS:
        raise UserInputError(
            f"{report}: unknown report format {report.suffix or '(no suffix)'}",
            field="--report",
            expected="a file name ending .pdf or .html",
        )
    markets = [Market.parse(m, field="--market") for m in (market or ["EU"])]
    if (text is None) == (file is None):
        raise UserInputError(
            "give either a claim or --file", field="text", expected="a claim or --file label.txt"
        )
    single = file is None and len(markets) == 1 and inci is None and report is None
    cites = list(cite or [])
    with STATE.database().reader() as session:
        if single:
            assert text is not None
            verdict = service.check_claim(
                session,
                local_operator(),
                text,
                market=markets[0],
                product_class=_product_class(product_class),
                evidence_level=evidence,
                cites=cites,
            )
        else:
            body = read_label_file(file) if file is not None else str(text)
            dossier = service.label_report(
                session,
                local_operator(),
                body,
                markets=markets,
                product_class=_product_class(product_class),
                inci=inci,
                title=title,
                cites=cites,
            )
    if not single and report is not None:
        report.write_bytes(service.render_label_report(dossier, fmt))
    if single:
        emit_object(_verdict_fields(verdict), title="claim")
        if not verdict.accepted:
            raise typer.Exit(NOT_COMPLIANT_EXIT)
        return
    checked = dossier.report
    rows: list[dict[str, Any]] = [
        {
            "n": s.index,
            "text": v.text,
            "market": v.market,
            "accepted": v.accepted,
            "rule_id": v.rule_id or "",
            "rule": v.rule,
            "rewording": v.rewording or "",
            "evidence": _evidence_cell(v),
        }
        for s in checked.sentences
        for v in s.verdicts
    ]
    rows += [
        {
            "n": "INCI",
            "text": f.item,
            "market": f.market,
            "accepted": f.accepted,
            "rule_id": f"identity-{f.origin}",
            "rule": f.rule,
            "rewording": f.rewording or "",
        }
        for f in checked.identity
    ]
    columns = ["n", "text", "market", "accepted", "rule_id", "rule", "rewording"]
    emit_rows(rows, columns + (["evidence"] if cites else []))
    info(
        f"{len(checked.sentences)} sentence(s) × {len(checked.markets)} market(s): "
        f"{checked.rejected_sentences} sentence(s) rejected somewhere"
    )
    if report is not None:
        info(f"wrote {report}")
    if not checked.accepted:
        raise typer.Exit(NOT_COMPLIANT_EXIT)


def _verdict_fields(verdict: ClaimVerdictRead) -> dict[str, str | bool | None]:
    """The verdict's sheet fields, then (with cited evidence) each cited item's finding
    and the six common criteria of Reg. (EU) 655/2013 as ``criterion: ...`` fields."""
    data = verdict.as_dict()
    check = verdict.substantiation_check
    if check is None:
        return data
    data["required_level"] = check.required_level
    data["best_level"] = f"{check.best_level} (resolved from the evidence graph)"
    data["meets_required_level"] = check.meets
    for item in check.items:
        data[f"cite {item.cite}"] = f"{item.finding}; level {item.level}"
    for row in check.criteria:
        data[f"criterion: {row.criterion}"] = f"{row.status.replace('_', ' ')}: {row.why}"
    return data


def _evidence_cell(verdict: ClaimVerdictRead) -> str:
    check = verdict.substantiation_check
    if check is None:
        return ""
    outcome = "meets" if check.meets else "below"
    return f"{check.best_level} ({outcome} {check.required_level})"


ingredient_app = typer.Typer(
    help="Any INCI name of the EU CosIng inventory (30,070 names).", no_args_is_help=True
)
app.add_typer(ingredient_app, name="ingredient")


@ingredient_app.command("show")
def ingredient_show(
    name: Annotated[str, typer.Argument(help="An INCI name, in any case and spacing.")],
) -> None:
    """CAS and EC numbers, CosIng functions and every annex restriction, per market."""
    entry = service.inventory_entry(local_operator(), name)
    data = entry.model_dump(mode="json", exclude={"restrictions", "not_covered"})
    data["restrictions"] = [
        f"Annex {r.annex} entry {r.entry} ({r.chemical_name[:70]})"
        + (f": {r.wording}" if r.wording else "")
        + (f"; product types: {r.product_types}" if r.product_types else "")
        + f" — applies in {', '.join(m.value for m in r.markets)}"
        for r in entry.restrictions
    ] or ["none listed in Annexes II–VI (EU, UK)"]
    data["not_covered"] = (
        "no offline annex register for "
        + ", ".join(m.value for m in entry.not_covered)
        + ": check that market's law"
    )
    emit_object(data, title=entry.inci_name)


@app.command("stats")
def stats() -> None:
    """How many INCI names the inventory holds, and how many catalogue ingredients."""
    with STATE.database().reader() as session:
        page = service.catalogue(session, local_operator(), page=FIRST_PAGE)
    inv = service.inventory_stats(local_operator())
    emit_object(
        {
            "inventory_entries": inv.entries,
            "inventory_with_cas": inv.with_cas,
            "inventory_with_annex_reference": inv.with_annex_reference,
            "cosing_functions": inv.functions,
            "catalogue_ingredients": page.total,
            "source": inv.source,
        },
        title="design data",
    )
