// The query page: the saved queries with a field for each parameter, an editor (Yasqe, vendored under
// /static/vendor/), results whose IRIs are prefixed names that open the network view, downloads, and a
// permalink. Nothing is fetched from anywhere but this server. Every value from the graph or from a
// server message is inserted with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { library: [], prefixes: {}, base: "", viewer: "/viewer", saved: null, lateral: false };

let editor = null; // made once the server has said which prefixes to complete

function makeEditor(prefixes) {
  // Prefixes complete after PREFIX, and a prefix typed in the query is declared for you: from this
  // project's prefixes, never from prefix.cc.
  const declared = Object.entries(prefixes).map(([p, iri]) => p + ": <" + iri + ">").sort();
  Yasqe.forkAutocompleter("prefixes", { name: "cgprefixes", persistenceId: null, get: () => declared }, false);
  // Yasqe's own class and property completers ask lov.linkeddata.es; ours offer the terms that the
  // project's ontology declares, asked of this server once. (The defaults are merged into the config,
  // so the list must be replaced there, not only passed below.)
  const terms = (types) =>
    post(`SELECT DISTINCT ?term WHERE { ?term a ?type VALUES ?type { ${types} } FILTER(isIRI(?term)) } ORDER BY ?term`, "json", [])
      .then((r) => (r.ok ? r.json() : { results: { bindings: [] } }))
      .then((data) => data.results.bindings.map((b) => b.term.value));
  const properties = terms("owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property");
  const classes = terms("owl:Class rdfs:Class");
  const local = { bulk: true, persistenceId: null, autoShow: true };
  Yasqe.forkAutocompleter("property", { ...local, name: "cgproperties", get: () => properties }, false);
  Yasqe.forkAutocompleter("class", { ...local, name: "cgclasses", get: () => classes }, false);
  const completers = ["cgprefixes", "cgproperties", "cgclasses", "variables"];
  Yasqe.defaults.autocompleters = completers;
  const made = new Yasqe($("editor"), {
    value: "",
    persistenceId: null, // the permalink, not the browser's storage, keeps a query
    consumeShareLink: null,
    createShareableLink: null, // our own permalink below, which carries the parameters too
    showQueryButton: false,
    resizeable: true,
    editorHeight: "300px",
    prefixCcApi: null,
    autocompleters: completers,
  });
  // The server predeclares these prefixes, so that a query may use cg: without a PREFIX line: Yasqe's
  // own syntax check, which would flag every such use, starts each text knowing them too.
  const mode = made.getMode();
  const start = mode.startState;
  mode.startState = (...args) => {
    const s = start.apply(mode, args);
    Object.assign(s.prefixes, prefixes);
    return s;
  };
  return made;
}

// -- what the server tells us: its prefixes, the saved queries, the actors for the actor fields -------

function fetchJSON(url) {
  return fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(url + ": " + r.status))));
}

const ready = Promise.all([fetchJSON("/page.json"), fetchJSON("/queries.json")]).then(([page, library]) => {
  Object.assign(state, { prefixes: page.prefixes, base: page.base, viewer: page.viewer, library });
  editor = makeEditor(page.prefixes);
  editor.addKeyMap({ "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() });
  editor.on("change", () => {
    if (marked) marked.clear();
    marked = null;
    // Yasqe's grammar is SPARQL 1.1's, which has no LATERAL (SEP-0006, which Oxigraph runs and the faster
    // saved queries use): its own check would call such a query invalid, so the server's check alone speaks.
    const lateral = /\bLATERAL\b/i.test(editor.getValue());
    if (lateral !== state.lateral) {
      state.lateral = lateral;
      editor.setCheckSyntaxErrors(!lateral);
      $("lateral").hidden = !lateral;
    }
  });
  drawLibrary();
  loadActors();
});

function drawLibrary() {
  const list = $("saved");
  for (const q of state.library) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.dataset.name = q.name;
    button.textContent = q.name;
    button.title = q.question;
    if (q.params.length) {
      const takes = document.createElement("small");
      takes.textContent = " (" + q.params.map((p) => p.name).join(", ") + ")";
      button.appendChild(takes);
    }
    button.addEventListener("click", () => choose(q.name, {}));
    item.appendChild(button);
    list.appendChild(item);
  }
}

function loadActors() {
  // Suggestions for the actor fields: every actor's id (the part after actor:) and its name.
  const text = "SELECT ?actor ?name WHERE { ?actor rdfs:label ?name FILTER(STRSTARTS(STR(?actor), STR(actor:))) } ORDER BY ?name";
  post(text, "json", []).then(async (r) => {
    if (!r.ok) return;
    const list = $("actors");
    for (const b of (await r.json()).results.bindings) {
      const option = document.createElement("option");
      option.value = b.actor.value.slice(state.prefixes.actor.length);
      option.textContent = b.name.value;
      list.appendChild(option);
    }
  });
}

// -- choosing a query; its parameters' fields ----------------------------------------------------------

function choose(name, values) {
  const q = state.library.find((x) => x.name === name) || null;
  state.saved = q;
  for (const b of document.querySelectorAll("#saved button")) b.classList.toggle("current", b.dataset.name === name);
  $("question").textContent = q ? q.question : "";
  if (q) editor.setValue(q.text);
  $("form-switch").hidden = !q || q.portable === q.text;
  $("form-switch").textContent = "show the SPARQL 1.1 form, for any store";
  drawParams(q ? q.params : [], values);
  clearResults();
}

function drawParams(params, values) {
  const box = $("params");
  box.replaceChildren();
  for (const p of params) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = p.name;
    const input = document.createElement("input");
    input.name = p.name;
    input.required = true;
    input.dataset.param = p.name;
    input.type = { integer: "number", date: "date" }[p.type] || "text";
    if (p.type === "actor") input.setAttribute("list", "actors");
    input.placeholder = p.help;
    input.value = values[p.name] || "";
    const help = document.createElement("small");
    help.textContent = p.help;
    label.append(name, input, help);
    box.appendChild(label);
  }
}

