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
  };
  for (const n of allNodes) if (n.info.modality) state.modalities.add(n.info.modality);
  const allModalities = Array.from(state.modalities).sort();

  const nodes = new vis.DataSet(allNodes.map((n) => ({ ...n, info: undefined })));
  const edges = new vis.DataSet(allEdges.map((e) => ({ ...e, hidden: !(initial.has(e.from) && initial.has(e.to)) })));
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
    let visible = own;
    if (state.search) {
      const q = state.search.toLowerCase();
      const hits = allNodes.filter((n) => own.has(n.id) && matches(n, q)).map((n) => n.id);
      visible = new Set(hits);
      for (const id of hits) for (const m of neighbours.get(id)) if (own.has(m)) visible.add(m);
    } else if (state.focus) {
      visible = new Set([state.focus.node]);
      let frontier = [state.focus.node];
      for (let hop = 0; hop < state.focus.depth; hop++) {
        const next = [];
        for (const id of frontier) for (const m of neighbours.get(id)) if (own.has(m) && !visible.has(m)) { visible.add(m); next.push(m); }
        frontier = next;
      }
    } else if (!narrowing && initial.size < allNodes.length) {
      visible = new Set(Array.from(own).filter((id) => initial.has(id)));
    }
    for (const restrict of hooks.restrict) visible = restrict(visible, own);
    return visible;
  }

  function matches(n, q) {
    if (n.info.label.toLowerCase().includes(q)) return true;
    return (n.info.aliases || []).some((a) => a.toLowerCase().includes(q));
  }

  function apply() {
    const visible = visibleSet();
    nodes.update(allNodes.map((n) => ({ id: n.id, hidden: !visible.has(n.id) })));
    edges.update(allEdges.map((e) => ({
      id: e.id,
      hidden: !(visible.has(e.from) && visible.has(e.to) && state.edgeKinds.has(e.kind)),
    })));
    const shownEdges = allEdges.filter((e) => visible.has(e.from) && visible.has(e.to) && state.edgeKinds.has(e.kind)).length;
    $("counts").textContent = `Showing ${visible.size.toLocaleString("en")} of ${meta.total.nodes.toLocaleString("en")} nodes and ${shownEdges.toLocaleString("en")} of ${meta.total.edges.toLocaleString("en")} links.`;
    const capped = !state.search && !state.focus && !filtersActive() && initial.size < allNodes.length;
    // A large graph: the page holds only its best-connected part (viewer_limit).
    const partial = allNodes.length < meta.total.nodes;
    const notes = [];
    if (capped) notes.push(`The view opens on the ${initial.size.toLocaleString("en")} best-connected nodes. Search for a name, or select a node and focus on it, to see the rest.`);
    if (partial) notes.push(`This page holds the ${allNodes.length.toLocaleString("en")} best-connected of ${meta.total.nodes.toLocaleString("en")} nodes; search and filters reach only these. Raise viewer_limit in pyproject.toml, or ask \`cubagraph neighbors\` and \`cubagraph query\` about the rest.`);
    $("notice").hidden = notes.length === 0;
    $("notice").textContent = notes.join(" ");
    $("unfocus").disabled = !state.focus;
    if (state.search) {
      const hits = allNodes.filter((n) => visible.has(n.id) && matches(n, state.search.toLowerCase())).map((n) => n.id);
      network.selectNodes(hits);
    }
    for (const heard of hooks.changed) heard(visible);
    return visible;
  }

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
  for (const doc of meta.documents) {
    checkbox($("documents"), doc, true, (on) => { on ? state.documents.add(doc) : state.documents.delete(doc); });
  }
  for (const modality of allModalities) {
    checkbox($("modalities"), modality, true, (on) => { on ? state.modalities.add(modality) : state.modalities.delete(modality); });
  }

  let searchTimer = null;
  $("search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = event.target.value.trim(); apply(); fit(); }, 150);
  });
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
    apply();
    fit();
  });
  $("unfocus").addEventListener("click", () => { state.focus = null; apply(); fit(); });
  $("physics").addEventListener("change", (event) => {
    network.setOptions({ physics: { enabled: event.target.checked } });
  });
  $("reset").addEventListener("click", () => {
    for (const input of document.querySelectorAll("#controls input[type=checkbox]")) {
      if (input.id !== "physics" && !input.checked) input.click();
    }
    $("search").value = "";
    $("date-from").value = "";
    $("date-to").value = "";
    Object.assign(state, { search: "", from: "", to: "", focus: null });
    apply();
    fit();
  });

  function fit() {
    const ids = nodes.getIds({ filter: (n) => !n.hidden });
    if (ids.length) network.fit({ nodes: ids, animation: false });
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

  // Select a node as a click does: panel links, the reader and shared links call this.
  function select(id) {
    const node = byId.get(id);
    if (!node) return false;
    state.selected = node.id;
    $("focus").disabled = false;
    network.selectNodes([node.id]);
    window.cubagraphViewer.showInfo(node.info);
    for (const heard of hooks.changed) heard(null);
    return true;
  }

  apply();
  network.once("afterDrawing", () => { window.cubagraphViewer.drawn = performance.now(); });

  // For tests and for the curious: the network and its data sets.
  window.cubagraphViewer = {
    network, nodes, edges, state, apply, hooks, select, showInfo, fit, byId, allNodes, allEdges, meta,
    visibleNodes: () => nodes.getIds({ filter: (n) => !n.hidden }),
    visibleEdges: () => edges.getIds({ filter: (e) => !e.hidden }),
    nodeByLabel: (label) => allNodes.find((n) => n.info.label === label),
    iris: (ids) => ids.map((id) => byId.get(id).info.iri),
    drawn: null,
  };
})();
