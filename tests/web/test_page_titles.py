"""Every page's <title> is plain text: no markup, no form, no script inside it."""

from __future__ import annotations

import re

from tests.api.conftest import World
from tests.web.logins import csrf_of, login
from tests.web.test_clients_pages import create_client

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def test_titles_are_plain_text_and_the_client_page_loads_its_script(world: World) -> None:
    doc = login(world.client(), "doc_a")
    pseudonym = create_client(doc, csrf_of(doc.get("/clients").text))
    pages = ["/", "/account", "/clients", f"/clients/{pseudonym}", "/design", "/evidence"]
    for path in pages:
        page = doc.get(path)
        assert page.status_code == 200, path
        [title] = TITLE.findall(page.text)
        assert "<" not in title and len(title) < 80, (path, title)
    head = doc.get(f"/clients/{pseudonym}").text.split("</head>", 1)[0]
    assert '<script src="/static/js/instrument_total.js" defer></script>' in head
