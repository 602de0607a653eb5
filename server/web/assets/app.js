// The codeloom page: pick a model and adapter, stream a generation from
// POST /generate, browse the model store. Everything it needs is served by
// codeloom itself, so it works offline.
//
// URL parameters fill the form (prompt, model, adapter, max_tokens, seed,
// temperature, key), tab=models opens the models tab; autorun=1 starts a generation on load, which is how
// the headless-browser test drives it.
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const numeric = ["max_tokens", "temperature", "top_p", "top_k", "min_p", "repeat_penalty", "seed"];
let store = [];
let running = null;

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("apikey").value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

function setStatus(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function api(path, init) {
  const res = await fetch(path, { ...init, headers: headers() });
  if (!res.ok) {
    let msg = res.status + " " + res.statusText;
    try { msg = (await res.json()).error.message; } catch (_) { /* not JSON: keep the status line */ }
    throw new Error(msg);
  }
  return res;
}

async function loadModels() {
  const body = await (await api("/models")).json();
  store = body.models;
  const model = $("model"), wanted = params.get("model") || model.value;
  model.replaceChildren(...store.filter((m) => m.kind === "model").map((m) => new Option(m.name, m.name)));
  if (wanted) model.value = wanted;
  fillAdapters();
  renderModels();
}

function fillAdapters() {
  const base = $("model").value, sel = $("adapter"), wanted = params.get("adapter") || sel.value;
  const fits = store.filter((m) => m.kind === "adapter" && (!m.base || m.base === base));
  sel.replaceChildren(new Option("(none)", ""), ...fits.map((m) => new Option(m.name, m.name)));
  if (fits.some((m) => m.name === wanted)) sel.value = wanted;
}

function fmtSize(n) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + " " + units[i];
}

function trainingSummary(t) {
  if (!t) return "";
  const pre = document.createElement("pre");
  const metrics = Array.isArray(t.metrics) && t.metrics.length ? t.metrics[t.metrics.length - 1] : null;
  pre.textContent = JSON.stringify(metrics || t, null, 1).slice(0, 600);
  return pre;
}

function renderModels() {
  const rows = store.map((m) => {
    const tr = document.createElement("tr");
    const info = m.info || {};
    const cells = [m.name, m.kind, m.base || "", info.architecture || "", info.parameters ? info.parameters.toLocaleString() : "",
      info.quantization || "", info.context_length || "", fmtSize(m.size_bytes), m.loaded ? "yes" : "no"];
    for (const c of cells) tr.insertCell().textContent = c;
    const t = trainingSummary(m.training);
    tr.insertCell().append(t || "");
    return tr;
  });
  document.querySelector("#models-table tbody").replaceChildren(...rows);
}

function request() {
  const body = { prompt: $("prompt").value, model: $("model").value, stream: true };
  if ($("adapter").value) body.adapter = $("adapter").value;
  for (const k of numeric) if ($(k).value !== "") body[k] = Number($(k).value);
  const stop = $("stop").value.split("\n").filter((s) => s !== "");
  if (stop.length) body.stop = stop;
  return body;
}

// readEvents yields {event, data} from a Server-Sent Events response body.
async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      yield { event, data: JSON.parse(data) };
    }
  }
}

function show(prompt, text, pieces) {
  const esc = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c]));
  $("code").innerHTML = `<span class="prompt">${esc(prompt)}</span>` + Highlight.html(text);
  $("output").dataset.pieces = String(pieces);
}

async function generate() {
  const body = request();
  if (!body.prompt.trim()) { setStatus("write a prompt first", true); return; }
  running = new AbortController();
  $("run").disabled = true; $("cancel").disabled = false;
  document.body.dataset.state = "running";
  setStatus("generating…");
  $("timings").textContent = "";
  let text = "", pieces = 0;
  show(body.prompt, text, pieces);
  try {
    const res = await api("/generate", { method: "POST", body: JSON.stringify(body), signal: running.signal });
    for await (const ev of readEvents(res.body)) {
      if (ev.event === "piece") { text += ev.data.text; pieces++; show(body.prompt, text, pieces); }
      else if (ev.event === "done") {
        const d = ev.data;
        $("timings").textContent = `${d.finish_reason} · ${d.usage.prompt_tokens} prompt + ${d.usage.completion_tokens} generated tokens · ` +
          `first token ${d.timings.ttft_ms.toFixed(1)} ms · ${d.timings.prompt_tps.toFixed(0)} prompt tok/s · ${d.timings.gen_tps.toFixed(0)} gen tok/s`;
        setStatus("done");
      } else if (ev.event === "error") throw new Error(ev.data.error.message);
    }
    document.body.dataset.state = "done";
  } catch (e) {
    document.body.dataset.state = "error";
    setStatus(e.name === "AbortError" ? "stopped" : e.message, e.name !== "AbortError");
  } finally {
    running = null;
    $("run").disabled = false; $("cancel").disabled = true;
    loadModels().catch(() => {});
  }
}

function switchTab(name) {
  for (const b of document.querySelectorAll(".tab")) b.classList.toggle("active", b.dataset.tab === name);
  $("tab-generate").hidden = name !== "generate";
  $("tab-models").hidden = name !== "models";
  if (name === "models") loadModels().catch((e) => setStatus(e.message, true));
}

async function init() {
  $("apikey").value = params.get("key") || localStorage.getItem("codeloom.key") || "";
  if (params.has("key")) { // keep the key out of the address bar and history
    const clean = new URL(location.href);
    clean.searchParams.delete("key");
    history.replaceState(null, "", clean);
  }
  $("apikey").addEventListener("change", () => { localStorage.setItem("codeloom.key", $("apikey").value); loadModels().catch(() => {}); });
  for (const k of numeric) if (params.has(k)) $(k).value = params.get(k);
  if (params.has("prompt")) $("prompt").value = params.get("prompt");
  $("model").addEventListener("change", fillAdapters);
  $("run").addEventListener("click", generate);
  $("cancel").addEventListener("click", () => running && running.abort());
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => switchTab(b.dataset.tab));
  try { await loadModels(); } catch (e) { setStatus(e.message, true); }
  if (params.get("tab")) switchTab(params.get("tab"));
  if (params.get("autorun") === "1") await generate();
}

init();
