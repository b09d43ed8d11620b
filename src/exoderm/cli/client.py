"""``exoderm client``: client records, assessments, screening, regimens, outcomes, privacy.

Each command parses options, calls :mod:`exoderm.clients.service` inside one transaction
and prints with :mod:`exoderm.cli.output`. The CLI acts as the local operator.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from exoderm import clients as lib
from exoderm.accounts.actor import local_operator
from exoderm.accounts.users import get_organisation, list_organisations
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE, OutputFormat
from exoderm.clients import service
from exoderm.clients.calendar import invitation_reminders
from exoderm.clients.clinician_report import clinician_report_pdf
from exoderm.clients.handout import expected_sentences
from exoderm.clients.invitations import InvitationRequest, Verifier, link_qr_svg
from exoderm.clients.photos import PhotoQuota, PhotoView
from exoderm.clients.treatments import ExposureKind, Route, TreatmentInput
from exoderm.errors import UserInputError, read_yaml_mapping
from exoderm.markets import Market
from exoderm.settings import get_settings

app = typer.Typer(
    help="Clients: profiles, instruments, screening, regimens, outcomes, export and erase.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="client")


def _read_mapping(path: Path) -> dict[str, Any]:
    """A YAML or JSON file holding one mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=path) from None
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"not UTF-8 text (byte {exc.start})", file=path, expected="a UTF-8 YAML or JSON file"
        ) from None
    return dict(read_yaml_mapping(text, path).data)


