"""Static accessibility checks on every page: each form control has a label, images have
text alternatives, one h1 per page, the language is declared and a skip link exists."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.api.conftest import World
from tests.web.logins import login
from tests.web.test_navigation import PAGES


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.h1 = 0
        self.svgs_without_label = 0
        self.lang: str | None = None
        self.skip_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag == "h1":
            self.h1 += 1
        if tag == "svg" and a.get("role") == "img" and not a.get("aria-label"):
            self.svgs_without_label += 1
        if tag == "a" and a.get("href") == "#main":
            self.skip_link = True


def test_pages_are_labelled(world: World) -> None:
    client = login(world.client(), "admin")
    api = world.client("admin")
    p = api.post(
        "/api/v1/clients",
        json={
            "personal": {"name": "Ada"},
            "organisation_id": world.org_ids["Clinic A"],
            "profile": {"fitzpatrick": {"phototype": 4}, "concerns": [{"name": "wrinkles"}]},
        },
    ).json()["pseudonym"]
    from tests.api.test_qc import record

    api.post("/api/v1/qc/batches", json=record("A11Y-1"))
    from exoderm.evidence import load_knowledge_base

    claim = load_knowledge_base().all_claims()[0]
    detail_pages = [
        f"/clients/{p}",
        "/qc/batches/A11Y-1",
        f"/evidence/nodes/{claim.subject}",
        f"/evidence/claims/{claim.id}",
        "/evidence?q=collagen",
    ]
    for path in ["/", *PAGES, *detail_pages]:
        audit = Audit()
        audit.feed(client.get(path).text)
        unlabelled = [
            c
            for c in audit.controls
            if c.get("id") not in audit.label_for and not c.get("aria-label")
        ]
        assert unlabelled == [], (path, unlabelled)
        assert audit.h1 == 1, path
        assert audit.lang == "en" and audit.skip_link, path
        assert audit.svgs_without_label == 0, path
