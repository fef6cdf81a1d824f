// How the network view draws: which labels fit, fresh layouts for a focus, moves animated,
// communities. Pure functions of what they are given; viewer.js calls them. Loaded before it.
(function () {
  "use strict";

  const FACE = "system-ui, sans-serif";
  const SCREEN = { actor: 14, other: 11 }; // label sizes on screen, in CSS pixels, whatever the zoom
  const measure = document.createElement("canvas").getContext("2d");

  // A label's box in network coordinates: vis-network draws it centred under the node, 3 px below
  // its disc, or inside a box-shaped node. Height is the font's line (vis: font size + 2 px margins).
  function labelBox(x, y, size, text, font, inside) {
    measure.font = `${font}px ${FACE}`;
    const w = measure.measureText(text).width;
    const h = font + 4;
    if (inside) return { left: x - w / 2 - 5, right: x + w / 2 + 5, top: y - h / 2 - 5, bottom: y + h / 2 + 5 };
    const top = y + size + 3;
    return { left: x - w / 2, right: x + w / 2, top, bottom: top + h };
  }

  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

  // Which labels to draw: the most important first (bigger nodes, then by label), each only if its box
  // meets no label already drawn and no other node's disc. Boxes are binned in a grid, so this is
  // linear in practice. Returns the ids whose labels are drawn and the font size (network units) used.
  // items: [{id, x, y, size, text, kind, inside}], scale: the view's zoom.
  function declutter(items, scale) {
    const order = items.slice().sort((a, b) => b.size - a.size || (a.text < b.text ? -1 : a.text > b.text ? 1 : a.id - b.id));
    const cell = 200 / Math.max(scale, 0.05);
    const grid = new Map();
    const key = (cx, cy) => cx + "," + cy;
    const add = (box, owner) => {
      for (let cx = Math.floor(box.left / cell); cx <= Math.floor(box.right / cell); cx++) {
        for (let cy = Math.floor(box.top / cell); cy <= Math.floor(box.bottom / cell); cy++) {
          const k = key(cx, cy);
          if (!grid.has(k)) grid.set(k, []);
          grid.get(k).push([box, owner]);
        }
      }
    };
    const blocked = (box, self) => {
      for (let cx = Math.floor(box.left / cell); cx <= Math.floor(box.right / cell); cx++) {
        for (let cy = Math.floor(box.top / cell); cy <= Math.floor(box.bottom / cell); cy++) {
          for (const [other, owner] of grid.get(key(cx, cy)) || []) if (owner !== self && hit(box, other)) return true;
        }
      }
      return false;
    };
    for (const it of items) {
      if (!it.inside) add({ left: it.x - it.size, right: it.x + it.size, top: it.y - it.size, bottom: it.y + it.size }, it.id);
    }
    const drawn = new Map(); // id -> font size in network units
    for (const it of order) {
      const font = (SCREEN[it.kind === "actor" ? "actor" : "other"]) / scale;
      if (!it.text) continue;
      const box = labelBox(it.x, it.y, it.size, it.text, font, it.inside);
      const m = 3 / scale; // labels that touch read as one: keep 3 screen pixels between them
      if (blocked({ left: box.left - m, right: box.right + m, top: box.top - m, bottom: box.bottom + m }, it.id)) continue;
      add(box, it.id);
      drawn.set(it.id, font);
    }
    return drawn;
  }

  // A fresh layout of a neighbourhood: the centre in the middle, each hop on a ring around it, each
  // node near the node that reached it, rings wide enough for their labels. Deterministic: rings are
  // ordered by the angle of the parent, then by label.
  // rings: [[centreId], [ids at 1 hop], ...]; parent: id -> the id that reached it; label: id -> text.
  function radial(rings, parent, label, centre) {
    const out = new Map([[rings[0][0], { x: centre.x, y: centre.y }]]);
    const angle = new Map([[rings[0][0], 0]]);
    let radius = 0;
    for (let r = 1; r < rings.length; r++) {
      const ring = rings[r].slice().sort((a, b) => (angle.get(parent.get(a)) - angle.get(parent.get(b))) || (label(a) < label(b) ? -1 : 1));
      // Room for each node: its label's width, or its disc, on the circumference.
      const need = ring.reduce((sum, id) => sum + Math.max(60, Math.min(label(id).length, 42) * 7 + 16), 0);
      radius = Math.max(radius + 170, need / (2 * Math.PI));
      ring.forEach((id, i) => {
        const a = (2 * Math.PI * i) / Math.max(ring.length, 1) + (r % 2 ? 0 : Math.PI / Math.max(ring.length, 1));
        angle.set(id, a);
        out.set(id, { x: Math.round(centre.x + radius * Math.cos(a)), y: Math.round(centre.y + radius * Math.sin(a)) });
      });
    }
    return out;
  }

  // Move nodes to targets over `ms`, then call done. Positions go through the DataSet, as drags do.
  function animate(nodes, targets, ms, done) {
    const start = new Map();
    for (const [id] of targets) {
      const n = nodes.get(id);
      if (n) start.set(id, { x: n.x, y: n.y });
    }
    const began = performance.now();
    const step = (now) => {
      const t = Math.min(1, (now - began) / ms);
      const ease = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
      const moves = [];
      for (const [id, to] of targets) {
        const from = start.get(id) || to;
        moves.push({ id, x: from.x + (to.x - from.x) * ease, y: from.y + (to.y - from.y) * ease });
      }
      nodes.update(moves);
      if (t < 1 && ms > 0) requestAnimationFrame(step);
      else if (done) done();
    };
    if (ms > 0) requestAnimationFrame(step);
    else step(began + 1);
  }

  // Communities by label propagation, deterministic: nodes in id order, ties to the smallest label.
  function communities(ids, adjacency) {
    const label = new Map(ids.map((id) => [id, id]));
    const order = ids.slice().sort((a, b) => a - b);
    for (let round = 0; round < 20; round++) {
      let changed = false;
      for (const id of order) {
        const counts = new Map();
        for (const [m, w] of adjacency.get(id) || []) counts.set(label.get(m), (counts.get(label.get(m)) || 0) + w);
        let best = label.get(id), bestCount = -1;
        for (const [l, c] of counts) if (c > bestCount || (c === bestCount && l < best)) { best = l; bestCount = c; }
        if (bestCount > 0 && best !== label.get(id)) { label.set(id, best); changed = true; }
      }
      if (!changed) break;
    }
    return label;
  }

  window.cubagraphDrawing = { declutter, labelBox, radial, animate, communities, FACE, SCREEN };
})();