def _key_values(items: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserInputError(f"{item!r} is not key=value", field=option, expected="key=value")
        out[key.strip()] = value.strip()
    return out


def _concern(text: str) -> dict[str, Any]:
    name, _, severity = text.partition(":")
    return {"name": name, "severity": severity or "moderate"}


def _consent(text: str) -> lib.Consent:
    topic, sep, version = text.partition(":")
    if not sep or not topic.strip() or not version.strip():
        raise UserInputError(
            f"{text!r} is not topic:version", field="--consent", expected="e.g. treatment:v1"
        )
    return lib.Consent(topic=topic.strip(), version=version.strip())


def _organisation_id(session: Any, ref: str | None) -> int:
    if ref is not None:
        return get_organisation(session, ref).id
    orgs = list_organisations(session)
    if len(orgs) == 1:
        return orgs[0].id
    raise UserInputError(
        "which organisation does the client belong to?"
        if orgs
        else "no organisation exists yet; create one with 'exoderm user org add NAME'",
        field="--org",
        expected="an organisation id or name",
    )


def _apply_profile_options(
    data: dict[str, Any],
    *,
    phototype: int | None,
    glogau: int | None,
    skin_type: str | None,
    market: Market | None,
    concern: list[str],
    allergy: list[str],
    medication: list[str],
    condition: list[str],
    history: list[str],
    isotretinoin: str | None,
    pregnant: bool | None,
    breastfeeding: bool | None,
) -> None:
    """Lay the profile options of ``client add`` / ``client update`` over ``data``.

    Scalars replace, lists and history flags are added to; the result is validated once,
    by :func:`exoderm.clients.parse_profile`, with the rest of the profile.
    """
    if phototype is not None:
        data["fitzpatrick"] = {**data.get("fitzpatrick", {}), "phototype": phototype}
    for key, value in (("glogau", glogau), ("skin_type", skin_type)):
        if value is not None:
            data[key] = value
    if market is not None:
        data["market"] = market.value
    data["concerns"] = [*data.get("concerns", []), *(_concern(c) for c in concern)]
    data["allergies"] = [*data.get("allergies", []), *allergy]
    data["medications"] = [*data.get("medications", []), *medication]
    data["conditions"] = [*data.get("conditions", []), *condition]
    hist = dict(data.get("history", {}))
    hist.update({flag: True for flag in history})
    if isotretinoin is not None:
        hist["isotretinoin"] = isotretinoin
    data["history"] = hist
    for key, flag in (("pregnant", pregnant), ("breastfeeding", breastfeeding)):
        if flag is not None:
            data[key] = flag


@app.command("add")
def add(
    name: Annotated[str, typer.Option(help="Full name (stored encrypted).")],
    org: Annotated[str | None, typer.Option("--org", help="Organisation id or name.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail (encrypted).")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone (encrypted).")] = None,
    address: Annotated[str | None, typer.Option(help="Postal address (encrypted).")] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth YYYY-MM-DD (encrypted).")] = None,
    profile_file: Annotated[
        Path | None, typer.Option("--profile", help="YAML/JSON file with the clinical profile.")
    ] = None,
    phototype: Annotated[int | None, typer.Option(help="Fitzpatrick phototype 1–6.")] = None,
    glogau: Annotated[int | None, typer.Option(help="Glogau type 1–4.")] = None,
    skin_type: Annotated[str | None, typer.Option(help="normal, dry, oily, combination.")] = None,
    concern: Annotated[
        list[str], typer.Option(help="Concern[:severity], e.g. 'acne scars:moderate'.")
    ] = [],  # noqa: B006
    allergy: Annotated[list[str], typer.Option(help="Allergen (repeatable).")] = [],  # noqa: B006
    medication: Annotated[list[str], typer.Option(help="Medication (repeatable).")] = [],  # noqa: B006
    condition: Annotated[list[str], typer.Option(help="Condition (repeatable).")] = [],  # noqa: B006
    history: Annotated[
        list[str], typer.Option(help="History flag, e.g. keloid_tendency (repeatable).")
    ] = [],  # noqa: B006
    isotretinoin: Annotated[
        str | None,
        typer.Option(help="never, current, stopped_within_6_months, stopped_over_6_months."),
    ] = None,
    pregnant: Annotated[bool, typer.Option(help="Pregnant.")] = False,
    breastfeeding: Annotated[bool, typer.Option(help="Breast-feeding.")] = False,
    market: Annotated[
        Market | None,
        typer.Option(case_sensitive=False, help="Market of supply (any case)."),
    ] = None,
    consent: Annotated[
        list[str], typer.Option(help="Consent topic:version, e.g. treatment:v1 (repeatable).")
    ] = [],  # noqa: B006
) -> None:
    """Add a client; prints the pseudonym to use from now on."""
    data: dict[str, Any] = _read_mapping(profile_file) if profile_file else {}
    _apply_profile_options(
        data,
        phototype=phototype,
        glogau=glogau,
        skin_type=skin_type,
        market=market,
        concern=concern,
        allergy=allergy,
        medication=medication,
        condition=condition,
        history=history,
        isotretinoin=isotretinoin,
        pregnant=pregnant or None,
        breastfeeding=breastfeeding or None,
    )
    data.setdefault("pregnant", False)
    data.setdefault("breastfeeding", False)
    source = str(profile_file) if profile_file else "options"
    profile = lib.parse_profile(data, source=source)
    personal = lib.parse_personal(
        {"name": name, "email": email, "phone": phone, "address": address, "date_of_birth": dob},
        source="options",
    )
    with STATE.database().transaction() as session:
        view = service.add_client(
            session,
            local_operator(),
            personal=personal,
            profile=profile,
            organisation_id=_organisation_id(session, org),
            consents=[_consent(c) for c in consent],
        )
    emit_object({"pseudonym": view.pseudonym, "organisation_id": view.organisation_id})
    info(f"client {view.pseudonym} added")


@app.command("show")
def show(pseudonym: str) -> None:
    """Show one client (personal data only for roles allowed to see it)."""
    with STATE.database().transaction() as session:
        view = service.get_client(session, local_operator(), pseudonym)
    emit_object(view.summary(), title=view.pseudonym)


@app.command("update")
def update(
    pseudonym: str,
    profile_file: Annotated[
        Path | None,
        typer.Option("--profile", help="YAML/JSON file with a whole new clinical profile."),
    ] = None,
    phototype: Annotated[int | None, typer.Option(help="Fitzpatrick phototype 1–6.")] = None,
    glogau: Annotated[int | None, typer.Option(help="Glogau type 1–4.")] = None,
    skin_type: Annotated[str | None, typer.Option(help="normal, dry, oily, combination.")] = None,
    concern: Annotated[list[str], typer.Option(help="Add a concern[:severity] (repeatable).")] = [],  # noqa: B006
    allergy: Annotated[list[str], typer.Option(help="Add an allergen (repeatable).")] = [],  # noqa: B006
    medication: Annotated[list[str], typer.Option(help="Add a medication (repeatable).")] = [],  # noqa: B006
    condition: Annotated[list[str], typer.Option(help="Add a condition (repeatable).")] = [],  # noqa: B006
    history: Annotated[
        list[str], typer.Option(help="Set a history flag, e.g. keloid_tendency (repeatable).")
    ] = [],  # noqa: B006
    isotretinoin: Annotated[
        str | None,
        typer.Option(help="never, current, stopped_within_6_months, stopped_over_6_months."),
    ] = None,
    pregnant: Annotated[
        bool | None, typer.Option("--pregnant/--not-pregnant", help="Pregnancy status.")
    ] = None,
    breastfeeding: Annotated[
        bool | None,
        typer.Option("--breastfeeding/--not-breastfeeding", help="Breast-feeding status."),
    ] = None,
    market: Annotated[
        Market | None,
        typer.Option(case_sensitive=False, help="Market of supply (any case)."),
    ] = None,
) -> None:
    """Change a client's clinical profile: the options apply to the current profile, or to
    the one in --profile. The new profile is validated whole and replaces the old (audited)."""
    with STATE.database().transaction() as session:
        actor = local_operator()
        if profile_file is not None:
            data = _read_mapping(profile_file)
        else:
            data = service.get_client(session, actor, pseudonym).profile.model_dump(mode="json")
        _apply_profile_options(
            data,
            phototype=phototype,
            glogau=glogau,
            skin_type=skin_type,
            market=market,
            concern=concern,
            allergy=allergy,
            medication=medication,
            condition=condition,
            history=history,
            isotretinoin=isotretinoin,
            pregnant=pregnant,
            breastfeeding=breastfeeding,
        )
        source = str(profile_file) if profile_file else "options"
        profile = lib.parse_profile(data, source=source)
        view = service.update_profile(session, actor, pseudonym, profile=profile)
    emit_object(view.summary(), title=view.pseudonym)
    info(f"client {view.pseudonym} profile updated")


@app.command("consent")
def consent_cmd(
    pseudonym: str,
    consent: Annotated[str, typer.Argument(help="topic:version, e.g. photos:v2")],
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Record that the consent is withdrawn.")
    ] = False,
) -> None:
    """Record a consent given (or, with --withdraw, withdrawn) for a client (audited)."""
    given = _consent(consent)
    record = lib.Consent(topic=given.topic, version=given.version, given=not withdraw)
    with STATE.database().transaction() as session:
        service.add_consent(session, local_operator(), pseudonym, consent=record)
    verb = "withdrawn" if withdraw else "given"
    info(f"consent {record.topic}:{record.version} {verb} for {pseudonym}")


@app.command("list")
def list_cmd() -> None:
    """List clients (pseudonyms and concerns; no personal data)."""
    with STATE.database().transaction() as session:
        page = service.list_clients(session, local_operator())
    rows = [r.model_dump() for r in page.items]
    emit_rows(rows, ["pseudonym", "organisation_id", "phototype", "concerns", "erased", "created"])


@app.command("instruments")
def instruments() -> None:
    """List the assessment instruments, their ranges, sources and responder thresholds."""
    rows = [i.model_dump() for i in service.instruments()]
    for row in rows:
        row["items"] = row.pop("fields")
    emit_rows(rows, ["code", "name", "range", "unit", "clinician_only", "responders", "source"])


@app.command("assess")
def assess(
    pseudonym: str,
    instrument: Annotated[str, typer.Argument(help="Instrument code (see 'client instruments').")],
    item: Annotated[list[str], typer.Option("--item", "-i", help="item=value (repeatable).")] = [],  # noqa: B006
    file: Annotated[Path | None, typer.Option(help="YAML/JSON file of item: value.")] = None,
    visit_date: Annotated[str | None, typer.Option("--date", help="Visit date YYYY-MM-DD.")] = None,
) -> None:
    """Score an instrument for a client and record it."""
    inputs: dict[str, Any] = _read_mapping(file) if file else {}
    inputs.update(_key_values(item, "--item"))
    day = _date(visit_date, "--date")
    with STATE.database().transaction() as session:
        a = service.record_assessment(
            session,
            local_operator(),
            pseudonym,
            instrument=instrument,
            inputs=inputs,
            visit_date=day,
        )
    emit_object({**a.row(), "components": a.components})


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserInputError(
            f"{value!r} is not a date", field=option, expected="YYYY-MM-DD"
        ) from None


@app.command("screen")
def screen_cmd(pseudonym: str) -> None:
    """Contraindication screening: blocked options and warnings, each with its rule."""
    with STATE.database().transaction() as session:
        result = service.screen_client(session, local_operator(), pseudonym)
    emit_rows(
        result.grouped_rows(),
        ["status", "option", "kind", "rule", "action", "severity", "reason", "source"],
    )
    review = set(result.review_procedures)
    plain = [p for p in result.allowed_procedures if p not in review]
    info(f"allowed procedures: {', '.join(plain) or 'none'}")
    if review:
        info(f"only after physician review: {', '.join(result.review_procedures)}")


@app.command("regimen")
def regimen_cmd(
    pseudonym: str,
    start: Annotated[
        str | None, typer.Option(help="Start date YYYY-MM-DD (default today).")
    ] = None,
    ics: Annotated[Path | None, typer.Option(help="Write the calendar (.ics) here.")] = None,
    clinic_ics: Annotated[
        Path | None,
        typer.Option(help="Write the clinic's reminders to send questionnaire links (.ics)."),
    ] = None,
    html: Annotated[Path | None, typer.Option(help="Write the client handout (HTML) here.")] = None,
    pdf: Annotated[Path | None, typer.Option(help="Write the client handout (PDF) here.")] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write the clinician report (PDF: rules, sources, settings) here."),
    ] = None,
    simulate: Annotated[
        bool,
        typer.Option("--simulate", help="Add the simulator's expected outcome (model prediction)."),
    ] = False,
) -> None:
    """Build and store a regimen; optionally write .ics, the handout and the clinician report.

    With ``--simulate`` the terminal shows the same model-estimate sentences as the handout.
    """
    with STATE.database().transaction() as session:
        actor = local_operator()
        regimen = service.create_regimen(
            session, actor, pseudonym, start=_date(start, "--start"), simulate=simulate
        )
        name = None
        if html or pdf:
            view = service.get_client(session, actor, pseudonym)
            name = view.personal.name if view.personal else None
    if ics:
        ics.write_bytes(lib.regimen_calendar(regimen))
        info(f"wrote {ics}")
    if clinic_ics:
        clinic_ics.write_bytes(invitation_reminders(regimen))
        info(f"wrote {clinic_ics}")
    if html:
        html.write_text(lib.regimen_html(regimen, client_name=name), encoding="utf-8")
        info(f"wrote {html}")
    if pdf:
        pdf.write_bytes(lib.regimen_pdf(regimen, client_name=name))
        info(f"wrote {pdf}")
    if report:
        report.write_bytes(clinician_report_pdf(regimen))
        info(f"wrote {report}")
    if STATE.format is OutputFormat.json:
        emit_object(
            {**regimen.model_dump(mode="json"), "expected_sentences": expected_sentences(regimen)}
        )
        return
    emit_rows(plan_lines(regimen), ["kind", "when", "what", "why"], title=regimen.pseudonym)
    sentences = expected_sentences(regimen)
    if sentences and STATE.format is not OutputFormat.csv:
        typer.echo("\nExpected outcome (model estimate, as in the handout):")
        for sentence in sentences:
            typer.echo(sentence)


