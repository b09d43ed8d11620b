"""Every API operation, called as organisation A with organisation B's identifiers.

Organisation B (a clinic and a lab, each with its own user) records a client with an
assessment, consents, a regimen, a questionnaire link, a photo and a treatment, and a QC
batch with a measurement and a signed certificate; it starts a simulation cohort and an
NTA analysis (background jobs). Then every operation of the OpenAPI document is called
as each non-admin user of organisation A ("Clinic A" and "Lab") twice: once with B's real
identifiers and once with identifiers of the same format that exist nowhere.

* **No leak**: no response contains one of B's markers (client name, e-mail, pseudonym,
  lot, product, organisation names, usernames, link token, job ids). A value the request
  itself sent is masked first, so a pseudonym echoed from the path in "no client 'C-…'"
  is not a leak; whether that echo hides an oracle is the next check's job.
* **No existence oracle**: status, media type and body shape (a problem's ``title`` and
  ``detail``; a JSON body's structure, list lengths included) of the answer for B's real
  identifier equal those for the made-up one, once each sent identifier is masked.
* **Nothing changed**: B's client export, batch, links and jobs read the same afterwards.

A path parameter missing from :data:`PATH_VALUES`, or an operation with a body missing
from :data:`BODIES`, fails the test, so a new endpoint cannot slip past. The world is
built on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image

from exoderm.accounts import tokens as token_lib
from exoderm.accounts import users as user_lib
from exoderm.accounts.records import OrganisationKind, Role, SecurityKey
from exoderm.server import create_app
from exoderm.settings import Settings
from exoderm.storage import open_database, upgrade
from tests.api.conftest import PASSWORD, Template, World, build_world, populate
from tests.api.test_clients import dlqi
from tests.api.test_qc import record, upload

# ----------------------------------------------------------------------------- B's data
B_CLINIC = "Quillfeather Skin Clinic"
B_LAB = "Quillfeather Analytics Lab"
B_NAME = "Rosalind Quillfeather"
B_EMAIL = "rosalind.quill@example.org"
B_PRODUCT = "Quillfeather Serum"
B_LOT = "QF-7731"
B_DOCTOR = "quill_doctor"
B_ANALYST = "quill_analyst"

#: Organisation A's callers (every non-admin user of "Clinic A" and "Lab"). Admins see
#: every organisation by design (docs/security.md, V8.2.2) and are not called.
CALLERS = ("doc_a", "qc", "sci", "viewer")

#: Operations not called, each with its reason. Keep this short.
EXEMPT: dict[tuple[str, str], str] = {
    # Pre-authentication: takes a username, not a bearer; calling it with B's username
    # and a wrong password would count failures against B's account. That an unknown and
    # a known username fail alike is tested by
    # tests/api/test_security_throttle.py::test_unknown_and_known_users_fail_alike.
    ("POST", "/api/v1/auth/token"): "pre-authentication, covered by the throttle tests",
}

#: Known, documented existence oracles: (method, path) → why it stays. The test fails if
#: one listed here stops being an oracle, so the list can only shrink with the code.
KNOWN_ORACLES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Ids:
    """The identifiers one round of calls uses: B's real ones, or made-up ones."""

    pseudonym: str
    lot: str
    version: int
    photo_id: int
    invitation_id: int
    token_id: int
    organisation_id: int
    job_id: str
    key_id: int
    user_id: int
    product: str
    username: str
    organisation_name: str
    person: str


@dataclass
class Seeded:
    """What organisation B recorded, and what the test needs to read it back."""

    real: Ids
    fake: Ids
    markers: list[str]
    token: str
    b_doctor: TestClient
    b_analyst: TestClient
    own_pseudonym: str
    job_ids: list[str] = field(default_factory=list)
    shared: dict[str, str] = field(default_factory=dict)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (12, 12), "white").save(buf, format="PNG")
    return buf.getvalue()


def _bearer(world: World, token: str) -> TestClient:
    client = world.client()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _ok(r: Response, status: int = 201) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body, dict)
    return body