function paramValues() {
  return Array.from(document.querySelectorAll("#params input")).map((i) => [i.dataset.param, i.value]);
}

// -- running ------------------------------------------------------------------------------------------

const ACCEPT = { json: "application/sparql-results+json, text/turtle;q=0.9", csv: "text/csv" };

function post(text, format, params) {
  const body = new URLSearchParams({ query: text });
  for (const [name, value] of params) body.append("param", name + "=" + value);
  // The saved query's `# param:` lines say how a value becomes a term (an actor's name, a date ...).
  if (params.length && state.saved) body.set("saved", state.saved.name);
  return fetch("/sparql", { method: "POST", headers: { Accept: ACCEPT[format] }, body });
}

function downloadHref(format) {
  const url = new URLSearchParams({ query: editor.getValue(), format });
  for (const [name, value] of paramValues()) url.append("param", name + "=" + value);
  if (url.has("param") && state.saved) url.set("saved", state.saved.name);
  return "/sparql?" + url.toString();
}

let marked = null;

function clearResults() {
  $("results").replaceChildren();
  $("error").hidden = true;
  $("status").textContent = "";
  if (marked) marked.clear();
  marked = null;
}

async function run() {
  clearResults();
  const form = $("form");
  if (!form.reportValidity()) return;
  $("status").textContent = "running…";
  const started = performance.now();
  let response;
  try {
    response = await post(editor.getValue(), "json", paramValues());
  } catch (e) {
    return showError(JSON.stringify({ error: { message: "the server did not answer — is `cubagraph serve` still running?" } }), 0);
  }
  const ms = Math.round(performance.now() - started);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) return showError(await response.text(), response.status);
  if (type.startsWith("text/turtle")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    $("results").appendChild(pre);
    $("status").textContent = ms + " ms";
    setDownloads(true);
    return;
  }
  const data = await response.json();
  setDownloads(false);
  if ("boolean" in data) {
    $("status").textContent = (data.boolean ? "yes" : "no") + " · " + ms + " ms";
    return;
  }
  $("results").appendChild(table(data));
  const n = data.results.bindings.length;
  $("status").textContent = n + " row" + (n === 1 ? "" : "s") + " · " + ms + " ms";
}

let graphResults = false; // the last run's results were a graph (CONSTRUCT, DESCRIBE): JSON-LD, no CSV

function setDownloads(graph) {
  graphResults = graph;
  $("csv").hidden = graph;
  $("json").textContent = graph ? "JSON-LD" : "JSON";
  $("json").download = graph ? "results.jsonld" : "results.json";
}

// A download asks /sparql for the query as it is in the editor when clicked, with its parameters.
$("csv").addEventListener("click", () => ($("csv").href = downloadHref("csv")));
$("json").addEventListener("click", () => ($("json").href = downloadHref(graphResults ? "jsonld" : "json")));