def plan_lines(regimen: lib.Regimen) -> list[dict[str, Any]]:
    """The regimen as readable lines for table and CSV output."""
    rows: list[dict[str, Any]] = [
        {
            "kind": "choice",
            "when": "",
            "what": f"{c.topic}: {c.decision}",
            "why": f"{c.reason} [rule: {c.rule}]",
        }
        for c in regimen.choices
    ]
    rows += [
        {"kind": f"home care {part.upper()}", "when": "daily", "what": "; ".join(steps), "why": ""}
        for part, steps in regimen.home_care.items()
    ]
    rows.append({"kind": "sun", "when": "daily", "what": regimen.sun_protection, "why": ""})
    rows += [
        {
            "kind": "session",
            "when": s.date.isoformat(),
            "what": f"{s.procedure_name}; product: {s.product}"
            + (f"; settings: {s.settings}" if s.settings else ""),
            "why": f"[rule: {s.rule}]",
        }
        for s in regimen.sessions
    ]
    rows += [
        {
            "kind": f"visit ({v.kind})",
            "when": v.date.isoformat(),
            "what": ", ".join(v.instruments),
            "why": "",
        }
        for v in regimen.visits
    ]
    rows += [
        {"kind": "warning", "when": "", "what": w.option, "why": f"{w.reason} [{w.rule}]"}
        for w in regimen.warnings
    ]
    rows += [
        {"kind": "blocked", "when": "", "what": b.option, "why": f"{b.reason} [{b.rule}]"}
        for b in regimen.blocked
    ]
    return rows


