// The cubagraph network view. No framework and no network access: everything
// it needs is inlined in this page. Text from documents and mappings is only
// ever inserted with textContent, never parsed as HTML.
(function () {
  "use strict";

  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const allNodes = read("cubagraph-nodes");
  const allEdges = read("cubagraph-edges");
  const options = read("cubagraph-options");
  const meta = read("cubagraph-meta");
  const $ = (id) => document.getElementById(id);
  const D = window.cubagraphDrawing;
  const PAGE = 50; // search matches shown at most, and listed under the search box
  const DOCUMENTS_LISTED = 100; // document checkboxes drawn at most; the filter box narrows the list

  const byId = new Map(allNodes.map((n) => [n.id, n]));
  // Extension points for the reading side (panel.js, reader.js, timeline.js, share.js run after this file):
  // restrict(visible, own) narrows what is shown, changed(visible) hears every apply(), and
  // window.cubagraphViewer.showInfo may be replaced by a richer panel.
  const hooks = { restrict: [], changed: [] };
  const neighbours = new Map(allNodes.map((n) => [n.id, new Set()]));
  for (const e of allEdges) {
    neighbours.get(e.from).add(e.to);
    neighbours.get(e.to).add(e.from);
  }
  // The actor overview (network/overview.py): one edge per pair of actors that facts link, with those facts.
  const overviewEdges = (meta.overview || []).map((r, i) => ({ id: "o" + i, from: r[0], to: r[1], weight: r[2], kinds: r[3], facts: r[4], registry: r[5] }));
  const overviewById = new Map(overviewEdges.map((e) => [e.id, e]));
  const between = new Map(); // actor -> Map(actor -> the overview edge)
  for (const e of overviewEdges) {
    for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) {
      if (!between.has(a)) between.set(a, new Map());
      between.get(a).set(b, e);
    }
  }
  const isActor = (id) => byId.get(id).info.kind === "actor";
  const plural = { claim: "claims", event: "events", figure: "figures", statement: "statements", relation: "relations", role: "roles", demand: "demands" };
  const describeKinds = (kinds) => Object.entries(kinds).map(([k, n]) => `${n} ${n === 1 ? k : plural[k] || k}`).join(", ");
  function edgeTitle(e) {
    const parts = [`${byId.get(e.from).info.label} — ${byId.get(e.to).info.label}`];
    if (e.weight) parts.push(`${e.weight} ${e.weight === 1 ? "fact" : "facts"}: ${describeKinds(e.kinds)}`);
    if (e.registry.length) parts.push(`registry: ${e.registry.join(", ")}`);
    parts.push("Click to list the facts and their quotes.");
    return parts.join("\n");
  }
  function nodeTitle(n) {
    const info = n.info;
    const lines = [info.label, info.kind === "actor" ? info.class : `${info.class} · ${info.kind}`];
    if (info.kind === "actor" && between.has(n.id)) lines.push(`linked to ${between.get(n.id).size} actors`);
    if (info.documents && info.documents.length) lines.push(info.documents.join(", "));
    lines.push(info.kind === "actor" ? "Click for its sources; double-click to show its facts." : "Click for its sources.");
    return lines.join("\n");
  }
  const legendKey = (n) => n.info.kind + ":" + (n.info.kind === "actor" ? n.info.class : n.info.kind);
  const initial = new Set(allNodes.filter((n) => !n.hidden).map((n) => n.id));

  const state = {
    search: "",
    classes: new Set(meta.legend.map((l) => l.kind + ":" + l.name)),
    documents: new Set(meta.documents),
    modalities: new Set(),
    from: "",
    to: "",
    undated: true,
    edgeKinds: new Set(["link", "attribution", "registry"]),
    focus: null,
    selected: null,
    mode: "overview", // "overview": actors, facts folded into links; "full": every fact a node
    expanded: new Set(), // actors whose facts the overview shows
    community: false,
    overviewLimit: 0, // actors shown in the overview, by rank (most facts first); set below
  };
  for (const n of allNodes) if (n.info.modality) state.modalities.add(n.info.modality);
  const allModalities = Array.from(state.modalities).sort();

  state.overviewLimit = allNodes.filter((n) => n.overview && n.overview.shown).length;
  const nodes = new vis.DataSet(allNodes.map((n) => ({ ...n, info: undefined, overview: undefined, hidden: true, title: nodeTitle(n) })));
  const edges = new vis.DataSet([
    ...allEdges.map((e) => ({ ...e, hidden: true })),
    ...overviewEdges.map((e) => ({
      id: e.id, from: e.from, to: e.to, hidden: true, title: edgeTitle(e),
      width: 1 + 1.5 * Math.log2(1 + e.weight), dashes: e.weight === 0,
      color: { color: e.weight ? "#80868b" : "#188038", highlight: "#1a73e8" }, arrows: { to: { enabled: false } },
    })),
  ]);
  const network = new vis.Network($("network"), { nodes, edges }, options);

  // -- which nodes are visible ------------------------------------------------

  function dateOf(info) {
    return info.date || info.as_of || null;
  }

  function passesDate(info) {
    const d = dateOf(info);
    if (!d) return true; // actors, claims: no date of their own
    if (!d.earliest) return state.undated;
    if (state.from && d.latest < state.from) return false;
    if (state.to && d.earliest > state.to) return false;
    return true;
  }

  function filtersActive() {
    return (
      state.documents.size !== meta.documents.length ||
      state.modalities.size !== allModalities.length ||
      state.from !== "" || state.to !== "" || !state.undated
    );
  }

  function visibleSet() {
    const narrowing = filtersActive();
    const own = new Set();
    for (const n of allNodes) {
      const info = n.info;
      if (!state.classes.has(legendKey(n))) continue;
      if (info.kind === "actor") continue; // decided below, from what they link to
      const docs = info.documents || [];
      if (docs.length && !docs.some((d) => state.documents.has(d))) continue;
      if (info.modality && !state.modalities.has(info.modality)) continue;
      if (!passesDate(info)) continue;
      own.add(n.id);
    }
    for (const n of allNodes) {
      if (n.info.kind !== "actor" || !state.classes.has(legendKey(n))) continue;
      // With a document, modality or date filter on, an actor shows only beside something that passed.
      if (!narrowing || Array.from(neighbours.get(n.id)).some((m) => own.has(m))) own.add(n.id);
    }
    const overview = state.mode === "overview";
    // The nodes this mode can show, and who is next to whom in it.
    const universe = new Set();
    for (const id of own) {
      if (!overview || isActor(id)) universe.add(id);
    }
    const near = (id) => {
      if (!overview) return neighbours.get(id);
      if (!isActor(id)) return new Set(Array.from(neighbours.get(id)).filter(isActor));
      const out = new Set(between.has(id) ? between.get(id).keys() : []);
      if (state.expanded.has(id)) for (const m of neighbours.get(id)) if (!isActor(m)) out.add(m);
      return out;
    };
    if (overview) for (const a of state.expanded) if (own.has(a)) for (const m of near(a)) if (own.has(m)) universe.add(m);
    let visible = universe;
    state.hits = [];
    state.hitCount = 0;
    state.rings = null;
    if (state.search.length >= 2) {
      const q = state.search.toLowerCase();
      // Actors first, then the rest; at most a page of them, the rest counted.
      const all = allNodes.filter((n) => own.has(n.id) && matches(n, q))
        .sort((a, b) => (isActor(b.id) - isActor(a.id)) || (a.info.label < b.info.label ? -1 : 1));
      state.hitCount = all.length;
      state.hits = all.slice(0, PAGE).map((n) => n.id);
      visible = new Set(state.hits);
      for (const id of state.hits) for (const m of near(id)) if (own.has(m)) visible.add(m);
    } else if (state.focus && own.has(state.focus.node)) {
      visible = new Set([state.focus.node]);
      const rings = [[state.focus.node]];
      const parent = new Map();
      let frontier = [state.focus.node];
      for (let hop = 0; hop < state.focus.depth; hop++) {
        const next = [];
        for (const id of frontier) {
          for (const m of near(id)) {
            if (own.has(m) && !visible.has(m)) { visible.add(m); next.push(m); parent.set(m, id); }
          }
        }
        if (!next.length) break;
        rings.push(next);
        frontier = next;
      }
      state.rings = { rings, parent };
    } else if (overview && !narrowing) {
      visible = new Set(Array.from(universe).filter((id) => !isActor(id) || byId.get(id).overview.rank < state.overviewLimit || state.expanded.has(id)));
    } else if (!overview && !narrowing && initial.size < allNodes.length) {
      visible = new Set(Array.from(own).filter((id) => initial.has(id)));
    }
    for (const restrict of hooks.restrict) visible = restrict(visible, own);
    return visible;
  }

  // Where each visible node goes in this mode: the build's layout of the overview or of every fact;
  // facts shown in the overview around the actor they belong to; a focus laid out afresh.
  function targets(visible) {
    const out = new Map();
    const overview = state.mode === "overview";
    if (state.rings) {
      const centre = byId.get(state.focus.node);
      const at = overview && centre.overview ? centre.overview : centre;
      const placed = D.radial(state.rings.rings, state.rings.parent, (id) => byId.get(id).info.label, { x: at.x, y: at.y });
      for (const id of visible) if (placed.has(id)) out.set(id, placed.get(id));
      return out;
    }
    const around = new Map(); // actor -> its facts shown
    for (const id of visible) {
      const n = byId.get(id);
      if (!overview) out.set(id, { x: n.x, y: n.y });
      else if (n.overview) out.set(id, { x: n.overview.x, y: n.overview.y });
      else {
        const anchor = Array.from(neighbours.get(id)).filter((m) => visible.has(m) && isActor(m)).sort((a, b) => (state.expanded.has(b) - state.expanded.has(a)) || a - b)[0];
        if (anchor === undefined) { out.set(id, { x: n.x, y: n.y }); continue; }
        if (!around.has(anchor)) around.set(anchor, []);
        around.get(anchor).push(id);
      }
    }
    for (const [anchor, facts] of around) {
      const a = byId.get(anchor).overview;
      facts.sort((x, y) => (byId.get(x).info.label < byId.get(y).info.label ? -1 : 1));
      const radius = Math.max(a.size + 110, (facts.length * 44) / (2 * Math.PI));
      facts.forEach((id, i) => {
        const t = (2 * Math.PI * i) / facts.length - Math.PI / 2;
        out.set(id, { x: Math.round(a.x + radius * Math.cos(t)), y: Math.round(a.y + radius * Math.sin(t)) });
      });
    }
    return out;
  }

  const PALETTE = ["#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#007b83", "#b06000", "#c5221f", "#3949ab", "#5f6368"];
  let communityOf = null;
  function colourOf(n) {
    if (state.mode !== "overview" || !state.community || !n.overview) return n.color;
    if (communityOf === null) {
      const adjacency = new Map();
      for (const [a, m] of between) adjacency.set(a, Array.from(m, ([b, e]) => [b, Math.max(e.weight, 1)]));
      const label = D.communities(allNodes.filter((x) => x.overview).map((x) => x.id), adjacency);
      const sizes = new Map();
      for (const l of label.values()) sizes.set(l, (sizes.get(l) || 0) + 1);
      const rank = new Map(Array.from(sizes).sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([l], i) => [l, i]));
      communityOf = new Map(Array.from(label, ([id, l]) => [id, rank.get(l)]));
    }
    const r = communityOf.get(n.id);
    return r < PALETTE.length - 1 ? PALETTE[r] : PALETTE[PALETTE.length - 1];
  }

  function matches(n, q) {
    if (n.info.label.toLowerCase().includes(q)) return true;
    return (n.info.aliases || []).some((a) => a.toLowerCase().includes(q));
  }

  let placedFor = ""; // what the positions were last computed for: mode, focus, expansion, visible set
  let shownNodes = new Set(); // what vis-network shows now (every node starts hidden)
  const shownEdgeIds = new Set();
  function apply(animated) {
    const visible = visibleSet();
    const overview = state.mode === "overview";
    const where = targets(visible);
    const key = JSON.stringify([state.mode, state.focus, Array.from(state.expanded), state.community, Array.from(visible)]);
    const moved = key !== placedFor;
    placedFor = key;
    // Only what changes goes to vis-network: updating every node of a large page took seconds.
    const updates = [];
    for (const n of allNodes) {
      const shown = visible.has(n.id);
      const was = shownNodes.has(n.id);
      if (shown === was && !(shown && moved)) continue;
      const u = { id: n.id, hidden: !shown };
      if (shown && moved) {
        u.size = overview && n.overview ? n.overview.size : n.size;
        u.color = colourOf(n);
        if (!animated) Object.assign(u, where.get(n.id));
      }
      updates.push(u);
    }
    shownNodes = visible;
    if (updates.length) nodes.update(updates);
    if (animated && moved) D.animate(nodes, where, 450, () => { fit(true); });
    const linkShown = (e) => visible.has(e.from) && visible.has(e.to) && state.edgeKinds.has(e.kind) && (!overview || !isActor(e.from) || !isActor(e.to));
    const overviewShown = (e) => overview && visible.has(e.from) && visible.has(e.to) && (e.weight > 0 || state.edgeKinds.has("registry"));
    const edgeUpdates = [];
    let shownEdges = 0;
    for (const [list, test] of [[allEdges, linkShown], [overviewEdges, overviewShown]]) {
      for (const e of list) {
        const on = test(e);
        if (on) shownEdges++;
        if (on !== shownEdgeIds.has(e.id)) {
          edgeUpdates.push({ id: e.id, hidden: !on });
          on ? shownEdgeIds.add(e.id) : shownEdgeIds.delete(e.id);
        }
      }
    }
    if (edgeUpdates.length) edges.update(edgeUpdates);
    const actors = Array.from(visible).filter(isActor).length;
    $("counts").textContent = overview
      ? `Showing ${actors.toLocaleString("en")} of ${allNodes.filter((n) => n.overview).length.toLocaleString("en")} actors${visible.size > actors ? ` and ${(visible.size - actors).toLocaleString("en")} facts` : ""}, ${shownEdges.toLocaleString("en")} links; ${meta.total.nodes.toLocaleString("en")} nodes in all.`
      : `Showing ${visible.size.toLocaleString("en")} of ${meta.total.nodes.toLocaleString("en")} nodes and ${shownEdges.toLocaleString("en")} of ${meta.total.edges.toLocaleString("en")} links.`;
    showHits();
    const overviewCapped = overview && !state.search && !state.focus && !filtersActive() && allNodes.some((n) => n.overview && n.overview.rank >= state.overviewLimit);
    $("more-actors").hidden = !overviewCapped;
    const capped = !overview && !state.search && !state.focus && !filtersActive() && initial.size < allNodes.length;
    // A large graph: the page holds only its best-connected part (viewer_limit).
    const partial = allNodes.length < meta.total.nodes;
    const notes = [];
    if (overviewCapped) notes.push(`The overview shows the ${state.overviewLimit.toLocaleString("en")} actors named by most facts, of ${allNodes.filter((n) => n.overview).length.toLocaleString("en")}. "More actors" adds the next ones; search for a name, or focus on an actor, to see any other.`);
    if (capped) notes.push(`The view opens on the ${initial.size.toLocaleString("en")} best-connected nodes. Search for a name, or select a node and focus on it, to see the rest.`);
    if (partial) notes.push(`This page holds the ${allNodes.length.toLocaleString("en")} best-connected of ${meta.total.nodes.toLocaleString("en")} nodes; search and filters reach only these. Raise viewer_limit in pyproject.toml, or ask \`cubagraph neighbors\` and \`cubagraph query\` about the rest.`);
    $("notice").hidden = notes.length === 0;
    $("notice").textContent = notes.join(" ");
    $("unfocus").disabled = !state.focus && !state.expanded.size;
    if (state.search.length >= 2) network.selectNodes(state.hits);
    if (!animated) relabel();
    for (const heard of hooks.changed) heard(visible);
    return visible;
  }

  // Labels: drawn at a constant size on screen, and only where they meet no other label and no disc;
  // zooming in makes room, so more are drawn. Recomputed when the view settles.
  const labelled = new Map(); // id -> font size in network units, for the labels drawn
  function relabel() {
    const scale = network.getScale();
    const positions = network.getPositions(nodes.getIds({ filter: (n) => !n.hidden }));
    const items = [];
    for (const [key, p] of Object.entries(positions)) {
      const id = Number(key);
      const n = byId.get(id);
      const shown = nodes.get(id);
      items.push({ id, x: p.x, y: p.y, size: shown.size, text: n.label, kind: n.info.kind, inside: n.shape === "box" });
    }
    const drawn = D.declutter(items, scale);
    const updates = [];
    for (const it of items) {
      const font = drawn.get(it.id);
      const before = labelled.get(it.id);
      if (font === before) continue;
      if (font === undefined) labelled.delete(it.id);
      else labelled.set(it.id, font);
      const n = byId.get(it.id);
      updates.push({ id: it.id, label: font === undefined ? (it.inside ? " " : "") : n.label, font: { size: font === undefined ? 1 : font } });
    }
    if (updates.length) nodes.update(updates);
  }
  let relabelTimer = null;
  network.on("zoom", () => { clearTimeout(relabelTimer); relabelTimer = setTimeout(relabel, 120); });
  network.on("dragEnd", () => { clearTimeout(relabelTimer); relabelTimer = setTimeout(relabel, 50); });

  // -- the controls ------------------------------------------------------------

  function checkbox(container, text, checked, onChange, swatch) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = checked;
    input.addEventListener("change", () => { onChange(input.checked); apply(); });
    label.appendChild(input);
    if (swatch) {
      const s = document.createElement("span");
      s.className = "swatch " + swatch.shape;
      s.style.background = swatch.color;
      label.appendChild(s);
    }
    label.appendChild(document.createTextNode(text));
    container.appendChild(label);
    return input;
  }

  for (const entry of meta.legend) {
    const key = entry.kind + ":" + entry.name;
    const text = entry.kind === "actor" ? entry.name : entry.name.charAt(0).toUpperCase() + entry.name.slice(1);
    checkbox($("classes"), text, true, (on) => { on ? state.classes.add(key) : state.classes.delete(key); }, entry);
  }
  // Documents: thousands at scale, so the list is filtered by its own box and drawn a page at a time.
  function documentList() {
    const q = $("document-search").value.trim().toLowerCase();
    const found = q ? meta.documents.filter((d) => d.toLowerCase().includes(q) || ((meta.titles || {})[d] || [""])[0].toLowerCase().includes(q)) : meta.documents;
    $("documents").replaceChildren();
    for (const doc of found.slice(0, DOCUMENTS_LISTED)) {
      checkbox($("documents"), doc, state.documents.has(doc), (on) => { on ? state.documents.add(doc) : state.documents.delete(doc); });
    }
    $("documents-more").hidden = found.length <= DOCUMENTS_LISTED;
    $("documents-more").textContent = `${(found.length - DOCUMENTS_LISTED).toLocaleString("en")} more: type to narrow the list.`;
    return found;
  }
  $("document-search").addEventListener("input", documentList);
  for (const [button, on] of [["documents-all", true], ["documents-none", false]]) {
    $(button).addEventListener("click", () => {
      for (const doc of documentList()) on ? state.documents.add(doc) : state.documents.delete(doc); // the matching ones
      documentList();
      apply();
    });
  }
  documentList();
  for (const modality of allModalities) {
    checkbox($("modalities"), modality, true, (on) => { on ? state.modalities.add(modality) : state.modalities.delete(modality); });
  }

  let searchTimer = null;
  $("search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    // One letter matches most names: search waits for two.
    searchTimer = setTimeout(() => { state.search = event.target.value.trim(); apply(); fit(); }, 150);
  });

  function showHits() {
    const list = $("search-hits");
    list.replaceChildren();
    const searching = state.search.length > 0;
    $("search-status").hidden = !searching;
    list.hidden = !state.hits.length;
    if (!searching) return;
    if (state.search.length < 2) { $("search-status").textContent = "Type at least two characters."; return; }
    $("search-status").textContent = state.hitCount > state.hits.length
      ? `${state.hits.length} of ${state.hitCount.toLocaleString("en")} matches shown; type more to narrow them.`
      : `${state.hitCount.toLocaleString("en")} ${state.hitCount === 1 ? "match" : "matches"}.`;
    for (const id of state.hits) {
      const n = byId.get(id);
      const item = document.createElement("li");
      const button = el("button", n.info.label);
      button.type = "button";
      button.title = n.info.kind === "actor" ? n.info.class : n.info.kind;
      button.addEventListener("click", () => { select(id); network.focus(id, { scale: Math.max(network.getScale(), 1), animation: true }); });
      item.appendChild(button);
      list.appendChild(item);
    }
  }
  $("date-from").addEventListener("change", (event) => { state.from = event.target.value; apply(); });
  $("date-to").addEventListener("change", (event) => { state.to = event.target.value; apply(); });
  $("undated").addEventListener("change", (event) => { state.undated = event.target.checked; apply(); });
  for (const kind of ["attribution", "registry"]) {
    $("edge-" + kind).addEventListener("change", (event) => {
      event.target.checked ? state.edgeKinds.add(kind) : state.edgeKinds.delete(kind);
      apply();
    });
  }
  $("focus").addEventListener("click", () => {
    if (state.selected === null) return;
    state.focus = { node: state.selected, depth: Number($("focus-depth").value) };
    state.search = "";
    $("search").value = "";
    apply(true); // the neighbourhood is laid out afresh, and the nodes move there
  });
  $("unfocus").addEventListener("click", () => { state.focus = null; state.expanded.clear(); apply(true); });
  for (const mode of ["overview", "full"]) {
    $("mode-" + mode).addEventListener("change", () => { setMode(mode); });
  }
  // "overview" (actors, facts folded into links) or "full" (every fact a node); animated unless told not to.
  function setMode(mode, animated = true) {
    if (state.mode === mode) return;
    state.mode = mode;
    $("mode-" + mode).checked = true;
    $("community").disabled = mode !== "overview";
    apply(animated);
    if (!animated) fit();
  }
  $("more-actors").addEventListener("click", () => { state.overviewLimit += 60; apply(true); });
  $("community").addEventListener("change", (event) => { state.community = event.target.checked; apply(); });
  function expand(id) {
    if (!isActor(id)) return;
    state.expanded.has(id) ? state.expanded.delete(id) : state.expanded.add(id);
    if (state.mode !== "overview") setMode("overview");
    else apply(true);
    $("expand").textContent = state.expanded.has(id) ? "Collapse actor" : "Expand actor";
  }
  $("expand").addEventListener("click", () => { if (state.selected !== null) expand(state.selected); });
  network.on("doubleClick", (params) => { if (params.nodes.length) expand(params.nodes[0]); });
  $("physics").addEventListener("change", (event) => {
    network.setOptions({ physics: { enabled: event.target.checked } });
  });
  $("reset").addEventListener("click", () => {
    for (const input of document.querySelectorAll("#controls input[type=checkbox]")) {
      if (input.id !== "physics" && input.id !== "community" && !input.checked) input.click();
    }
    $("search").value = "";
    $("date-from").value = "";
    $("date-to").value = "";
    Object.assign(state, { search: "", from: "", to: "", focus: null, documents: new Set(meta.documents) });
    $("document-search").value = "";
    documentList();
    apply();
    fit();
  });

  function fit(animated) {
    const ids = nodes.getIds({ filter: (n) => !n.hidden });
    if (!ids.length) return;
    if (animated) {
      network.fit({ nodes: ids, animation: { duration: 300, easingFunction: "easeInOutQuad" } });
      setTimeout(relabel, 330);
    } else {
      network.fit({ nodes: ids, animation: false });
      relabel();
    }
  }

  // -- the provenance panel -------------------------------------------------------

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function describeDate(d) {
    if (!d) return null;
    if (!d.value) return "unknown (the source gives no date)";
    return d.value + " (" + d.precision + (d.approximate ? ", approximate: derived, not stated" : "") + ")";
  }

  function showInfo(info, heading) {
    const body = $("panel-body");
    body.replaceChildren();
    if (heading) body.appendChild(el("p", heading, "kind"));
    const sameWord = info.kind === "actor" || info.class.toLowerCase() === info.kind;
    body.appendChild(el("p", sameWord ? info.class : info.class + " · " + info.kind, "kind"));
    body.appendChild(el("h2", info.label));
    const dl = el("dl");
    const row = (term, value) => {
      if (value === undefined || value === null || value === "") return;
      dl.appendChild(el("dt", term));
      dl.appendChild(el("dd", value));
    };
    row("aliases", (info.aliases || []).join(", "));
    row("Wikidata", info.wikidata);
    row("date", describeDate(info.date));
    row("as of", describeDate(info.as_of));
    if (info.kind === "figure") {
      row("value", Number(info.value).toLocaleString("en") + " " + info.unit);
      row("comparator", info.comparator);
      row("counts", info.counts);
    }
    row("medium", info.medium ? info.medium + (info.platform ? " (" + info.platform + ")" : "") : null);
    row("asserted by", info.asserted_by ? (info.asserted_by_document ? "the document itself" : info.asserted_by) : null);
    row("modality", info.modality);
    row("documents", (info.documents || []).join(", "));
    row("reported", info.reported);
    row("note", info.note);
    body.appendChild(dl);
    for (const q of info.evidence || []) {
      const block = el("blockquote");
      block.appendChild(document.createTextNode(q.before || ""));
      block.appendChild(el("mark", q.exact));
      block.appendChild(document.createTextNode(q.after || ""));
      block.appendChild(el("div", `${q.document}, characters ${q.start}–${q.end}`, "source"));
      body.appendChild(block);
    }
    $("panel").hidden = false;
  }

  network.on("click", (params) => {
    if (params.nodes.length) {
      const node = byId.get(params.nodes[0]);
      select(node.id);
    } else if (params.edges.length && overviewById.has(params.edges[0])) {
      const edge = overviewEdge(params.edges[0]);
      window.cubagraphViewer.showFacts(edge, `${edge.from.info.label} — ${edge.to.info.label}`);
      state.selected = null;
      $("focus").disabled = true;
      $("expand").disabled = true;
    } else if (params.edges.length) {
      const edge = allEdges.find((e) => e.id === params.edges[0]);
      const from = byId.get(edge.from).info.label;
      const to = byId.get(edge.to).info.label;
      const source = byId.get(edge.source);
      const heading = `${from} —${edge.label}→ ${to}`;
      if (source) window.cubagraphViewer.showInfo(source.info, heading);
      else {
        $("panel-body").replaceChildren(el("p", heading, "kind"), el("p", "Structure curated in the actor registry (data/actors.yaml), not asserted by a source."));
        $("panel").hidden = false;
      }
      state.selected = null;
      $("focus").disabled = true;
    } else {
      state.selected = null;
      $("focus").disabled = true;
    }
  });
  $("close").addEventListener("click", () => { $("panel").hidden = true; });

  // An overview edge with its ends and facts as nodes (each with .info: label, kind, evidence ...).
  function overviewEdge(id) {
    const e = overviewById.get(id);
    if (!e) return null;
    return { id, from: byId.get(e.from), to: byId.get(e.to), weight: e.weight, kinds: e.kinds, facts: e.facts.map((f) => byId.get(f)), registry: e.registry };
  }

  // The facts behind an overview edge, each with its quotes. panel.js may replace this with a richer list.
  function showFacts(edge, heading) {
    const body = $("panel-body");
    body.replaceChildren(el("p", heading, "kind"));
    body.appendChild(el("h2", edge.weight ? `${edge.weight} ${edge.weight === 1 ? "fact" : "facts"}: ${describeKinds(edge.kinds)}` : "No fact from a document"));
    if (edge.registry.length) body.appendChild(el("p", `Registry structure (data/actors.yaml): ${edge.registry.join(", ")}`));
    const list = el("ol", null, "facts");
    for (const fact of edge.facts) {
      const item = el("li");
      const open = el("button", fact.info.label, "fact");
      open.type = "button";
      open.addEventListener("click", () => select(fact.id));
      item.appendChild(open);
      item.appendChild(el("span", ` (${fact.info.class.toLowerCase() === fact.info.kind ? fact.info.kind : fact.info.class + " · " + fact.info.kind})`, "kind"));
      for (const q of fact.info.evidence || []) {
        const block = el("blockquote");
        block.appendChild(el("mark", q.exact));
        block.appendChild(el("div", `${q.document}, characters ${q.start}–${q.end}`, "source"));
        item.appendChild(block);
      }
      list.appendChild(item);
    }
    body.appendChild(list);
    $("panel").hidden = false;
  }

  // Select a node as a click does: panel links, the reader and shared links call this.
  function select(id) {
    const node = byId.get(id);
    if (!node) return false;
    state.selected = node.id;
    $("focus").disabled = false;
    $("expand").disabled = node.info.kind !== "actor";
    $("expand").textContent = state.expanded.has(node.id) ? "Collapse actor" : "Expand actor";
    network.selectNodes([node.id]);
    window.cubagraphViewer.showInfo(node.info);
    for (const heard of hooks.changed) heard(null);
    return true;
  }

  apply();
  fit();
  network.once("afterDrawing", () => { window.cubagraphViewer.drawn = performance.now(); });

  // For tests and for the curious: the network and its data sets.
  window.cubagraphViewer = {
    network, nodes, edges, state, apply, hooks, select, showInfo, fit, byId, allNodes, allEdges, meta,
    overviewEdges, overviewEdge, showFacts, setMode, expand, relabel, labelled,
    visibleNodes: () => nodes.getIds({ filter: (n) => !n.hidden }),
    visibleEdges: () => edges.getIds({ filter: (e) => !e.hidden }),
    nodeByLabel: (label) => allNodes.find((n) => n.info.label === label),
    iris: (ids) => ids.map((id) => byId.get(id).info.iri),
    drawn: null,
  };
})();
