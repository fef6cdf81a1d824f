// The provenance panel (replaces viewer.js's plain one): every role of the selected item, each a link
// that selects that node; the speaker's words and the article's attribution styled apart; each sentence
// once, with all its spans; the document by title, opening in the reader; a Wikidata QID as a link that
// is opened only when clicked. Text goes into the page with textContent only.
(function () {
  "use strict";

  const v = window.cubagraphViewer;
  const $ = (id) => document.getElementById(id);

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // Edges drawn from an actor to the fact it takes part in (Blinken —speaker→ statement): the term read at
  // the fact, and the one read at the actor. Other edges go from the fact to what it names.
  const HELD = {
    speaker: ["speaker", "speaker in"], agent: ["agent", "agent in"], organizer: ["organizer", "organizer of"],
    participant: ["participant", "participant in"], party: ["party", "party to"],
    subject: ["subject", "subject of"], holds: ["held by", "holds"],
  };
  const NAMED = {
    about: ["about", "named in"], affected: ["affected", "affected in"], target: ["target", "target of"],
    place: ["place", "place of"], "calls for": ["calls for", "called for by"],
    "asserted by": ["asserted by", "asserts"], via: ["via", "source of"], in: ["in", "post in"],
  };
  const touching = new Map();
  for (const e of v.allEdges) {
    for (const end of [e.from, e.to]) {
      if (!touching.has(end)) touching.set(end, []);
      touching.get(end).push(e);
    }
  }

  function roles(id) {
    const rows = new Map();
    for (const e of touching.get(id) || []) {
      if (e.from === e.to) continue;
      const out = e.from === id;
      const other = out ? e.to : e.from;
      let term;
      if (HELD[e.label]) term = HELD[e.label][out ? 1 : 0];
      else if (NAMED[e.label]) term = NAMED[e.label][out ? 0 : 1];
      else term = out ? e.label : "← " + e.label; // registry structure, a relation's own label
      if (!rows.has(term)) rows.set(term, []);
      if (!rows.get(term).includes(other)) rows.get(term).push(other);
    }
    return rows;
  }

  function nodeLink(id) {
    const node = v.byId.get(id);
    const b = el("button", node ? node.info.label : "?", "link");
    b.type = "button";
    b.title = "Select " + (node ? node.info.kind : "node");
    b.addEventListener("click", () => v.select(id));
    return b;
  }

  function documentLink(doc, at) {
    const title = (v.meta.titles && v.meta.titles[doc] && v.meta.titles[doc][0]) || doc;
    const b = el("button", title, "link");
    b.type = "button";
    b.title = "Read " + doc + " in the page";
    b.addEventListener("click", () => v.openReader && v.openReader(doc, at));
    return b;
  }

  // The spans of one sentence share its text (before + exact + after): one block per sentence, each span marked.
  function quoteBlocks(info) {
    const words = new Set(info.kind === "statement" ? info.quotes || [] : []);
    const groups = new Map();
    for (const q of info.evidence || []) {
      const before = q.before || "", after = q.after || "";
      const full = before + q.exact + after;
      const key = q.document + "\u0000" + full;
      if (!groups.has(key)) groups.set(key, { document: q.document, full, spans: [] });
      groups.get(key).spans.push({ from: before.length, to: before.length + q.exact.length, words: words.has(q.exact), q });
    }
    const out = [];
    for (const g of groups.values()) {
      const block = el("blockquote");
      const cuts = new Set([0, g.full.length]);
      for (const s of g.spans) { cuts.add(s.from); cuts.add(s.to); }
      const at = Array.from(cuts).sort((a, b) => a - b);
      for (let i = 0; i + 1 < at.length; i++) {
        const piece = g.full.slice(at[i], at[i + 1]);
        const over = g.spans.filter((s) => s.from <= at[i] && s.to >= at[i + 1]);
        if (!over.length) { block.appendChild(document.createTextNode(piece)); continue; }
        const kinds = words.size ? over.map((s) => (s.words ? "words" : "attribution")) : [];
        block.appendChild(el("mark", piece, Array.from(new Set(kinds)).join(" ")));
      }
      const first = g.spans[0].q;
      const where = g.spans.map((s) => `${s.q.start}–${s.q.end}`).join(", ");
      const source = el("div", null, "source");
      source.appendChild(document.createTextNode(`${g.document}, characters ${where} · `));
      source.appendChild(documentLink(g.document, { start: first.start, end: first.end }));
      const open = el("button", "Open in reader", "read");
      open.type = "button";
      open.addEventListener("click", () => v.openReader(g.document, { start: first.start, end: first.end }));
      source.appendChild(open);
      block.appendChild(source);
      out.push(block);
    }
    return out;
  }

  function describeDate(d) {
    if (!d) return null;
    if (!d.value) return "unknown (the source gives no date)";
    return d.value + " (" + d.precision + (d.approximate ? ", approximate: derived, not stated" : "") + ")";
  }

  function show(info, heading) {
    const body = $("panel-body");
    body.replaceChildren();
    const node = v.allNodes.find((n) => n.info === info);
    if (heading) body.appendChild(el("p", heading, "kind"));
    const sameWord = info.kind === "actor" || info.class.toLowerCase() === info.kind;
    body.appendChild(el("p", sameWord ? info.class : info.class + " · " + info.kind, "kind"));
    body.appendChild(el("h2", info.label));
    if (node) {
      const dl = el("dl", null, "roles");
      for (const [term, ids] of roles(node.id)) {
        dl.appendChild(el("dt", term));
        const dd = el("dd");
        for (const id of ids.slice(0, 50)) dd.appendChild(nodeLink(id));
        if (ids.length > 50) dd.appendChild(el("span", `and ${ids.length - 50} more`));
        dl.appendChild(dd);
      }
      if (dl.childElementCount) body.appendChild(dl);
    }
    const dl = el("dl");
    const row = (term, value) => {
      if (value === undefined || value === null || value === "") return;
      dl.appendChild(el("dt", term));
      const dd = el("dd");
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
      dl.appendChild(dd);
    };
    row("aliases", (info.aliases || []).join(", "));
    if (info.wikidata && /^Q[1-9][0-9]*$/.test(info.wikidata)) {
      const a = el("a", info.wikidata);
      a.href = "https://www.wikidata.org/wiki/" + info.wikidata;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      row("Wikidata", a);
    } else row("Wikidata", info.wikidata);
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
    if ((info.documents || []).length) {
      const span = el("span");
      for (const doc of info.documents) span.appendChild(documentLink(doc));
      row(info.documents.length > 1 ? "documents" : "document", span);
    }
    row("same event as", info.same_as_label); // one event several documents tell (the registry's)
    row("reported", info.reported);
    row("note", info.note);
    body.appendChild(dl);
    const blocks = quoteBlocks(info);
    if (blocks.length) {
      body.appendChild(el("h3", "Evidence"));
      if (info.kind === "statement" && (info.quotes || []).length) {
        const key = el("div", null, "key");
        key.appendChild(el("mark", "the speaker's words", "words"));
        key.appendChild(el("mark", "the article's attribution", "attribution"));
        body.appendChild(key);
      }
      for (const b of blocks) body.appendChild(b);
    }
    $("panel").hidden = false;
  }

  // A link of the actor overview: the facts behind it, each with its roles and quotes.
  function showFacts(edge, heading) {
    const body = $("panel-body");
    body.replaceChildren();
    body.appendChild(el("p", heading || "Link between two actors", "kind"));
    const end = (x) => (typeof x === "object" && x !== null ? x.id : x);
    const h2 = el("h2");
    h2.append(nodeLink(end(edge.from)), document.createTextNode(" — "), nodeLink(end(edge.to)));
    body.appendChild(h2);
    const kinds = Object.entries(edge.kinds || {}).map(([k, n]) => `${n} ${k}${n === 1 ? "" : "s"}`).join(", ");
    body.appendChild(el("p", `${edge.weight} fact${edge.weight === 1 ? "" : "s"} name both${kinds ? ": " + kinds : ""}.`));
    if ((edge.registry || []).length) body.appendChild(el("p", "Registry: " + edge.registry.join(", "), "source"));
    for (const fact of edge.facts || []) {
      const section = el("section", null, "fact");
      section.appendChild(el("h3", fact.info.class + " · " + fact.info.kind));
      section.appendChild(nodeLink(fact.id));
      const dl = el("dl", null, "roles");
      for (const [term, ids] of roles(fact.id)) {
        dl.appendChild(el("dt", term));
        const dd = el("dd");
        for (const id of ids.slice(0, 20)) dd.appendChild(nodeLink(id));
        dl.appendChild(dd);
      }
      section.appendChild(dl);
      for (const b of quoteBlocks(fact.info)) section.appendChild(b);
      body.appendChild(section);
    }
    $("panel").hidden = false;
  }

  v.showInfo = show;
  v.showFacts = showFacts;
  v.quoteBlocks = quoteBlocks;
  v.roles = roles;
})();
