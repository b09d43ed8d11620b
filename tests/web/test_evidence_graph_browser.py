"""The explain page's evidence graph in Chromium: one node per entity, labels readable at
the first view, no two nodes overlapping, pan and zoom, and a click on a hop that shows
its claims with their quotes. Screenshots go to the test artefacts folder."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from exoderm.evidence import load_knowledge_base
from exoderm.evidence.knowledge_base import name_key
from tests.api.conftest import PASSWORD, World, build_world
from tests.web.browser import CHROMIUM_ARGS, live_server, require_chromium, screenshot_dir

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Tall enough that the graph is on screen without scrolling, so a click lands where the
#: graph library last measured its container.
TALL = {"width": 1280, "height": 1400}
#: Smallest label size, in CSS pixels on screen, counted as readable at the first view.
READABLE_PX = 10.0
EXPLAIN = "/evidence/explain?source=ADSC&target=wrinkles"


@pytest.fixture(scope="module")
def server(world_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    world: World = build_world(world_template, tmp_path_factory.mktemp("graph"))
    with live_server(world.app) as url:
        yield url
    world.app.state.context.jobs.shutdown()
    world.db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_graph(browser: Any, server: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill("sci")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}{EXPLAIN}")
    page.wait_for_function("() => window.exodermEvidenceGraph !== undefined")
    assert errors == [], errors
    return context, page


def graph_state(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => {
              const cy = window.exodermEvidenceGraph;
              const box = document.getElementById('evidence-graph').getBoundingClientRect();
              return {
                ids: cy.nodes().map(n => n.id()),
                names: cy.nodes().map(n => n.data('display').split('\\n')[0]),
                zoom: cy.zoom(),
                nodeFont: cy.nodes().map(n => parseFloat(n.renderedStyle('font-size'))),
                edgeFont: cy.edges().map(e => parseFloat(e.renderedStyle('font-size'))),
                boxes: cy.nodes().map(n => n.renderedBoundingBox({includeLabels: true})),
                inView: cy.nodes().filter(n => {
                  const b = n.renderedBoundingBox({includeLabels: true});
                  return b.x1 >= 0 && b.x2 <= box.width && b.y1 >= 0 && b.y2 <= box.height;
                }).length,
                container: {x: box.x, y: box.y, w: box.width, h: box.height},
              };
            }"""
        )
    )


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]


def test_one_node_per_entity_with_readable_labels(browser: Any, server: str) -> None:
    context, page = open_graph(browser, server, DESKTOP)
    state = graph_state(page)
    page.screenshot(path=str(screenshot_dir() / "evidence-graph-desktop.png"), full_page=True)
    page.locator("#evidence-graph").screenshot(
        path=str(screenshot_dir() / "evidence-graph-canvas.png")
    )
    kb = load_knowledge_base()
    on_paths = {n.id for p in kb.paths("source:adipose-msc", "concern:wrinkles") for n in p.nodes}
    assert "effect:wrinkles" in on_paths and "concern:wrinkles" in on_paths
    # one node per id, and one per entity: the dermal effect and the concern "wrinkles"
    # are drawn once, and every knowledge-base node on the paths belongs to one drawn node
    assert len(state["ids"]) == len(set(state["ids"]))
    assert len(state["names"]) == len({name_key(n) for n in state["names"]})
    assert state["names"].count("wrinkles") == 1
    assert len(state["ids"]) == len({name_key(kb.node(n).name) for n in on_paths})
    # readable at the first view: label sizes on screen, every node in view, no overlaps
    assert min(state["nodeFont"]) >= READABLE_PX + 2, state["nodeFont"]
    assert min(state["edgeFont"]) >= READABLE_PX, state["edgeFont"]
    assert state["inView"] == len(state["ids"])
    for a, b in itertools.combinations(state["boxes"], 2):
        assert not overlaps(a, b), (a, b)
    # pan and zoom
    before = state["zoom"]
    page.get_by_role("button", name="Zoom in").click()
    assert graph_state(page)["zoom"] == pytest.approx(before * 1.25)
    page.get_by_role("button", name="Zoom out").click()
    assert graph_state(page)["zoom"] == pytest.approx(before)
    context.close()


def test_clicking_a_hop_shows_its_claims_and_quotes(browser: Any, server: str) -> None:
    context, page = open_graph(browser, server, TALL)
    kb = load_knowledge_base()
    hop = page.evaluate(
        """() => {
          const e = window.exodermEvidenceGraph.getElementById(
            'source:adipose-msc->mediator:procollagen-1');
          return {mid: e.renderedMidpoint(), label: e.data('label')};
        }"""
    )
    box = graph_state(page)["container"]
    assert box["y"] + hop["mid"]["y"] < TALL["height"], "the hop is on screen without scrolling"
    page.mouse.click(box["x"] + hop["mid"]["x"], box["y"] + hop["mid"]["y"])
    panel = page.locator("#evidence-graph-panel")
    panel.locator("blockquote").first.wait_for()
    claims = [
        c
        for c in kb.all_claims()
        if c.subject == "source:adipose-msc" and c.object == "mediator:procollagen-1"
    ]
    assert claims
    text = panel.inner_text()
    assert "adipose MSC exosomes → pro-collagen type I" in text
    for c in claims:
        assert c.quote[:40] in text and c.evidence_level.value in text
        assert c.citation() in text
    assert page.locator("#graph-hop").input_value() == "source:adipose-msc->mediator:procollagen-1"
    page.screenshot(path=str(screenshot_dir() / "evidence-graph-hop.png"), full_page=True)
    context.close()


def test_phone_view_keeps_labels_readable(browser: Any, server: str) -> None:
    context, page = open_graph(browser, server, PHONE)
    state = graph_state(page)
    page.screenshot(path=str(screenshot_dir() / "evidence-graph-phone.png"), full_page=True)
    assert min(state["nodeFont"]) >= READABLE_PX, state["nodeFont"]
    options = page.locator("#graph-hop option").evaluate_all(
        "os => os.filter(o => o.value).map(o => [o.value, o.textContent])"
    )
    value, text = options[-1]
    page.select_option("#graph-hop", value)
    hop = text.split(":")[0].strip()
    assert hop and hop in page.locator("#evidence-graph-panel").inner_text()
    context.close()


def test_conflicts_page_states_the_disputed_point_and_both_sides(browser: Any, server: str) -> None:
    context, page = open_graph(browser, server, DESKTOP)
    page.goto(f"{server}/evidence/conflicts")
    kb = load_knowledge_base()
    cards = page.locator("section.conflict")
    assert cards.count() == len(kb.conflicts())
    mmp = cards.filter(has_text="ASC conditioned medium increases MMP-1")
    point = mmp.locator(".disputed-point").inner_text()
    assert "direction of MMP-1 change" in point
    assert "BioMedical Emporium n.d. says increases" in point and "say decreases" in point
    assert mmp.locator("blockquote").count() == 1 + 4  # the claim's quote and four against
    page.screenshot(path=str(screenshot_dir() / "evidence-conflicts.png"), full_page=True)
    context.close()