def _add_organisation_b(
    world: World,
) -> tuple[TestClient, TestClient, int, int, int, tuple[int, int]]:
    with world.db.transaction() as s:
        clinic = user_lib.create_organisation(s, B_CLINIC, OrganisationKind.clinic)
        lab = user_lib.create_organisation(s, B_LAB, OrganisationKind.lab)
        doctor, _ = user_lib.create_user(
            s, B_DOCTOR, Role.clinician, password=PASSWORD, organisation=clinic.id
        )
        analyst, _ = user_lib.create_user(
            s, B_ANALYST, Role.qc_analyst, password=PASSWORD, organisation=lab.id
        )
        doctor_token = token_lib.issue_token(s, doctor, name="b")
        analyst_token = token_lib.issue_token(s, analyst, name="b")
        clinic_id, token_id, lab_id = clinic.id, doctor_token.record.id, lab.id
        # a registered security key of B's doctor (only its id matters here)
        key = SecurityKey(
            user_id=doctor.id, credential_id="b-doctor-key", public_key="-", name="B's key"
        )
        s.add(key)
        s.flush()
        doctor_ids = (key.id, doctor.id)
    return (
        _bearer(world, doctor_token.token),
        _bearer(world, analyst_token.token),
        clinic_id,
        token_id,
        lab_id,
        doctor_ids,
    )


def _seed_client(doc: TestClient) -> tuple[str, int, int, str]:
    created = _ok(
        doc.post(
            "/api/v1/clients",
            json={
                "personal": {"name": B_NAME, "email": B_EMAIL, "date_of_birth": "1980-07-25"},
                "profile": {
                    "fitzpatrick": {"phototype": 3},
                    "concerns": [{"name": "wrinkles", "severity": 2}],
                },
                "consents": [{"topic": "treatment", "version": "v1"}],
            },
        )
    )
    p = str(created["pseudonym"])
    base = f"/api/v1/clients/{p}"
    visit = (date.today() - timedelta(days=30)).isoformat()
    _ok(doc.post(f"{base}/assessments", json={"instrument": "dlqi", "inputs": dlqi(6)}))
    _ok(
        doc.post(
            f"{base}/assessments",
            json={"instrument": "dlqi", "inputs": dlqi(9), "visit_date": visit},
        )
    )
    assert doc.post(f"{base}/consents", json={"topic": "photos", "version": "v1"}).is_success
    _ok(doc.post(f"{base}/regimens", json={}))
    link = _ok(doc.post(f"{base}/invitations", json={"instrument": "dlqi", "verifier": "code"}))
    photo = _ok(
        doc.post(
            f"{base}/photos",
            files={"file": ("face.png", _png(), "image/png")},
            data={"view": "frontal"},
        )
    )
    _ok(
        doc.post(
            f"{base}/treatments",
            json={
                "exposure": "ADSC",
                "route": "topical",
                "concern": "wrinkles",
                "started_on": visit,
            },
        )
    )
    return p, int(link["id"]), int(photo["id"]), str(link["token"])


def _seed_batch(analyst: TestClient) -> None:
    _ok(analyst.post("/api/v1/qc/batches", json={**record(B_LOT), "product": B_PRODUCT}))
    assert upload(analyst, B_LOT).status_code == 201
    signing = {"password": PASSWORD, "meaning": "reviewed"}
    _ok(analyst.post(f"/api/v1/qc/batches/{B_LOT}/certificates", json=signing))


def _garbage_video() -> dict[str, tuple[str, bytes, str]]:
    """A file named like a TIFF stack that is not one: the job fails fast, cheaply."""
    return {"video": ("run.tif", b"not a tiff stack at all", "image/tiff")}


def _seed_jobs(doc: TestClient, analyst: TestClient) -> list[str]:
    cohort = _ok(
        doc.post(
            "/api/v1/simulate/cohorts",
            json={"scenario": {"model": "wound", "dose": 1e10, "schedule": [0]}, "patients": 10},
        ),
        202,
    )
    nta = _ok(analyst.post("/api/v1/nta/analyses", files=_garbage_video(), data=ACQUISITION), 202)
    return [str(cohort["id"]), str(nta["id"])]


ACQUISITION = {"temperature_c": "22", "pixel_size_um": "0.166", "fps": "25", "exposure_ms": "30"}


