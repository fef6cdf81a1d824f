// Sharing: the URL fragment holds the view's state, so that a link or a bookmark reopens the same view;
// and "Export" saves the view as drawn (PNG) and the nodes and links shown (CSV).
//
// The fragment is key=value pairs joined by "&", each value encodeURIComponent'd; nodes are named by
// IRI, which a rebuild keeps. Any subset is valid: the query page links results as #select=<IRI>.
//   select  the selected node          focus, depth  the focused node and its hops
//   mode    full (the actor overview is the default)   expand  actors expanded in it   q  the search
//   from, to, undated=0    the date filter            range=a..b, axis=reported  the timeline's brush
//   hide-classes, hide-docs, hide-mod, hide-links   what the filters leave out, comma-separated
//   read    the document open in the reader      actors  how many actors the overview shows
(function () {
  "use strict";

  const v = window.cubagraphViewer;
  const s = v.state;
  const $ = (id) => document.getElementById(id);
  const byIri = new Map(v.allNodes.map((n) => [n.info.iri, n.id]));
  const iri = (id) => (v.byId.has(id) ? v.byId.get(id).info.iri : null);
  const legendKeys = v.meta.legend.map((l) => l.kind + ":" + l.name);
  const modalities = Array.from(new Set(v.allNodes.map((n) => n.info.modality).filter(Boolean))).sort();
  let restoring = false;
  const overviewLimit = s.overviewLimit; // how many actors the overview shows at first ("More actors" adds)

  const list = (values) => values.map(encodeURIComponent).join(",");
  const unlist = (text) => (text ? text.split(",").map(decodeURIComponent) : []);

  function fragment() {
    const p = [];
    const put = (key, value) => p.push(key + "=" + encodeURIComponent(value));
    if (s.selected !== null && iri(s.selected)) put("select", iri(s.selected));
    if (s.focus && iri(s.focus.node)) { put("focus", iri(s.focus.node)); put("depth", String(s.focus.depth)); }
    if (s.mode && s.mode !== "overview") put("mode", s.mode);
    if (s.expanded && s.expanded.size) p.push("expand=" + list(Array.from(s.expanded).map(iri).filter(Boolean)));
    if (s.overviewLimit !== undefined && s.overviewLimit !== overviewLimit) put("actors", String(s.overviewLimit));
    if (s.search) put("q", s.search);
    if (s.from) put("from", s.from);
    if (s.to) put("to", s.to);
    if (!s.undated) put("undated", "0");
    const hidden = (all, shown) => all.filter((x) => !shown.has(x));
    const hc = hidden(legendKeys, s.classes), hd = hidden(v.meta.documents, s.documents);
    const hm = hidden(modalities, s.modalities), hl = hidden(["attribution", "registry"], s.edgeKinds);
    if (hc.length) p.push("hide-classes=" + list(hc));
    if (hd.length) p.push("hide-docs=" + list(hd));
    if (hm.length) p.push("hide-mod=" + list(hm));
    if (hl.length) p.push("hide-links=" + list(hl));
    if (v.timeline && v.timeline.range) put("range", v.timeline.range.join(".."));
    if (v.timeline && v.timeline.axis !== "happened") put("axis", v.timeline.axis);
    if (v.reading) put("read", v.reading);
    return p.length ? "#" + p.join("&") : "";
  }

  function write() {
    if (restoring) return;
    const hash = fragment();
    if (hash === location.hash || (hash === "" && location.hash === "")) return;
    history.replaceState(null, "", hash || location.pathname + location.search);
  }

  // The filter checkboxes show the state: tick each as the state says, by the order viewer.js made them.
  function tick(container, keys, shown) {
    const inputs = document.querySelectorAll(`#${container} input[type=checkbox]`);
    if (inputs.length !== keys.length) return;
    keys.forEach((key, i) => { inputs[i].checked = shown.has(key); });
  }

  function read() {
    const pairs = new Map();
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      if (!part) continue;
      const at = part.indexOf("=");
      const key = at < 0 ? part : part.slice(0, at);
      const raw = at < 0 ? "" : part.slice(at + 1);
      try { pairs.set(key, key.startsWith("hide-") ? raw : decodeURIComponent(raw)); } catch (e) { /* a mangled value: skipped */ }
    }
    restoring = true;
    const missing = [];
    try {
      const hide = (key, all) => { const out = new Set(unlist(pairs.get(key) || "")); return new Set(all.filter((x) => !out.has(x))); };
      s.classes = hide("hide-classes", legendKeys);
      s.documents = hide("hide-docs", v.meta.documents);
      s.modalities = hide("hide-mod", modalities);
      s.edgeKinds = hide("hide-links", ["link", "attribution", "registry"]);
      tick("classes", legendKeys, s.classes);
      tick("documents", v.meta.documents, s.documents);
      tick("modalities", modalities, s.modalities);
      for (const kind of ["attribution", "registry"]) if ($("edge-" + kind)) $("edge-" + kind).checked = s.edgeKinds.has(kind);
      s.from = pairs.get("from") || "";
      s.to = pairs.get("to") || "";
      s.undated = pairs.get("undated") !== "0";
      $("date-from").value = s.from;
      $("date-to").value = s.to;
      $("undated").checked = s.undated;
      if (overviewLimit !== undefined) s.overviewLimit = Math.max(1, Number(pairs.get("actors")) || overviewLimit);
      s.search = pairs.get("q") || "";
      $("search").value = s.search;
      if (s.mode !== undefined) {
        s.mode = pairs.get("mode") === "full" ? "full" : "overview";
        if ($("mode-" + s.mode)) $("mode-" + s.mode).checked = true;
      }
      if (s.expanded) s.expanded = new Set(unlist(pairs.get("expand") || "").map((x) => byIri.get(x)).filter((x) => x !== undefined));
      const focus = pairs.has("focus") ? byIri.get(pairs.get("focus")) : undefined;
      if (pairs.has("focus") && focus === undefined) missing.push(pairs.get("focus"));
      const depth = Math.min(3, Math.max(1, Number(pairs.get("depth")) || 2));
      s.focus = focus === undefined ? null : { node: focus, depth };
      if (s.focus) $("focus-depth").value = String(depth);
      if (v.timeline) {
        v.timeline.setAxis(pairs.get("axis") || "happened");
        const range = (pairs.get("range") || "").split("..");
        v.timeline.range = range.length === 2 && /^\d{4}-\d{2}-\d{2}$/.test(range[0]) && /^\d{4}-\d{2}-\d{2}$/.test(range[1]) ? range : null;
      }
      v.apply();
      v.fit();
      const selected = pairs.has("select") ? byIri.get(pairs.get("select")) : undefined;
      if (pairs.has("select") && selected === undefined) missing.push(pairs.get("select"));
      if (selected !== undefined) v.select(selected);
      if (pairs.has("read") && v.openReader) pairs.get("read") ? v.openReader(pairs.get("read")) : v.listDocuments();
    } finally {
      restoring = false;
    }
    if (missing.length) {
      const notice = $("notice");
      notice.hidden = false;
      notice.textContent = `The link names ${missing.length === 1 ? "a node" : "nodes"} this page does not hold: ${missing.join(", ")}.`;
    }
    write();
  }

  v.hooks.changed.push(write);
  v.network.on("click", () => setTimeout(write, 0)); // a click on nothing deselects, outside apply()
  $("focus-depth").addEventListener("change", write);
  window.addEventListener("hashchange", () => { if (location.hash !== fragment()) read(); });

  // -- export ------------------------------------------------------------------------------------------
  function download(name, href) {
    const a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  $("export-png").addEventListener("click", () => {
    const source = v.network.canvas.frame.canvas;
    const copy = document.createElement("canvas");
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff"; // the network's canvas is transparent
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(source, 0, 0);
    download("cubagraph-view.png", copy.toDataURL("image/png"));
  });

  // A cell that starts with = + - @ would be a formula in a spreadsheet: it is prefixed with '.
  const cell = (value) => {
    let text = value === undefined || value === null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  };

  function csv() {
    const shownNodes = v.visibleNodes();
    const rows = [["element", "iri", "label", "kind", "class", "from", "to", "modality", "date", "documents"]];
    for (const id of shownNodes) {
      const info = v.byId.get(id).info;
      const d = info.date || info.as_of;
      rows.push(["node", info.iri, info.label, info.kind, info.class, "", "", info.modality, d && d.value, (info.documents || []).join("; ")]);
    }
    const edges = new Map(v.allEdges.map((e) => [e.id, e]));
    for (const id of v.visibleEdges()) {
      const e = edges.get(id);
      rows.push(["edge", "", e.label, e.kind, "", iri(e.from), iri(e.to), "", "", ""]);
    }
    return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  }

  $("export-csv").addEventListener("click", () => {
    download("cubagraph-view.csv", "data:text/csv;charset=utf-8," + encodeURIComponent(csv()));
  });

  v.share = { fragment, read, csv };
  if (location.hash) read();
})();