function showError(text, status) {
  $("status").textContent = "";
  let message = text;
  try {
    message = JSON.parse(text).error.message;
  } catch (e) {
    message = "the server answered " + status + ": " + text.slice(0, 300);
  }
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
  // "line 3, column 7" (or "at 3:7") in the message: put the cursor there and mark the spot.
  const m = /line (\d+),? column (\d+)/i.exec(message) || /\bat (\d+):(\d+)/.exec(message);
  if (m) {
    const line = Number(m[1]) - 1;
    const ch = Math.max(Number(m[2]) - 1, 0);
    const text = editor.getLine(line) || "";
    // From the spot to the line's end; a spot at the end of its line marks the character before it.
    const from = ch < text.length ? ch : Math.max(text.length - 1, 0);
    const span = editor.markText({ line, ch: from }, { line, ch: text.length }, { className: "cg-error-mark" });
    const handle = editor.addLineClass(line, "background", "cg-error-line");
    marked = { clear: () => (span.clear(), editor.removeLineClass(handle, "background", "cg-error-line")) };
    editor.setCursor({ line, ch });
    editor.focus();
  }
}

// -- results: IRIs as prefixed names, linked to the network view ---------------------------------------

function prefixed(iri) {
  let best = null;
  for (const [p, ns] of Object.entries(state.prefixes)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  const local = best ? iri.slice(best[1].length) : "";
  // A prefixed name's local part may not hold every character an IRI can: show the IRI whole then.
  return best && /^[\w.-]*$/.test(local) && !local.endsWith(".") ? best[0] + ":" + local : "<" + iri + ">";
}

function documentId(iri) {
  // A document (document/<id>) or its graph (graph/<id>): the view reads it rather than selects it.
  for (const ns of [state.prefixes.document, state.prefixes.graph]) {
    if (ns && iri.startsWith(ns) && iri.length > ns.length) return iri.slice(ns.length);
  }
  return null;
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const text = prefixed(term.value);
    if (term.value.startsWith(state.base)) {
      const a = document.createElement("a");
      const doc = documentId(term.value);
      // The view's fragment (its share.js): #select=<IRI> selects a node, #read=<id> opens a document.
      a.href = state.viewer + (doc === null ? "#select=" + encodeURIComponent(term.value) : "#read=" + encodeURIComponent(doc));
      a.textContent = text;
      a.title = term.value + (doc === null ? " — open in the network view" : " — read it in the network view");
      td.appendChild(a);
    } else {
      td.textContent = text;
      td.title = term.value;
    }
    td.className = "iri";
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.textContent = term.value;
    const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? prefixed(term.datatype) : "";
    if (note && !note.endsWith(":string")) {
      const small = document.createElement("small");
      small.textContent = " " + note;
      td.appendChild(small);
    }
  }
  return td;
}

function table(data) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const v of data.head.vars) row.appendChild(cell(binding[v]));
  }
  return t;
}

// -- the permalink: the query, the saved query's name and the parameters, in the URL fragment ---------

function permalink() {
  const hash = new URLSearchParams();
  // The text always: the link gives back this very query even after the saved one changes.
  if (state.saved) hash.set("name", state.saved.name);
  hash.set("query", editor.getValue());
  for (const [name, value] of paramValues()) hash.set("param." + name, value);
  return location.pathname + "#" + hash.toString();
}

function fromHash() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const values = {};
  for (const [key, value] of hash) if (key.startsWith("param.")) values[key.slice(6)] = value;
  if (hash.has("name")) choose(hash.get("name"), values);
  else drawParams([], {});
  if (hash.has("query")) editor.setValue(hash.get("query"));
  return hash.has("name") || hash.has("query");
}

$("permalink").addEventListener("click", (event) => {
  event.preventDefault();
  history.replaceState(null, "", permalink());
  $("permalink").href = location.href;
  $("status").textContent = "the address bar now holds this query";
});

// A saved query with a faster Oxigraph form (LATERAL) also has a SPARQL 1.1 one, for any other store.
$("form-switch").addEventListener("click", () => {
  const q = state.saved;
  const portable = editor.getValue() !== q.portable;
  editor.setValue(portable ? q.portable : q.text);
  $("form-switch").textContent = portable ? "show the Oxigraph form, which cubagraph runs" : "show the SPARQL 1.1 form, for any store";
});

$("blank").addEventListener("click", () => {
  choose("", {});
  editor.setValue("SELECT ?name WHERE {\n  ?actor a cg:Person ;\n         rdfs:label ?name .\n}\nORDER BY ?name\n");
});

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
ready.then(() => {
  if (fromHash()) run();
  else $("blank").click();
  // A permalink pasted into this tab changes only the fragment: load it as a new page would.
  window.addEventListener("hashchange", () => fromHash() && run());
  document.body.dataset.ready = "true"; // for the tests: the library, prefixes and actors are in
});