def _shared_ids(world: World) -> dict[str, str]:
    """Identifiers of shared (not organisation-owned) records: evidence and INCI names."""
    sci = world.client("sci")
    node = sci.get("/api/v1/evidence/nodes", params={"limit": 1}).json()["items"][0]["id"]
    claim = sci.get("/api/v1/evidence/claims", params={"limit": 1}).json()["items"][0]["id"]
    ref = sci.get("/api/v1/evidence/references", params={"limit": 1}).json()["items"][0]["id"]
    return {
        "node_id": node,
        "claim_id": claim,
        "ref_id": ref,
        "source": node,
        "molecule": node,
        "name": "Phenoxyethanol",
        "candidate_id": "1",
    }


def seed(world: World) -> Seeded:
    """Organisation B's records, made through the API as B's own users."""
    doc, analyst, clinic_id, token_id, _, (key_id, user_id) = _add_organisation_b(world)
    pseudonym, invitation_id, photo_id, link_token = _seed_client(doc)
    _seed_batch(analyst)
    job_ids = _seed_jobs(doc, analyst)
    own = _ok(
        world.client("doc_a").post(
            "/api/v1/clients",
            json={
                "personal": {"name": "Organisation A's own client"},
                "profile": {"fitzpatrick": {"phototype": 2}},
                "consents": [{"topic": "photos", "version": "v1"}],
            },
        )
    )
    real = Ids(
        pseudonym=pseudonym,
        lot=B_LOT,
        version=1,
        photo_id=photo_id,
        invitation_id=invitation_id,
        token_id=token_id,
        organisation_id=clinic_id,
        job_id=job_ids[0],
        key_id=key_id,
        user_id=user_id,
        product=B_PRODUCT,
        username=B_DOCTOR,
        organisation_name=B_CLINIC,
        person=B_NAME,
    )
    fake = Ids(
        pseudonym="C-ZZZZZZZZ",
        lot="NOPE-0000",
        version=99_999,
        photo_id=999_999,
        invitation_id=999_999,
        token_id=999_999,
        organisation_id=999_999,
        job_id=uuid.uuid4().hex,
        key_id=999_999,
        user_id=999_999,
        product="Nobody's Serum",
        username="nobody_at_all",
        organisation_name="Nowhere Clinic",
        person="Nemo Nobody",
    )
    markers = [
        B_CLINIC,
        B_LAB,
        B_NAME,
        B_EMAIL,
        B_PRODUCT,
        B_LOT,
        B_DOCTOR,
        B_ANALYST,
        pseudonym,
        link_token,
        *job_ids,
    ]
    return Seeded(
        real,
        fake,
        markers,
        link_token,
        doc,
        analyst,
        str(own["pseudonym"]),
        job_ids,
        _shared_ids(world),
    )


# ------------------------------------------------------------------- parameters and bodies
#: Path parameter → its value in a round. ``None`` marks shared data (evidence, the INCI
#: inventory), which every organisation reads alike: called for leaks, not compared.
PATH_VALUES: dict[str, Callable[[Ids], str | int] | None] = {
    "pseudonym": lambda i: i.pseudonym,
    "photo_id": lambda i: i.photo_id,
    "invitation_id": lambda i: i.invitation_id,
    "token_id": lambda i: i.token_id,
    "organisation_id": lambda i: i.organisation_id,
    "lot": lambda i: i.lot,
    "version": lambda i: i.version,
    "job_id": lambda i: i.job_id,
    "key_id": lambda i: i.key_id,
    "user_id": lambda i: i.user_id,
    # a questionnaire link's token is the respondent's credential, not an identifier
    # behind a fence: its holder may answer, whoever they are (B's real link token, or
    # a made-up one; see the test)
    "token": lambda i: "",
    "node_id": None,
    "claim_id": None,
    "ref_id": None,
    "source": None,
    "molecule": None,
    "name": None,
    # curation candidates are proposed literature claims, shared like the evidence graph
    # (no organisation column); none is seeded, so every call meets "not found"
    "candidate_id": None,
}