@app.command("outcomes")
def outcomes(
    pseudonym: str,
    plot: Annotated[Path | None, typer.Option(help="Write a plot (PNG, SVG or PDF).")] = None,
) -> None:
    """Change from baseline, percent improvement and responder status per instrument."""
    with STATE.database().transaction() as session:
        report = service.client_outcomes(session, local_operator(), pseudonym)
    emit_rows(
        report.rows(),
        [
            "instrument",
            "series",
            "visit_date",
            "value",
            "baseline",
            "change",
            "improvement_%",
            "responder",
            "note",
        ],
    )
    if plot:
        lib.plot_outcomes(report, plot)
        info(f"wrote {plot}")


@app.command("export")
def export(
    pseudonym: str,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSON file (default stdout).")
    ] = None,
) -> None:
    """Everything recorded about a client, as JSON."""
    with STATE.database().transaction() as session:
        data = service.export_client(session, local_operator(), pseudonym)
    text = json.dumps(data.model_dump(mode="json"), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        info(f"wrote {output}")
    else:
        typer.echo(text)


@app.command("erase")
def erase(
    pseudonym: str,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Delete a client's personal data; anonymised outcomes are kept."""
    if not yes:
        raise UserInputError("erasing cannot be undone", field="--yes", expected="--yes to confirm")
    db = STATE.database()
    with db.transaction() as session:
        summary = service.erase_client(
            session,
            local_operator(),
            pseudonym,
            second_person=get_settings().erasure_needs_approval,
        )
    lib.purge_freed_pages(db)
    emit_object(summary.model_dump())
    if summary.status == "requested":
        info(f"erasure of {summary.pseudonym} requested: another person must agree to it")
    else:
        info(f"client {summary.pseudonym} erased")


@app.command("invite")
def invite(
    pseudonym: str,
    instrument: Annotated[str, typer.Option(help="A patient-reported instrument, e.g. dlqi.")],
    verifier: Annotated[
        Verifier, typer.Option(help="date_of_birth, or code (hand the code over separately).")
    ] = Verifier.date_of_birth,
    days: Annotated[int, typer.Option(min=1, max=30, help="Days until the link expires.")] = 7,
    visit_date: Annotated[str | None, typer.Option("--date", help="Visit YYYY-MM-DD.")] = None,
    base_url: Annotated[
        str, typer.Option(help="Where the web app is served, for the full link.")
    ] = "http://127.0.0.1:8000",
    qr: Annotated[Path | None, typer.Option(help="Also write the link as a QR code (SVG).")] = None,
) -> None:
    """Create a single-use link for the client to fill a questionnaire from home."""
    request = InvitationRequest(
        instrument=instrument,
        verifier=verifier,
        valid_days=days,
        visit_date=_date(visit_date, "--date"),
    )
    with STATE.database().transaction() as session:
        link = service.invite_client(session, local_operator(), pseudonym, request=request)
    url = base_url.rstrip("/") + link.path
    if qr is not None:
        qr.write_text(link_qr_svg(url), encoding="utf-8")
    emit_object(
        {
            "id": link.id,
            "instrument": link.instrument_name,
            "visit_date": link.visit_date.isoformat(),
            "expires": link.expires_at.isoformat(timespec="minutes"),
            "verifier": link.verifier.value,
            "url": url,
            "code": link.code,
        }
    )
    info("the link and the code are shown only now; send the code by another channel")


@app.command("invitations")
def invitations_cmd(pseudonym: str) -> None:
    """List a client's questionnaire links and their state."""
    with STATE.database().transaction() as session:
        rows = service.list_invitations(session, local_operator(), pseudonym)
    emit_rows(
        [r.model_dump(mode="json") for r in rows],
        ["id", "instrument", "visit_date", "state", "expires_at", "failed_attempts"],
    )


@app.command("revoke-invite")
def revoke_invite(invitation_id: int) -> None:
    """Withdraw a questionnaire link before it is used."""
    with STATE.database().transaction() as session:
        row = service.revoke_invitation(session, local_operator(), invitation_id)
    info(f"link {row.id} is {row.state.value}")


@app.command("photo")
def photo_cmd(
    pseudonym: str,
    file: Annotated[Path, typer.Argument(help="A JPEG or PNG.")],
    view: Annotated[PhotoView, typer.Option(help="The standard view.")] = PhotoView.frontal,
    taken: Annotated[str | None, typer.Option("--date", help="Taken on YYYY-MM-DD.")] = None,
) -> None:
    """Add a photo (the client's photo consent must be in force); stored encrypted."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=file) from None
    with STATE.database().transaction() as session:
        card = service.add_photo(
            session,
            local_operator(),
            pseudonym,
            data=data,
            view=view,
            captured_on=_date(taken, "--date"),
            quota=PhotoQuota.from_settings(get_settings()),
        )
    emit_object(card.model_dump(mode="json"))


@app.command("photos")
def photos_cmd(pseudonym: str) -> None:
    """List a client's photos by view (baseline and latest follow-up)."""
    with STATE.database().transaction() as session:
        timeline = service.photo_timeline(session, local_operator(), pseudonym)
    emit_rows(
        [p.model_dump(mode="json") for p in timeline.photos],
        ["id", "view", "captured_on", "media_type", "width", "height"],
    )
    if not timeline.consent_in_force:
        info("photo consent is not in force: images cannot be shown or added")


@app.command("treatment")
def treatment_cmd(
    pseudonym: str,
    exposure: Annotated[str, typer.Option(help="EV source (e.g. ADSC) or formulation name.")],
    route: Annotated[Route, typer.Option(help="How it was given.")],
    concern: Annotated[str, typer.Option(help="The concern treated, e.g. wrinkles.")],
    started: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    formulation: Annotated[
        bool, typer.Option("--formulation", help="The exposure is a formulation, not a source.")
    ] = False,
) -> None:
    """Record a treatment given to a client (used for real-world evidence if opted in)."""
    start = _date(started, "--started") or date.today()
    given = TreatmentInput(
        exposure=exposure,
        exposure_kind=ExposureKind.formulation if formulation else ExposureKind.ev_source,
        route=route,
        concern=concern,
        started_on=start,
    )
    with STATE.database().transaction() as session:
        row = service.record_treatment(session, local_operator(), pseudonym, treatment=given)
    emit_object(row.model_dump(mode="json"))


@app.command("contribute")
def contribute(
    org: Annotated[str, typer.Argument(help="Organisation id or name.")],
    stop: Annotated[bool, typer.Option("--stop", help="Opt out instead.")] = False,
) -> None:
    """Opt an organisation in to (or out of) contributing outcomes as real-world evidence."""
    with STATE.database().transaction() as session:
        org_id = get_organisation(session, org).id
        row = service.set_rwe_contribution(
            session, local_operator(), organisation_id=org_id, contributes=not stop
        )
    state = "contributes" if row.contributes else "does not contribute"
    info(f"organisation {row.organisation_id} {state}")
