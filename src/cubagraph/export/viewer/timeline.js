// The timeline: the page's dated events and statements on their "happened" axis (or, on request, when
// their document was published), each drawn over the whole range its date allows (a month is a month
// wide); undated ones are counted, never placed. Brushing a range shows the items it meets and their
// neighbours. Drawn here in SVG; nothing is fetched. Labels go in with textContent only.
(function () {
  "use strict";

  const v = window.cubagraphViewer;
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  const box = $("timeline");
  const KINDS = { event: "#e8710a", statement: "#c5221f" };
  const DAY = 86400000;
  const tl = { axis: "happened", range: null };

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }

  const day = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY;
  const iso = (d) => new Date(Math.round(d) * DAY).toISOString().slice(0, 10);

  // "2023", "2023-07", "2023-07-11", or "a/b" of those, as [earliest, latest] days; null if none of these.
  function bounds(text) {
    const one = (s, last) => {
      const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(s);
      if (!m) return null;
      if (m[3]) return day(s);
      if (m[2]) return last ? Date.UTC(+m[1], +m[2], 0) / DAY : Date.UTC(+m[1], +m[2] - 1, 1) / DAY;
      return last ? Date.UTC(+m[1], 11, 31) / DAY : Date.UTC(+m[1], 0, 1) / DAY;
    };
    const [a, b] = text.split("/");
    const lo = one(a, false), hi = one(b || a, true);
    return lo === null || hi === null ? null : [lo, hi];
  }

  function when(n, axis) {
    if (axis === "reported") {
      const r = (n.info.reported || "").replace(/ \(approx\.\)$/, "");
      const b = bounds(r);
      return b && { lo: b[0], hi: b[1], approximate: / \(approx\.\)$/.test(n.info.reported || ""), text: n.info.reported };
    }
    const d = n.info.date;
    if (!d || !d.earliest) return null;
    return { lo: day(d.earliest), hi: day(d.latest || d.earliest), approximate: !!d.approximate, text: d.value };
  }

  const items = v.allNodes.filter((n) => KINDS[n.info.kind]);
  const neighbours = new Map();
  for (const e of v.allEdges) {
    for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) {
      if (!neighbours.has(a)) neighbours.set(a, new Set());
      neighbours.get(a).add(b);
    }
  }

  // Brushing: the items whose date meets the range, and their neighbours, among what the other filters
  // show. An item the filters pass but the view folds away (the actor overview) still brings its actors.
  v.hooks.restrict.push((visible, own) => {
    if (!tl.range) return visible;
    const lo = day(tl.range[0]), hi = day(tl.range[1]);
    const out = new Set();
    for (const n of items) {
      const w = when(n, tl.axis);
      if (!w || w.hi < lo || w.lo > hi || !(visible.has(n.id) || own.has(n.id))) continue;
      if (visible.has(n.id)) out.add(n.id);
      for (const m of neighbours.get(n.id) || []) if (visible.has(m)) out.add(m);
    }
    return out;
  });

  // -- drawing -------------------------------------------------------------------------------------------
  const bar = el("div", null, "bar");
  const axisSelect = el("select");
  for (const [value, text] of [["happened", "when it happened"], ["reported", "when it was reported"]]) {
    const o = el("option", text);
    o.value = value;
    axisSelect.appendChild(o);
  }
  axisSelect.setAttribute("aria-label", "Time axis");
  const label = el("label", "Timeline: ");
  label.appendChild(axisSelect);
  const counts = el("span", null, "counts");
  const rangeText = el("span", null, "range");
  // The range as dates too: a strip of decades is a few days a pixel, and a range may need to be exact.
  const fromInput = el("input"), toInput = el("input");
  for (const [input, name] of [[fromInput, "Range from"], [toInput, "Range to"]]) {
    input.type = "date";
    input.setAttribute("aria-label", name);
    input.addEventListener("change", () => {
      if (fromInput.value && toInput.value) setRange([fromInput.value, toInput.value].sort());
    });
  }
  const clear = el("button", "Clear range");
  clear.type = "button";
  bar.append(label, counts, rangeText, fromInput, toInput, clear);
  const drawing = svg("svg", { role: "img", "aria-label": "Dated events and statements; drag to filter the graph by a range" });
  box.append(bar, drawing);

  let scale = null;
  let lastVisible = null;

  function draw() {
    const width = drawing.clientWidth || box.clientWidth || 800;
    const height = drawing.clientHeight || 100;
    drawing.setAttribute("viewBox", `0 0 ${width} ${height}`);
    drawing.replaceChildren();
    const placed = [], undated = [];
    for (const n of items) {
      const w = when(n, tl.axis);
      (w ? placed : undated).push([n, w]);
    }
    counts.textContent = `${placed.length} placed · ${undated.length} undated (not placed)`;
    rangeText.textContent = tl.range ? "range:" : "drag across it, or give dates:";
    fromInput.value = tl.range ? tl.range[0] : "";
    toInput.value = tl.range ? tl.range[1] : "";
    clear.disabled = !tl.range;
    drawing.appendChild(svg("rect", { x: 0, y: 0, width, height, fill: "transparent", class: "ground" }));
    if (!placed.length) { scale = null; return; }
    let lo = Math.min(...placed.map(([, w]) => w.lo)), hi = Math.max(...placed.map(([, w]) => w.hi + 1));
    if (hi - lo < 60) { lo -= 30; hi += 30; }
    const pad = (hi - lo) * 0.03;
    lo -= pad; hi += pad;
    const left = 10, right = width - 10;
    const x = (d) => left + ((d - lo) / (hi - lo)) * (right - left);
    scale = { x, day: (px) => lo + ((px - left) / (right - left)) * (hi - lo) };
    const axisY = height - 16;
    drawing.appendChild(svg("line", { x1: left, x2: right, y1: axisY, y2: axisY, stroke: "#bdc1c6" }));
    // Ticks: years, or months when the span is short.
    const first = new Date(lo * DAY).getUTCFullYear(), last = new Date(hi * DAY).getUTCFullYear();
    const years = last - first;
    const step = years > 40 ? 10 : years > 15 ? 5 : years > 6 ? 2 : 1;
    const ticks = [];
    if (years < 2) {
      for (let y = first; y <= last; y++) for (let m = 0; m < 12; m++) ticks.push([Date.UTC(y, m, 1) / DAY, `${y}-${String(m + 1).padStart(2, "0")}`]);
    } else for (let y = Math.ceil(first / step) * step; y <= last; y += step) ticks.push([Date.UTC(y, 0, 1) / DAY, String(y)]);
    for (const [d, text] of ticks) {
      if (d < lo || d > hi) continue;
      drawing.appendChild(svg("line", { x1: x(d), x2: x(d), y1: axisY, y2: axisY + 4, stroke: "#9aa0a6" }));
      const t = svg("text", { x: x(d) + 2, y: height - 3, class: "tick" });
      t.textContent = text;
      drawing.appendChild(t);
    }
    // Lanes, so that items never overlap; when they would not fit, a histogram of how many items each
    // stretch of the strip holds (thousands of documents' events on a few dates).
    const lanes = [];
    const maxLanes = Math.max(1, Math.floor((axisY - 8) / 9));
    placed.sort((a, b) => a[1].lo - b[1].lo || a[0].id - b[0].id);
    const slots = placed.map(([, w]) => {
      const x0 = x(w.lo), x1 = Math.max(x(w.hi + 1), x0 + 7);
      let lane = lanes.findIndex((end) => end < x0 - 2);
      if (lane < 0) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = x1;
      return [x0, x1, lane];
    });
    if (lanes.length > maxLanes) {
      histogram(placed, x, axisY);
      drawBrush(x, axisY);
      return;
    }
    const laneHeight = Math.min(16, Math.floor((axisY - 8) / lanes.length));
    // Where the next item of the same lane starts: a label is drawn in the room before it.
    const next = new Array(slots.length);
    const following = new Map();
    for (let i = slots.length - 1; i >= 0; i--) {
      next[i] = following.has(slots[i][2]) ? following.get(slots[i][2]) : width - 10;
      following.set(slots[i][2], slots[i][0]);
    }
    placed.forEach(([n, w], i) => {
      const [x0, x1, lane] = slots[i];
      const room = next[i] - x1 - 8;
      if (room > 40 && laneHeight >= 12) {
        const text = svg("text", { x: x1 + 3, y: axisY - 6 - lane * laneHeight - 3, class: "tick" });
        const chars = Math.floor(room / 6);
        text.textContent = n.info.label.length > chars ? n.info.label.slice(0, chars - 1) + "…" : n.info.label;
        drawing.appendChild(text);
      }
      const y = axisY - 6 - (lane + 1) * laneHeight + 1;
      const colour = KINDS[n.info.kind];
      const shape = svg("rect", {
        x: x0, y, width: x1 - x0, height: laneHeight - 2, rx: 3, fill: colour,
        "fill-opacity": w.approximate ? 0.35 : 0.9, stroke: colour, "stroke-dasharray": w.approximate ? "3 2" : "none",
        class: "item" + (lastVisible && !lastVisible.has(n.id) ? " faded" : ""),
      });
      shape.dataset.id = String(n.id);
      const title = svg("title", {});
      title.textContent = `${n.info.label} — ${w.text}${w.approximate ? " (approximate)" : ""}`;
      shape.appendChild(title);
      shape.addEventListener("click", (event) => { event.stopPropagation(); v.select(n.id); });
      drawing.appendChild(shape);
    });
    drawBrush(x, axisY);
  }

  function drawBrush(x, axisY) {
    if (!tl.range) return;
    const a = x(day(tl.range[0])), b = x(day(tl.range[1]) + 1);
    drawing.appendChild(svg("rect", { x: a, y: 0, width: Math.max(b - a, 1), height: axisY, class: "brush" }));
  }

  // Items counted by where they start, in bins a few pixels wide; each bin's bar is stacked by kind.
  function histogram(placed, x, axisY) {
    const width = 4;
    const bins = new Map();
    for (const [n, w] of placed) {
      const bin = Math.floor(x(w.lo) / width);
      if (!bins.has(bin)) bins.set(bin, { lo: w.lo, hi: w.hi, kinds: {} });
      const b = bins.get(bin);
      b.lo = Math.min(b.lo, w.lo);
      b.hi = Math.max(b.hi, w.hi);
      b.kinds[n.info.kind] = (b.kinds[n.info.kind] || 0) + 1;
    }
    const most = Math.max(...Array.from(bins.values()).map((b) => Object.values(b.kinds).reduce((p, q) => p + q, 0)));
    const room = axisY - 6;
    for (const [bin, b] of bins) {
      let y = axisY;
      const parts = [];
      for (const kind of Object.keys(KINDS)) {
        const count = b.kinds[kind] || 0;
        if (!count) continue;
        const h = Math.max(1, (count / most) * room);
        y -= h;
        const bar = svg("rect", { x: bin * width, y, width: width - 1, height: h, fill: KINDS[kind], class: "bin" });
        drawing.appendChild(bar);
        parts.push(`${count} ${kind}${count === 1 ? "" : "s"}`);
      }
      const title = svg("title", {});
      title.textContent = `${parts.join(", ")} from ${iso(b.lo)} to ${iso(b.hi)}`;
      drawing.lastChild.appendChild(title);
    }
  }

  function setRange(range) {
    tl.range = range;
    v.apply();
    v.fit();
  }

  let dragFrom = null, brush = null;
  const px = (event) => event.clientX - drawing.getBoundingClientRect().left;
  drawing.addEventListener("pointerdown", (event) => {
    if (!scale || event.target.classList.contains("item")) return;
    dragFrom = px(event);
    brush = svg("rect", { x: dragFrom, y: 0, width: 1, height: drawing.clientHeight - 16, class: "brush" });
    drawing.appendChild(brush);
    drawing.setPointerCapture(event.pointerId);
  });
  drawing.addEventListener("pointermove", (event) => {
    if (dragFrom === null) return;
    const at = px(event);
    brush.setAttribute("x", String(Math.min(at, dragFrom)));
    brush.setAttribute("width", String(Math.abs(at - dragFrom)));
  });
  drawing.addEventListener("pointerup", (event) => {
    if (dragFrom === null) return;
    const a = Math.min(px(event), dragFrom), b = Math.max(px(event), dragFrom);
    dragFrom = null;
    if (b - a < 3) { setRange(null); return; } // a click: no range
    setRange([iso(Math.round(scale.day(a))), iso(Math.round(scale.day(b)) - 1)]);
  });
  clear.addEventListener("click", () => setRange(null));
  axisSelect.addEventListener("change", () => { tl.axis = axisSelect.value; tl.range ? v.apply() : draw(); });

  v.hooks.changed.push((visible) => { if (visible) { lastVisible = visible; draw(); } });
  window.addEventListener("resize", draw);

  // For shared links and tests: the axis, the range, and where a date falls on the strip.
  tl.brush = (from, to) => setRange(from && to ? [from, to] : null);
  tl.setAxis = (axis) => { tl.axis = axis === "reported" ? "reported" : "happened"; axisSelect.value = tl.axis; };
  tl.x = (date) => (scale ? drawing.getBoundingClientRect().left + scale.x(day(date)) : null);
  tl.draw = draw;
  v.timeline = tl;
  v.apply();
})();