#: Query parameters carrying another organisation's identifiers or names.
QUERY_VALUES: dict[str, Callable[[Ids], str | int]] = {
    "organisation_id": lambda i: i.organisation_id,
    "subject_id": lambda i: i.pseudonym,
    "actor": lambda i: i.username,
    "product": lambda i: i.product,
    "q": lambda i: i.person,
    "name": lambda i: i.person,
}

#: Required query parameters with nothing tenant-owned in them.
QUERY_SHARED: dict[str, str] = {"source": "ADSC", "target": "wrinkles"}


@dataclass(frozen=True)
class Body:
    json: dict[str, Any] | None = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None


def _lot_of_new_batch(i: Ids) -> str:
    """A lot nobody holds: never the made-up lot of the paths, which must stay unknown for
    the whole test, and not B's, which A may use too (lots are per organisation) but which
    would then answer A's later reads with A's own batch; that case is run on its own at
    the end (:func:`_create_with_b_lot`)."""
    return f"NEW-{uuid.uuid4().hex[:8].upper()}"


QC_BATCHES = ("POST", "/api/v1/qc/batches")


def _create_with_b_lot(client: TestClient, findings: Findings, op: Operation, who: str) -> None:
    """A creates a batch with B's lot number and with a fresh one: both 201, alike."""
    fresh = f"NEW-{uuid.uuid4().hex[:8].upper()}"
    sent = []
    for lot in (B_LOT, fresh):
        response = client.post(
            "/api/v1/qc/batches", json={**record(lot), "product": "Probe product"}
        )
        sent.append(Sent("/api/v1/qc/batches", (lot,), response))
    assert [s.response.status_code for s in sent] == [201, 201]
    findings.compare(op, who, *sent, " (B's lot number)")


def _nanosight() -> dict[str, tuple[str, bytes, str]]:
    from tests.api.shared_data import shared_file

    path = shared_file("nanosight/beads2.csv")
    return {"file": (path.name, path.read_bytes(), "text/csv")}


def _new_client(i: Ids) -> Body:
    return Body(
        json={
            "personal": {"name": "Someone New"},
            "profile": {"fitzpatrick": {"phototype": 2}},
            "organisation_id": i.organisation_id,
        }
    )


SCENARIO = {"model": "wound", "dose": 1e10, "schedule": [0], "duration_days": 30}

#: An existing formula (design check and improvement), shared data of no organisation.
FORMULA_ROWS = [{"ingredient": "Aqua", "percent": 95}, {"ingredient": "Niacinamide", "percent": 5}]

