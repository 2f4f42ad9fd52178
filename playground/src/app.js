// The leadq playground: CodeMirror 6 in the page, leadq itself in Pyodide. No server: the
// docs site serves Pyodide, the wheels of leadq, attrs, lark and tzdata, and this bundle.
import { autocompletion, completionKeymap, startCompletion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap, placeholder } from "@codemirror/view";

const ASSETS = new URL(".", import.meta.url);
const EXAMPLES = [
  ["A first filter", "result = missed and site in (1, 2) and phone_exists"],
  ["Dates in Moscow time", "created_at >= 2024-01-01 and created_at < 2024-02-01 and type = form"],
  ["Text search", 'text contains "доставка" and not email_exists'],
  ["Several requests (a plan)", "type = form or result = missed"],
  ["A typo", "sitte = 1 and result = mised"],
  ["Never matches", "result = missed and result = completed"],
  ["With the query tail", "site = 1 order by created_at desc limit 20 fields id, name, site(url)"],
];
const ROLES = ["", "admin", "admin_partner", "chief", "chief_partner", "manager", "operator"];

const $ = (id) => document.getElementById(id);
let bridge = null; // the Python module, once Pyodide has loaded it
const state = { mode: "filter", method: "Leads.list", role: "", filter: EXAMPLES[0][1], q: "" };

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// The little Markdown leadq's hover and completion texts use: paragraphs, `code`, **bold**.
function markdown(text) {
  return escapeHtml(text)
    .split(/\n\n+/)
    .map((p) => `<p>${p.replace(/\*\*(.+?)\*\*/g, "<b>$1</b>").replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`)
    .join("");
}

// -- the URL keeps the page's state, so that a link shares it ----------------------------------

function readLocation() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("mode")) state.mode = params.get("mode") === "q" ? "q" : "filter";
  if (params.has("method")) state.method = params.get("method");
  if (params.has("role")) state.role = params.get("role");
  if (params.has("filter")) state.filter = params.get("filter");
  if (params.has("q")) state.q = params.get("q");
}

function writeLocation() {
  const params = new URLSearchParams({ mode: state.mode, method: state.method });
  if (state.role) params.set("role", state.role);
  if (state.mode === "q") params.set("q", state.q);
  else params.set("filter", state.filter);
  window.history.replaceState(null, "", `#${params.toString()}`);
}

// -- the editor ------------------------------------------------------------------------------------

function completionSource(context) {
  if (!bridge) return null;
  const text = context.state.doc.toString();
  const found = JSON.parse(bridge.complete(text, context.pos, state.method));
  if (!found.items.length) return null;
  return {
    from: found.from,
    to: found.to,
    filter: false, // leadq has filtered and ranked them
    options: found.items.map((item) => ({
      label: item.label,
      detail: item.detail,
      type: { field: "property", operator: "keyword", value: "constant", keyword: "keyword" }[item.kind] || "text",
      info: item.documentation ? () => {
        const dom = document.createElement("div");
        dom.innerHTML = markdown(item.documentation);
        return dom;
      } : undefined,
      apply: (view, _completion, from, to) => {
        view.dispatch({ changes: { from, to, insert: item.insert }, selection: { anchor: from + item.cursor } });
      },
    })),
  };
}

const hover = hoverTooltip((view, pos) => {
  if (!bridge) return null;
  const found = JSON.parse(bridge.hover(view.state.doc.toString(), pos, state.method));
  if (!found) return null;
  return {
    pos: found.from,
    end: found.to,
    above: true,
    create() {
      const dom = document.createElement("div");
      dom.className = "pg-hover";
      dom.innerHTML = markdown(found.text);
      return { dom };
    },
  };
});

function fixAction(d) {
  return {
    name: `Replace with ${d.fix}`,
    apply(view, from, to) {
      view.dispatch({ changes: { from, to, insert: d.fix } });
    },
  };
}

function makeEditor(parent, doc, onChange) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        history(),
        keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        autocompletion({ override: [completionSource], activateOnTyping: true }),
        hover,
        lintGutter(),
        placeholder("result = missed and site in (1, 2)"),
        EditorView.lineWrapping,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
}

// -- what the page shows -------------------------------------------------------------------------

function showDiagnostics(list, diagnostics, view) {
  list.innerHTML = "";
  for (const d of diagnostics) {
    const li = document.createElement("li");
    li.className = `pg-${d.severity}`;
    li.dataset.code = d.code;
    li.innerHTML =
      `<span class="pg-code">${d.code}</span> <span class="pg-where">${d.line}:${d.column}</span> ` +
      `<span class="pg-message">${escapeHtml(d.message)}</span>` +
      (d.hint ? `<div class="pg-hint">hint: ${escapeHtml(d.hint)}</div>` : "");
    if (d.fix && view) {
      const button = document.createElement("button");
      button.className = "pg-fix";
      button.textContent = `Replace with ${d.fix}`;
      button.onclick = () => view.dispatch({ changes: { from: d.from, to: d.to, insert: d.fix } });
      li.appendChild(button);
    }
    list.appendChild(li);
  }
  if (view) {
    const marks = diagnostics.map((d) => ({
      from: Math.min(d.from, view.state.doc.length),
      to: Math.min(Math.max(d.to, d.from), view.state.doc.length),
      severity: d.severity,
      message: d.hint ? `${d.code} ${d.message}\nhint: ${d.hint}` : `${d.code} ${d.message}`,
      actions: d.fix ? [fixAction(d)] : [],
    }));
    view.dispatch(setDiagnostics(view.state, marks));
  }
}

