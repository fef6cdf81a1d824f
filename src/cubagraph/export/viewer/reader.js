// The document reader: a document's text in the page, every mapped quote highlighted where its stored
// offsets say (never searched for again), each clickable to the fact that cites it, and the sentences that
// no fact cites marked, which is the mapping's coverage at a glance. Offsets count code points, as the
// build's do; they are turned into the page's UTF-16 positions here. Text goes in with textContent only.
(function () {
  "use strict";

  const v = window.cubagraphViewer;
  const $ = (id) => document.getElementById(id);
  const docs = JSON.parse($("cubagraph-documents").textContent);
  const titles = v.meta.titles || {};
  const box = $("reader");

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // Each document's quotes on the page: [start, end, node id], by stored offsets.
  const quotes = new Map();
  for (const n of v.allNodes) {
    for (const q of n.info.evidence || []) {
      if (q.start === undefined || q.start === null) continue;
      if (!quotes.has(q.document)) quotes.set(q.document, []);
      quotes.get(q.document).push([q.start, q.end, n.id]);
    }
  }

  // Code point offset -> UTF-16 index (null when the text has no character outside the BMP: they agree).
  function units(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return null;
    const map = [0];
    let i = 0;
    for (const ch of text) { i += ch.length; map.push(i); }
    return map;
  }

  function closeButton() {
    const b = el("button", "×", "close");
    b.type = "button";
    b.setAttribute("aria-label", "Close the reader");
    b.addEventListener("click", close);
    return b;
  }

  function close() {
    box.hidden = true;
    box.replaceChildren();
    v.reading = null;
    for (const heard of v.hooks.changed) heard(null);
  }

  function open(doc, at) {
    box.replaceChildren(closeButton());
    box.hidden = false;
    v.reading = doc;
    const data = docs[doc];
    const title = data ? data.title : (titles[doc] && titles[doc][0]) || doc;
    box.appendChild(el("h2", title));
    if (!data) {
      box.appendChild(el("p", `The text of ${doc} is not held in this page: a page holds the texts of the documents with most nodes on it, up to viewer_texts characters ([tool.cubagraph] in pyproject.toml). Read it under data/documents/.`, "meta"));
      return;
    }
    const mine = quotes.get(doc) || [];
    box.appendChild(el("p", [doc, data.published ? "published " + data.published : "", data.file].filter(Boolean).join(" · "), "meta"));
    const legend = el("div", null, "legend");
    legend.appendChild(el("mark", `${mine.length} mapped quote${mine.length === 1 ? "" : "s"}: click one to select its fact`, "quote"));
    legend.appendChild(el("span", `${data.uncited.length} passage${data.uncited.length === 1 ? "" : "s"} no fact cites`, "uncited"));
    box.appendChild(legend);
    const text = data.text;
    const map = units(text);
    const u = (cp) => (map ? map[cp] : cp);
    const length = map ? map.length - 1 : text.length;
    const cuts = new Set([0, length]);
    for (const [s, e] of mine) { cuts.add(s); cuts.add(e); }
    for (const [s, e] of data.cited) { cuts.add(s); cuts.add(e); }
    for (const [s, e] of data.uncited) { cuts.add(s); cuts.add(e); }
    const at2 = Array.from(cuts).filter((c) => c >= 0 && c <= length).sort((a, b) => a - b);
    const body = el("div", null, "text");
    let current = null;
    for (let i = 0; i + 1 < at2.length; i++) {
      const a = at2[i], b = at2[i + 1];
      const piece = text.slice(u(a), u(b));
      // The facts whose quotes cover this stretch, the most specific (shortest quote) first.
      const by = mine.filter(([s, e]) => s <= a && e >= b).sort((x, y) => (x[1] - x[0]) - (y[1] - y[0]) || x[2] - y[2])
        .map(([, , id]) => id).filter((id, i, all) => all.indexOf(id) === i);
      if (by.length) {
        const mark = el("mark", piece, "quote");
        mark.dataset.start = String(a);
        mark.dataset.end = String(b);
        mark.dataset.nodes = by.join(" ");
        mark.title = by.length === 1 ? v.byId.get(by[0]).info.label : `${by.length} facts cite this; click again for the next`;
        let next = 0;
        mark.addEventListener("click", () => { v.select(by[next % by.length]); next++; });
        if (at && at.start <= a && at.end >= b) {
          mark.classList.add("current");
          if (!current) current = mark;
        }
        body.appendChild(mark);
      } else if (data.cited.some(([s, e]) => s <= a && e >= b)) {
        const span = el("span", piece, "cited");
        span.title = "Cited by a fact this page does not hold (or by a date's derivation)";
        body.appendChild(span);
      } else if (data.uncited.some(([s, e]) => s <= a && e >= b)) {
        const span = el("span", piece, "uncited");
        span.title = "No fact cites this passage";
        body.appendChild(span);
      } else body.appendChild(document.createTextNode(piece));
    }
    box.appendChild(body);
    if (current) current.scrollIntoView({ block: "center" });
    for (const heard of v.hooks.changed) heard(null);
  }

  // The list of documents, searchable, each opening in the reader.
  function list() {
    box.replaceChildren(closeButton());
    box.hidden = false;
    v.reading = "";
    box.appendChild(el("h2", "Documents"));
    const ids = Object.keys(titles).sort();
    const held = ids.filter((d) => docs[d]).length;
    box.appendChild(el("p", `${ids.length.toLocaleString("en")} documents; this page holds the text of ${held.toLocaleString("en")}.`, "meta"));
    const search = el("input");
    search.type = "search";
    search.placeholder = "Filter by title or id";
    search.setAttribute("aria-label", "Filter documents");
    box.appendChild(search);
    const ul = el("ul", null, "documents");
    box.appendChild(ul);
    const fill = () => {
      const q = search.value.trim().toLowerCase();
      const hits = ids.filter((d) => !q || d.toLowerCase().includes(q) || titles[d][0].toLowerCase().includes(q));
      ul.replaceChildren();
      for (const d of hits.slice(0, 100)) {
        const li = el("li");
        const b = el("button", titles[d][0] || d, "link");
        b.type = "button";
        b.addEventListener("click", () => open(d));
        li.appendChild(b);
        li.appendChild(el("span", ` · ${d}${titles[d][1] ? " · " + titles[d][1] : ""}${docs[d] ? "" : " · text not in this page"}`, "meta"));
        ul.appendChild(li);
      }
      if (hits.length > 100) ul.appendChild(el("li", `and ${(hits.length - 100).toLocaleString("en")} more: narrow the filter`));
    };
    search.addEventListener("input", fill);
    fill();
  }

  $("open-documents").addEventListener("click", list);
  v.openReader = open;
  v.listDocuments = list;
  v.closeReader = close;
  v.reading = null;
})();