#: (method, path) → a minimal valid body built from a round's identifiers.
BODIES: dict[tuple[str, str], Callable[[Ids], Body]] = {
    ("POST", "/api/v1/tokens"): lambda i: Body(json={"name": "probe"}),
    ("POST", "/api/v1/users"): lambda i: Body(
        json={"username": "probe_user", "role": "viewer", "organisation": i.organisation_name}
    ),
    ("POST", "/api/v1/organisations"): lambda i: Body(
        json={"name": i.organisation_name, "kind": "clinic"}
    ),
    ("POST", "/api/v1/evidence/curation/imports"): lambda i: Body(
        files={"file": ("pubmed.xml", b"<PubmedArticleSet></PubmedArticleSet>", "text/xml")}
    ),
    ("POST", "/api/v1/evidence/curation/candidates/{candidate_id}/decision"): lambda i: Body(
        json={"decision": "reject", "note": "probe"}
    ),
    ("POST", "/api/v1/design/formulate"): lambda i: Body(json={"targets": {"hydration": 1}}),
    ("POST", "/api/v1/design/claims/check"): lambda i: Body(json={"text": "hydrates skin"}),
    ("POST", "/api/v1/design/claims/label"): lambda i: Body(json={"text": "Hydrates skin."}),
    ("POST", "/api/v1/design/formula-checks"): lambda i: Body(json={"rows": FORMULA_ROWS}),
    ("POST", "/api/v1/design/improvements"): lambda i: Body(
        json={"rows": FORMULA_ROWS, "request": {"targets": {"hydration": 1}}, "max_changes": 1}
    ),
    ("POST", "/api/v1/clients"): _new_client,
    ("PUT", "/api/v1/clients/{pseudonym}/profile"): lambda i: Body(
        json={"fitzpatrick": {"phototype": 6}}
    ),
    ("POST", "/api/v1/clients/{pseudonym}/consents"): lambda i: Body(
        json={"topic": "photos", "version": "v2", "given": False}
    ),
    ("POST", "/api/v1/clients/{pseudonym}/assessments"): lambda i: Body(
        json={"instrument": "dlqi", "inputs": dlqi(1)}
    ),
    ("POST", "/api/v1/clients/{pseudonym}/regimens"): lambda i: Body(json={}),
    ("POST", "/api/v1/clients/{pseudonym}/invitations"): lambda i: Body(
        json={"instrument": "dlqi"}
    ),
    ("POST", "/api/v1/clients/{pseudonym}/photos"): lambda i: Body(
        data={"view": "frontal"}, files={"file": ("face.png", _png(), "image/png")}
    ),
    ("POST", "/api/v1/clients/{pseudonym}/treatments"): lambda i: Body(
        json={
            "exposure": "ADSC",
            "route": "topical",
            "concern": "wrinkles",
            "started_on": "2026-01-05",
        }
    ),
    ("PUT", "/api/v1/clients/organisations/{organisation_id}/real-world-evidence"): lambda i: Body(
        json={"contributes": False}
    ),
    ("POST", "/api/v1/clients/real-world-evidence"): lambda i: Body(json={}),
    ("POST", "/api/v1/respond/{token}/verification"): lambda i: Body(json={"answer": "1980-07-25"}),
    ("POST", "/api/v1/respond/{token}/answers"): lambda i: Body(
        json={"nonce": "n" * 20, "answers": dlqi(2)}
    ),
    ("POST", "/api/v1/qc/batches"): lambda i: Body(
        json={**record(_lot_of_new_batch(i)), "product": "Probe product"}
    ),
    ("POST", "/api/v1/qc/batches/{lot}/imports"): lambda i: Body(files=_nanosight()),
    # the prober's own password, re-entered at signing: the fence must answer before it
    ("POST", "/api/v1/qc/batches/{lot}/certificates"): lambda i: Body(
        json={"reason": "probe correction", "password": PASSWORD, "meaning": "reviewed"}
    ),
    # with max_frames given, the job checks the lot before it opens the video
    ("POST", "/api/v1/nta/analyses"): lambda i: Body(
        data={**ACQUISITION, "max_frames": "5", "lot": i.lot}, files=_garbage_video()
    ),
    ("POST", "/api/v1/simulate/run"): lambda i: Body(json=SCENARIO),
    ("POST", "/api/v1/simulate/cohorts"): lambda i: Body(
        json={"scenario": SCENARIO, "patients": 10}
    ),
}


# --------------------------------------------------------------------------- operations
@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    path_params: tuple[str, ...]
    query_params: tuple[tuple[str, bool], ...]
    has_body: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.template)

    @property
    def tenant_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.path_params if PATH_VALUES[p] is not None)


def operations(world: World) -> list[Operation]:
    """Every operation of the OpenAPI document."""
    found: list[Operation] = []
    for template, item in world.app.openapi()["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            found.append(
                Operation(
                    method.upper(),
                    template,
                    tuple(p["name"] for p in params if p["in"] == "path"),
                    tuple(
                        (p["name"], bool(p.get("required"))) for p in params if p["in"] == "query"
                    ),
                    "requestBody" in op,
                )
            )
    return found


@dataclass(frozen=True)
class Sent:
    """One call: what was asked and what came back."""

    url: str
    values: tuple[str, ...]
    response: Response


def _url(
    op: Operation, ids: Ids, seeded: Seeded, overrides: dict[str, str | int]
) -> tuple[str, list[str]]:
    url, values = op.template, []
    for name in op.path_params:
        value_of = PATH_VALUES[name]
        if name in overrides:
            value: str | int = overrides[name]
        elif name == "token":
            value = seeded.token if ids is seeded.real else "A" * 43
        elif value_of is None:
            value = seeded.shared[name]
        else:
            value = value_of(ids)
        url = url.replace("{" + name + "}", str(value))
        values.append(str(value))
    return url, values


