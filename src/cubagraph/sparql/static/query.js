// The query page: no framework, no network beyond this server. Every value
// from the graph is inserted with textContent, never as HTML.
"use strict";

const form = document.getElementById("form");
const area = document.getElementById("query");
const saved = document.getElementById("saved");
const question = document.getElementById("question");
const status = document.getElementById("status");
const results = document.getElementById("results");
let library = [];

fetch("/queries.json").then((r) => r.json()).then((list) => {
  library = list;
  for (const q of list) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.name + (q.params.length ? " (takes parameters)" : "");
    saved.appendChild(option);
  }
});

saved.addEventListener("change", () => {
  const q = library.find((x) => x.name === saved.value);
  question.textContent = q ? q.question : "";
  if (q) area.value = q.text;
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  status.className = "";
  status.textContent = "running…";
  results.replaceChildren();
  const started = performance.now();
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
    body: area.value,
  });
  const ms = Math.round(performance.now() - started);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    const body = await response.json();
    status.className = "error";
    status.textContent = body.error.message;
    return;
  }
  if (type.startsWith("text/turtle")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    results.appendChild(pre);
    status.textContent = ms + " ms";
    return;
  }
  const data = await response.json();
  if ("boolean" in data) {
    status.textContent = String(data.boolean) + " · " + ms + " ms";
    return;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const v of data.head.vars) {
      row.insertCell().textContent = binding[v] ? binding[v].value : "";
    }
  }
  results.appendChild(table);
  const n = data.results.bindings.length;
  status.textContent = n + " row" + (n === 1 ? "" : "s") + " · " + ms + " ms";
});
