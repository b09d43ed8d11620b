// Interactive graph of the evidence paths on the explain page (progressive enhancement).
// The server embeds the graph as JSON in <script type="application/json"
// id="evidence-graph-data">: one node per entity (nodes of one name joined by a hop are
// merged and show every kind), one edge per hop with all its claims. This script draws it
// with the vendored Cytoscape.js (static/vendor/cytoscape), in columns from the source
// (left) to the target (right), with pan, zoom and a side panel that shows the claims,
// quotes, evidence levels and citations of the selected hop. Without JavaScript the
// section stays hidden and the server-rendered list of paths is the view.
(function () {
  "use strict";

  var COLUMN_GAP = 225;   // px between column centres at zoom 1: 75 px for edge labels, so
                          // six columns (a 5-hop path) fit 1,086 px at READABLE_ZOOM
  var ROW_GAP = 105;      // px between row centres at zoom 1
  var NODE_FONT = 16;     // px at zoom 1
  var EDGE_FONT = 13;     // px at zoom 1
  var READABLE_ZOOM = 0.8; // the first view never zooms out further: 12.8 px node labels
  var LARGEST_ZOOM = 1.25; // nor zooms a small graph in further than this

  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  function claimItem(claim) {
    var item = element("li", "", { "class": claim.refuting ? "claim warn" : "claim" });
    var link = element("a", claim.statement, {
      href: "/evidence/claims/" + encodeURIComponent(claim.id)
    });
    item.appendChild(link);
    if (claim.refuting) { item.appendChild(element("span", " refuting", { "class": "badge fail" })); }
    if (claim.disputed) { item.appendChild(element("span", " disputed", { "class": "badge fail" })); }
    if (claim.quote) { item.appendChild(element("blockquote", "“" + claim.quote + "”")); }
    var facts = "Evidence level: " + claim.evidence_level + " · " + claim.citation;
    if (claim.model_system) { facts += " · " + claim.model_system; }
    item.appendChild(element("small", facts));
    return item;
  }

  function showHop(panel, edge, names) {
    panel.replaceChildren();
    panel.appendChild(element("h3", names[edge.source] + " → " + names[edge.target]));
    var supporting = edge.claims.filter(function (c) { return !c.refuting; });
    var refuting = edge.claims.filter(function (c) { return c.refuting; });
    panel.appendChild(element("p", supporting.length + " supporting claim" +
      (supporting.length === 1 ? "" : "s") + ", " + refuting.length + " refuting · edge score " +
      edge.score.toFixed(3)));
    var list = element("ul", "", { "class": "graph-claims" });
    supporting.concat(refuting).forEach(function (c) { list.appendChild(claimItem(c)); });
    panel.appendChild(list);
  }

  function showNode(panel, node) {
    panel.replaceChildren();
    panel.appendChild(element("h3", node.name));
    panel.appendChild(element("p", node.kinds.join(" · ")));
    var list = element("ul");
    node.members.forEach(function (id) {
      var item = element("li");
      item.appendChild(element("a", id, { href: "/evidence/nodes/" + encodeURIComponent(id) }));
      list.appendChild(item);
    });
    panel.appendChild(list);
    if (node.merged_by.length) {
      panel.appendChild(element("p", "Shown as one entity: these nodes share a name and are joined by"));
      var merged = element("ul", "", { "class": "graph-claims" });
      node.merged_by.forEach(function (c) { merged.appendChild(claimItem(c)); });
      panel.appendChild(merged);
    }
  }

  function firstView(cy, container) {
    cy.fit(cy.elements(), 24);
    var zoom = Math.min(Math.max(cy.zoom(), READABLE_ZOOM), LARGEST_ZOOM);
    if (zoom === cy.zoom()) { return; }
    var box = cy.elements().boundingBox();
    cy.zoom(zoom);
    var width = container.clientWidth;
    var height = container.clientHeight;
    var left = box.w * zoom < width ? (width - box.w * zoom) / 2 : 24;
    cy.pan({ x: left - box.x1 * zoom, y: height / 2 - (box.y1 + box.h / 2) * zoom });
  }

  function position(node) {
    return { x: node.column * COLUMN_GAP, y: node.row * ROW_GAP };
  }

  // A hop that skips columns passes through the slots reserved for it in each column it
  // crosses (its waypoints), given to Cytoscape as segment weights along the line from
  // source to target and signed distances perpendicular to it.
  function detour(source, target, rows) {
    var s = position(source);
    var t = position(target);
    var dx = t.x - s.x;
    var dy = t.y - s.y;
    var length2 = dx * dx + dy * dy;
    var length = Math.sqrt(length2);
    var weights = [];
    var distances = [];
    rows.forEach(function (row, k) {
      var p = { x: (source.column + k + 1) * COLUMN_GAP, y: row * ROW_GAP };
      weights.push(((p.x - s.x) * dx + (p.y - s.y) * dy) / length2);
      distances.push((dx * (p.y - s.y) - dy * (p.x - s.x)) / length);
    });
    return { weights: weights.join(" "), distances: distances.join(" ") };
  }

  function draw() {
    var data = document.getElementById("evidence-graph-data");
    var section = document.getElementById("evidence-graph-section");
    var container = document.getElementById("evidence-graph");
    var panel = document.getElementById("evidence-graph-panel");
    if (!data || !section || !container || !panel || typeof window.cytoscape !== "function") {
      return;
    }
    var graph = JSON.parse(data.textContent);
    section.hidden = false;
    var names = {};
    var nodes = {};
    var edges = {};
    graph.nodes.forEach(function (n) { names[n.id] = n.name; nodes[n.id] = n; });
    graph.edges.forEach(function (e) { edges[e.id] = e; });
    var elements = graph.nodes.map(function (n) {
      return {
        group: "nodes",
        data: { id: n.id, display: n.name + "\n" + n.kinds.join(" · ") },
        position: position(n),
        classes: n.role
      };
    }).concat(graph.edges.map(function (e) {
      var refuted = e.claims.some(function (c) { return c.refuting; });
      var data = { id: e.id, source: e.source, target: e.target, label: e.label };
      var classes = refuted ? ["refuted"] : [];
      if (e.waypoints.length) {
        Object.assign(data, detour(nodes[e.source], nodes[e.target], e.waypoints));
        classes.push("detour");
      }
      return { group: "edges", data: data, classes: classes.join(" ") };
    }));
    var cy = window.cytoscape({
      container: container,
      elements: elements,
      layout: { name: "preset" },
      minZoom: 0.2,
      maxZoom: 4,
      autoungrabify: true,
      boxSelectionEnabled: false,
      style: [
        { selector: "node", style: {
          "shape": "round-rectangle", "width": 150, "height": 66,
          "background-color": "#eef4fb", "border-width": 2, "border-color": "#1f5f99",
          "label": "data(display)", "font-size": NODE_FONT, "color": "#1b2530",
          "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
          "text-wrap": "wrap", "text-max-width": 140, "text-valign": "center",
          "text-halign": "center", "line-height": 1.15
        } },
        { selector: "node.source, node.target", style: {
          "background-color": "#e3f1e4", "border-color": "#2e7d32", "border-width": 3
        } },
        { selector: "edge", style: {
          "width": 2, "line-color": "#6b7785", "target-arrow-color": "#6b7785",
          "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 1.2,
          "label": "data(label)", "font-size": EDGE_FONT, "color": "#37424d",
          "text-background-color": "#ffffff", "text-background-opacity": 0.92,
          "text-background-padding": 2, "text-wrap": "wrap", "text-max-width": 72,
          "text-events": "yes"
        } },
        { selector: "edge.detour", style: {
          "curve-style": "round-segments", "edge-distances": "node-position",
          "segment-weights": "data(weights)", "segment-distances": "data(distances)",
          "segment-radii": 40
        } },
        { selector: "edge.refuted", style: {
          "line-style": "dashed", "line-color": "#b3261e", "target-arrow-color": "#b3261e"
        } },
        { selector: "edge:selected", style: {
          "width": 4, "line-color": "#0b57d0", "target-arrow-color": "#0b57d0"
        } },
        { selector: "node:selected", style: { "border-color": "#0b57d0", "border-width": 4 } }
      ]
    });
    firstView(cy, container);
    var hop = document.getElementById("graph-hop");
    function selectHop(id) {
      cy.elements().unselect();
      var edge = cy.getElementById(id);
      if (edge.nonempty()) { edge.select(); }
      if (edges[id]) {
        showHop(panel, edges[id], names);
        panel.scrollIntoView({ block: "nearest" });
      }
      if (hop) { hop.value = id; }
    }
    cy.on("tap", "edge", function (event) { selectHop(event.target.id()); });
    cy.on("tap", "node", function (event) { showNode(panel, nodes[event.target.id()]); });
    if (hop) {
      hop.addEventListener("change", function () { if (hop.value) { selectHop(hop.value); } });
    }
    document.querySelectorAll("[data-graph-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-graph-zoom");
        if (how === "fit") { cy.fit(cy.elements(), 24); return; }
        var centre = { x: container.clientWidth / 2, y: container.clientHeight / 2 };
        cy.zoom({ level: cy.zoom() * (how === "in" ? 1.25 : 0.8), renderedPosition: centre });
      });
    });
    window.exodermEvidenceGraph = cy;  // for the browser tests and the console
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