def _query(op: Operation, ids: Ids) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    for name, required in op.query_params:
        if name in QUERY_VALUES:
            params[name] = QUERY_VALUES[name](ids)
        elif name in QUERY_SHARED:
            params[name] = QUERY_SHARED[name]
        else:
            assert not required, f"{op.key}: required query parameter {name!r} has no value"
    return params


def _sent_values(
    ids: Ids, path: list[str], query: dict[str, str | int], body: Body
) -> tuple[str, ...]:
    """The identifiers a request carried (masked before comparing and leak-checking)."""
    values = set(path) | {str(v) for v in query.values()}
    payload = json.dumps(body.json) + json.dumps(body.data)
    named = (ids.pseudonym, ids.lot, ids.product, ids.username, ids.organisation_name)
    values |= {v for v in named if v in payload}
    return tuple(sorted(values, key=len, reverse=True))


def call(
    client: TestClient,
    op: Operation,
    ids: Ids,
    seeded: Seeded,
    overrides: dict[str, str | int] | None = None,
) -> Sent:
    url, path = _url(op, ids, seeded, overrides or {})
    query = _query(op, ids)
    body = BODIES[op.key](ids) if op.has_body else Body()
    response = client.request(
        op.method, url, params=query, json=body.json, data=body.data, files=body.files
    )
    return Sent(url, _sent_values(ids, path, query, body), response)


def _mask(text: str, values: tuple[str, ...]) -> str:
    """Sent identifiers as ``<sent>`` and every number as ``<n>`` (ids differ in length)."""
    for value in values:
        if not value.isdigit():
            text = text.replace(value, "<sent>")
    return re.sub(r"\b\d+\b", "<n>", text)


def _skeleton(value: object) -> object:
    """The structure of a JSON value: keys, list lengths and value types, no values."""
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    return type(value).__name__


def shape(sent: Sent) -> tuple[object, ...]:
    """What an answer reveals beyond the identifiers the request itself sent."""
    r = sent.response
    media = r.headers.get("content-type", "").split(";")[0]
    if media == "application/problem+json":
        problem = r.json()
        return (
            r.status_code,
            media,
            problem.get("title"),
            _mask(str(problem.get("detail")), sent.values),
            _mask(json.dumps(problem.get("errors")), sent.values),
        )
    if media == "application/json":
        return (r.status_code, media, _skeleton(r.json()))
    return (r.status_code, media)


def leaks(sent: Sent, markers: list[str]) -> list[str]:
    """B's markers in an answer, once the values the request sent are masked."""
    text = sent.response.content.decode("utf-8", errors="replace")
    for value in sent.values:
        text = text.replace(value, "<sent>")
    for header, value in sent.response.headers.items():
        text += f"\n{header}: {value}"
    return [m for m in markers if m.lower() in text.lower()]


# ---------------------------------------------------------------------------- the world
@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def engine_world(
    request: pytest.FixtureRequest, world_template: Template, tmp_path: Path
) -> Iterator[World]:
    """The API tests' world (two clinics and a lab) on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        world = build_world(world_template, tmp_path)
    else:
        db = open_database(request.getfixturevalue("postgres_url"))
        upgrade(db)
        tokens, org_ids, user_ids = populate(db)
        world = World(
            create_app(Settings(data_dir=tmp_path / "data"), db), db, tokens, org_ids, user_ids
        )
    yield world
    world.app.state.context.jobs.shutdown()
    world.db.dispose()


def b_state(seeded: Seeded) -> dict[str, object]:
    """Everything B can read about its records, as B."""
    p, lot = seeded.real.pseudonym, seeded.real.lot
    doc, analyst = seeded.b_doctor, seeded.b_analyst
    export = doc.get(f"/api/v1/clients/{p}/export").json()
    export.pop("exported_at")
    state: dict[str, object] = {
        "audit": export.pop("audit"),
        "export": export,
        "invitations": doc.get(f"/api/v1/clients/{p}/invitations").json(),
        "photos": doc.get(f"/api/v1/clients/{p}/photos").json(),
        "image": doc.get(f"/api/v1/clients/{p}/photos/{seeded.real.photo_id}").content,
        "batch": analyst.get(f"/api/v1/qc/batches/{lot}").json(),
        "certificates": analyst.get(f"/api/v1/qc/batches/{lot}/certificates").json(),
        "tokens": doc.get("/api/v1/tokens").json(),
        "organisations": doc.get("/api/v1/organisations").json(),
        "prompt": doc.get(f"/api/v1/respond/{seeded.token}").json(),
    }
    for job_id in seeded.job_ids:
        owner = doc if job_id == seeded.job_ids[0] else analyst
        state[job_id] = owner.get(f"/api/v1/jobs/{job_id}").json()
    return state


def differences(a: object, b: object, at: str = "") -> list[str]:
    """Where two JSON-like values differ, as paths."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d for k in a.keys() | b.keys() for d in differences(a.get(k), b.get(k), f"{at}.{k}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for n, (x, y) in pairs for d in differences(x, y, f"{at}[{n}]")]
    return [] if a == b else [f"{at}: {str(a)[:200]} → {str(b)[:200]}"]