function runFilter(view) {
  state.filter = view.state.doc.toString();
  writeLocation();
  if (!bridge) return;
  const a = JSON.parse(bridge.analyze(state.filter, state.method, state.role));
  showDiagnostics($("pg-diagnostics"), a.diagnostics, view);
  $("pg-q").textContent = a.q === null ? "(does not compile)" : a.q || "(empty: every lead)";
  $("pg-q").dataset.ok = a.q === null ? "false" : "true";
  $("pg-url").textContent = a.url || "";
  $("pg-params").textContent = a.q === null ? "" : JSON.stringify(a.params, null, 1);
  const plan = $("pg-plan");
  plan.textContent = a.plan
    ? `${a.plan.requests.length} requests${a.plan.disjoint ? "" : " (merge them by lead id)"}:\n` +
      a.plan.requests.map((q) => `  q: ${q}`).join("\n")
    : "";
  plan.hidden = !a.plan;
  $("pg-explain").textContent = a.explain;
}

function runQ(textarea) {
  state.q = textarea.value;
  writeLocation();
  if (!bridge) return;
  const d = JSON.parse(bridge.decompile(state.q, state.method));
  $("pg-filter").textContent = d.filter === null ? "(cannot be read)" : d.filter || "(empty: every lead)";
  showDiagnostics($("pg-q-diagnostics"), d.diagnostics, null);
}

function showMode() {
  $("pg-filter-mode").hidden = state.mode !== "filter";
  $("pg-q-mode").hidden = state.mode !== "q";
  for (const b of document.querySelectorAll("[data-mode]")) b.setAttribute("aria-pressed", b.dataset.mode === state.mode);
}

// -- Pyodide ---------------------------------------------------------------------------------------

async function loadPython(status) {
  const started = performance.now();
  status.textContent = "Loading Python (Pyodide)…";
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", ASSETS).href);
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", ASSETS).href });
  status.textContent = "Loading leadq…";
  const wheels = await (await fetch(new URL("wheels/index.json", ASSETS))).json();
  for (const name of wheels) {
    const data = await (await fetch(new URL(`wheels/${name}`, ASSETS))).arrayBuffer();
    pyodide.unpackArchive(data, "wheel");
  }
  const source = await (await fetch(new URL("bridge.py", ASSETS))).text();
  const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  pyodide.FS.writeFile(`${site}/leadq_playground_bridge.py`, source);
  const module = pyodide.pyimport("leadq_playground_bridge");
  const version = pyodide.runPython("import leadq; leadq.__version__");
  const ms = Math.round(performance.now() - started);
  window.leadqPlayground = { readyMs: ms, version };
  status.textContent = `leadq ${version} is running in your browser (loaded in ${(ms / 1000).toFixed(1)} s)`;
  return module;
}

async function main() {
  const root = $("leadq-playground");
  if (!root) return;
  readLocation();
  const method = $("pg-method");
  const role = $("pg-role");
  const examples = $("pg-examples");
  for (const r of ROLES) role.add(new Option(r || "any role", r));
  for (const [label, text] of EXAMPLES) examples.add(new Option(label, text));
  method.value = state.method;
  role.value = state.role;
  const view = makeEditor($("pg-editor"), state.filter, () => runFilter(view));
  const qInput = $("pg-q-input");
  qInput.value = state.q;
  qInput.addEventListener("input", () => runQ(qInput));
  method.onchange = () => { state.method = method.value; runFilter(view); runQ(qInput); };
  role.onchange = () => { state.role = role.value; runFilter(view); };
  examples.onchange = () => {
    if (!examples.value) return;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: examples.value } });
    examples.value = "";
  };
  for (const b of document.querySelectorAll("[data-mode]")) {
    b.onclick = () => { state.mode = b.dataset.mode; showMode(); writeLocation(); };
  }
  $("pg-complete").onclick = () => { view.focus(); startCompletion(view); };
  showMode();
  try {
    bridge = await loadPython($("pg-status"));
  } catch (error) {
    $("pg-status").textContent = `Python could not load: ${error}`;
    throw error;
  }
  root.dataset.ready = "true";
  runFilter(view);
  runQ(qInput);
  window.leadqPlayground.view = view;
}

main();