def _wait_for_jobs(seeded: Seeded) -> None:
    from tests.api.test_nta import wait_for

    for job_id, owner in zip(seeded.job_ids, (seeded.b_doctor, seeded.b_analyst), strict=True):
        assert wait_for(owner, job_id)["status"] in ("succeeded", "failed")


@dataclass
class Findings:
    calls: int = 0
    leaks: list[str] = field(default_factory=list)
    oracles: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def compare(self, op: Operation, who: str, real: Sent, fake: Sent, label: str = "") -> None:
        self.calls += 2
        if shape(real) != shape(fake):
            self.oracles.setdefault(op.key, []).append(
                f"{who}{label}: real {str(shape(real))[:300]} ≠ fake {str(shape(fake))[:300]}"
            )


NTA_ANALYSES = ("POST", "/api/v1/nta/analyses")


def job_outcome(client: TestClient, sent: Sent) -> Sent:
    """The finished job a 202 started, as an answer (its status and error), for comparing."""
    from tests.api.test_nta import wait_for

    if sent.response.status_code != 202:
        return sent
    job = wait_for(client, sent.response.json()["id"])
    # as a problem, so that shape() compares the status and the masked error by value
    outcome = {"title": job["status"], "detail": job["error"]}
    media = {"content-type": "application/problem+json"}
    return Sent(sent.url, sent.values, Response(200, json=outcome, headers=media))


def _check_leaks(findings: Findings, op: Operation, who: str, sent: Sent, m: list[str]) -> None:
    found = leaks(sent, m)
    if found:
        findings.leaks.append(f"{op.method} {sent.url} as {who}: {found}")


def test_every_operation_as_another_organisation(engine_world: World) -> None:
    world = engine_world
    seeded = seed(world)
    # the comparison is fair only if the made-up ids pass the same validation
    assert re.fullmatch(r"C-[A-Z0-9]{8}", seeded.real.pseudonym)
    assert len(seeded.real.job_id) == len(seeded.fake.job_id)
    _wait_for_jobs(seeded)
    before = b_state(seeded)
    ops = operations(world)
    unmapped = {p for op in ops for p in op.path_params} - set(PATH_VALUES)
    assert not unmapped, f"path parameters with no value for organisation B: {unmapped}"
    no_body = [op.key for op in ops if op.has_body and op.key not in BODIES | EXEMPT]
    assert not no_body, f"operations with no body in BODIES or EXEMPT: {no_body}"

    findings = Findings()
    called = 0
    for op in ops:
        if op.key in EXEMPT:
            continue
        called += 1
        for who in CALLERS:
            client = world.client(who)
            if "token" in op.path_params:
                # the link's holder may use it, whoever they are; only leaks matter, and
                # only the read: an answer or verification would spend B's attempts
                if op.method == "GET":
                    _check_leaks(
                        findings,
                        op,
                        who,
                        call(client, op, seeded.real, seeded),
                        [m for m in seeded.markers if m != seeded.token],
                    )
                    findings.calls += 1
                continue
            real = call(client, op, seeded.real, seeded)
            fake = call(client, op, seeded.fake, seeded)
            for sent in (real, fake):
                _check_leaks(findings, op, who, sent, seeded.markers)
            if (
                op.tenant_params
                or any(q in QUERY_VALUES for q, _ in op.query_params)
                or (op.has_body and op.method != "GET")
            ):
                findings.compare(op, who, real, fake)
            else:
                findings.calls += 2
            if op.key == NTA_ANALYSES:
                # the lot is checked in the background: compare how the two jobs end
                ended = job_outcome(client, real), job_outcome(client, fake)
                for sent in ended:
                    _check_leaks(findings, op, who, sent, seeded.markers)
                findings.compare(op, who, *ended, " (job outcome)")
            if "job_id" in op.path_params:
                # B's other job (the NTA analysis), against the same made-up id
                findings.compare(
                    op,
                    who,
                    call(client, op, seeded.real, seeded, {"job_id": seeded.job_ids[1]}),
                    fake,
                    " (NTA job)",
                )
            if "photo_id" in op.path_params:
                # A's own client with B's photo: the photo fence, not the client fence
                own: dict[str, str | int] = {"pseudonym": seeded.own_pseudonym}
                findings.compare(
                    op,
                    who,
                    call(client, op, seeded.real, seeded, own),
                    call(client, op, seeded.fake, seeded, own),
                    " (own client)",
                )

    qc_batches = next(op for op in ops if op.key == QC_BATCHES)
    _create_with_b_lot(world.client("qc"), findings, qc_batches, "qc")
    assert not findings.leaks, "\n".join(findings.leaks)
    unexpected = {k: v for k, v in findings.oracles.items() if k not in KNOWN_ORACLES}
    assert not unexpected, json.dumps(
        {f"{k[0]} {k[1]}": v for k, v in unexpected.items()}, indent=1
    )
    still_known = set(KNOWN_ORACLES) & set(findings.oracles)
    assert still_known == set(KNOWN_ORACLES), "a known oracle is gone: update KNOWN_ORACLES"
    _wait_for_own_jobs(world)
    after = b_state(seeded)
    # reading B's state is itself audited: the new audit rows must be B's own reads
    trail_before, trail_after = before.pop("audit"), after.pop("audit")
    assert isinstance(trail_before, list) and isinstance(trail_after, list)
    assert trail_after[: len(trail_before)] == trail_before
    new_rows = {(row["actor"], row["action"]) for row in trail_after[len(trail_before) :]}
    assert {actor for actor, _ in new_rows} == {B_DOCTOR}, new_rows
    assert after == before, differences(before, after)
    # the counts docs/security.md reports
    assert called == len(ops) - len(EXEMPT) >= 70
    assert findings.calls >= 4 * 2 * 60


def _wait_for_own_jobs(world: World) -> None:
    """A's NTA and cohort jobs end before B's state is read again (same runner)."""
    from tests.api.test_nta import wait_for

    for who in ("qc", "sci", "doc_a", "viewer"):
        client = world.client(who)
        for job in client.get("/api/v1/jobs", params={"limit": 100}).json()["items"]:
            wait_for(client, job["id"])


def test_the_detectors_see_a_leak_and_an_oracle() -> None:
    """The comparison and the marker search can fail: a 403 beside a 404, and a name."""
    sent = ("C-ABCDEFGH",)

    def problem(status: int, detail: str) -> Sent:
        body = {"title": "Not found" if status == 404 else "Forbidden", "detail": detail}
        response = Response(status, json=body, headers={"content-type": "application/problem+json"})
        return Sent("/api/v1/clients/C-ABCDEFGH", sent, response)

    missing = problem(404, "no client 'C-ZZZZZZZZ'")
    assert shape(problem(404, "no client 'C-ABCDEFGH'")) == shape(
        Sent("/x", ("C-ZZZZZZZZ",), missing.response)
    )
    assert shape(problem(403, "client of another organisation")) != shape(missing)
    assert leaks(problem(404, f"no client of {B_CLINIC}"), [B_CLINIC]) == [B_CLINIC]
    assert leaks(problem(404, "no client 'C-ABCDEFGH'"), ["C-ABCDEFGH"]) == []
    listed = Response(200, json={"items": [{"id": 1}]})
    empty = Response(200, json={"items": []})
    assert shape(Sent("/", (), listed)) != shape(Sent("/", (), empty))
