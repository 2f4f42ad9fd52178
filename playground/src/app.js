// The leadq playground: CodeMirror 6 in the page, leadq itself in Pyodide (boot.js loads it).
// No server: the docs site serves everything. Positions passed to and from Python are in the
// page's unit, UTF-16 code units, on both sides: bridge.py converts them for leadq.
import { autocompletion, completionKeymap, startCompletion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, isolateHistory } from "@codemirror/commands";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap, placeholder } from "@codemirror/view";
import { loaded, progress, stage } from "./boot.js";

const EXAMPLES = [
  ["A first filter", "result = missed and site in (1, 2) and phone_exists"],
  ["Dates in Moscow time", "created_at >= 2024-01-01 and created_at < 2024-02-01 and type = form"],
  ["Text search", 'text contains "доставка" and not email_exists'],
  ["Several requests (a plan)", "type = form or result = missed"],
  ["A typo", "sitte = 1 and result = mised"],
  ["Never matches", "result = missed and site = 1 and result = completed"],
  ["Something said twice", "site = 1 and site in (1, 2) and duration > 0"],
  ["Checked on each lead", 'result = missed and city = "Moscow"'],
  ["With the query tail", "site = 1 order by created_at desc limit 20 fields id, name, site(url)"],
];
const STAGES = {
  start: [1, "Fetching Python (Pyodide, about 13 MB)…"],
  fetched: [2, "Starting Python…"],
  python: [3, "Importing leadq…"],
  leadq: [4, "Checking the filter…"],
};

const $ = (id) => document.getElementById(id);
let bridge = null; // the Python module, once loaded
let menu = null; // the methods, grouped by resource, as bridge.methods() says
const state = { mode: "filter", method: "", role: "", filter: EXAMPLES[0][1], q: "", answered: null };

// -- small DOM helpers ---------------------------------------------------------------------------

function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function fill(parent, ...children) {
  parent.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

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

// `code` spans of a diagnostic's message as <code>, the rest as text.
function inline(text) {
  return text.split(/(`[^`]+`)/).map((part) => (part.startsWith("`") && part.endsWith("`") && part.length > 1 ? h("code", {}, part.slice(1, -1)) : part));
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = h("textarea", { value: text, readOnly: true, class: "pg-offscreen" });
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

function copyButton(label, text, what) {
  const button = h("button", { type: "button", class: "pg-copy", "aria-label": `Copy ${what}`, title: `Copy ${what}` }, label);
  button.addEventListener("click", async () => {
    try {
      await copyText(typeof text === "function" ? text() : text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  });
  return button;
}

// -- the URL keeps the page's state, so that a link shares it ------------------------------------

function readLocation() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("mode")) state.mode = params.get("mode") === "q" ? "q" : "filter";
  if (params.has("method")) state.method = params.get("method");
  if (params.has("role")) state.role = params.get("role");
  if (params.has("filter")) state.filter = params.get("filter");
  if (params.has("q")) state.q = params.get("q");
}

function writeLocation() {
  const params = new URLSearchParams({ mode: state.mode });
  if (state.method) params.set("method", state.method);
  if (state.role) params.set("role", state.role);
  if (state.mode === "q") params.set("q", state.q);
  else params.set("filter", state.filter);
  window.history.replaceState(null, "", `#${params.toString()}`);
}

// -- Python ---------------------------------------------------------------------------------------

function ask(name, ...args) {
  return JSON.parse(bridge[name](...args));
}

// -- the editor ------------------------------------------------------------------------------------

const KINDS = { field: "property", operator: "keyword", value: "constant", keyword: "keyword" };

function completionSource(context) {
  if (!bridge) return null;
  const found = ask("complete", context.state.doc.toString(), context.pos, state.method);
  if (!found.items.length) return null;
  return {
    from: found.from,
    to: found.to,
    filter: false, // leadq has filtered and ranked them
    options: found.items.map((item) => ({
      label: item.label,
      detail: item.detail,
      type: KINDS[item.kind] || "text",
      info: item.documentation ? () => h("div", { class: "pg-doc", innerHTML: markdown(item.documentation) }) : undefined,
      apply: (view, _completion, from, to) => {
        view.dispatch({ changes: { from, to, insert: item.insert }, selection: { anchor: from + item.cursor } });
      },
    })),
  };
}

const hover = hoverTooltip((view, pos) => {
  if (!bridge) return null;
  const found = ask("hover", view.state.doc.toString(), pos, state.method);
  if (!found) return null;
  return {
    pos: found.from,
    end: found.to,
    above: true,
    create: () => ({ dom: h("div", { class: "pg-hover pg-doc", innerHTML: markdown(found.text) }) }),
  };
});

function makeEditor(parent, doc, onChange) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        history(),
        keymap.of([...completionKeymap, ...lintKeymap, ...defaultKeymap, ...historyKeymap]),
        autocompletion({ override: [completionSource], activateOnTyping: true }),
        hover,
        lintGutter(),
        placeholder("result = missed and site in (1, 2)"),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "Filter", "aria-describedby": "pg-keys" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
}

function clamp(view, offset) {
  return Math.max(0, Math.min(offset, view.state.doc.length));
}

function select(view, from, to) {
  view.dispatch({ selection: { anchor: clamp(view, from), head: clamp(view, to) }, scrollIntoView: true });
  view.focus();
}

// -- what the page shows -------------------------------------------------------------------------

function where(d, view) {
  const text = `${d.line}:${d.column}`;
  if (!view) return h("span", { class: "pg-where" }, text);
  return h("button", { type: "button", class: "pg-where pg-link", title: "Select it in the filter", onclick: () => select(view, d.from, d.to) }, text);
}

// A fix's edits (leadq's `Diagnostic.fixes`, in the page's offsets), all at once: one undo
// step of its own, never joined to the typing before it; each edit placed in the text as it was.
function applyFix(view, fix) {
  const changes = fix.edits.map((e) => ({ from: clamp(view, e.from), to: clamp(view, e.to), insert: e.insert }));
  view.dispatch({ changes, annotations: isolateHistory.of("full"), userEvent: "input.fix" });
}

function showDiagnostics(list, count, diagnostics, view) {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  count.textContent = diagnostics.length ? `${diagnostics.length}${errors ? ` (${errors} error${errors > 1 ? "s" : ""})` : ""}` : "";
  fill(list, diagnostics.length ? diagnostics.map((d) => h("li", { class: `pg-diagnostic pg-${d.severity}`, "data-code": d.code },
    h("div", { class: "pg-diagnostic-head" },
      h("span", { class: "pg-code", title: d.severity }, d.code), " ", where(d, view), " ",
      h("span", { class: "pg-message" }, inline(d.message))),
    d.hint ? h("div", { class: "pg-hint" }, "hint: ", inline(d.hint)) : null,
    view && d.fixes.length ? h("div", { class: "pg-fixes" }, ...d.fixes.map((f) => h("button", {
      type: "button",
      class: f.safe ? "pg-fix" : "pg-fix pg-unsafe",
      title: f.safe ? "Keeps the filter's meaning" : "A guess at what was meant: check the result",
      onclick: () => { applyFix(view, f); view.focus(); },
    }, ...inline(f.title)))) : null,
  )) : h("li", { class: "pg-none" }, "No problems."));
  if (view) {
    const marks = diagnostics.map((d) => ({
      from: clamp(view, d.from),
      to: clamp(view, Math.max(d.to, d.from)),
      severity: d.severity,
      message: d.hint ? `${d.code} ${d.message}\nhint: ${d.hint}` : `${d.code} ${d.message}`,
      actions: d.fixes.map((f) => ({ name: f.title.replaceAll("`", ""), apply: (v) => applyFix(v, f) })),
    }));
    view.dispatch(setDiagnostics(view.state, marks));
  }
}

function showQ(a) {
  const q = $("pg-q");
  let text;
  if (a.q !== null) text = a.q || "(empty: every lead)";
  else if (a.plan) text = "(no single q: see the plan)";
  else text = "(does not compile)";
  q.textContent = text;
  q.dataset.ok = a.q === null ? "false" : "true";
  state.answered = a.q; // what Copy copies: the q itself, even when empty
  $("pg-q-copy").disabled = a.q === null;
}

function showRequests(a) {
  const panel = $("pg-requests");
  if (!a.requests.length) {
    let why = "None: the filter has errors.";
    if (a.explanation.contradiction.length) why = "None: the filter matches no lead.";
    else if (a.explanation.run) why = "None: one q cannot say this filter (the explanation says how it runs).";
    fill(panel, h("p", { class: "pg-none" }, why));
    return;
  }
  fill(panel, h("ol", { class: "pg-request-list" }, a.requests.map((r, i) => h("li", { class: "pg-request" },
    h("div", { class: "pg-request-head" },
      h("span", { class: "pg-request-name" }, a.requests.length > 1 ? `Request ${i + 1}` : "POST"),
      r.url ? copyButton("Copy URL", r.url, a.requests.length > 1 ? `the URL of request ${i + 1}` : "the URL") : null),
    r.url ? h("code", { class: "pg-url" }, r.url) : null,
    h("dl", { class: "pg-params" }, Object.entries(r.params).map(([k, v]) => [h("dt", {}, k), h("dd", {}, h("code", {}, v || "(empty)"))])),
  ))));
}

function showPlan(a) {
  const panel = $("pg-plan-panel");
  panel.hidden = !a.plan;
  if (!a.plan) return;
  $("pg-plan-summary").textContent = a.plan.disjoint
    ? `${a.requests.length} requests; no lead matches two of them, so their results together are the filter's.`
    : `${a.requests.length} requests; merge their results by id: they may overlap.`;
  fill($("pg-plan"), a.requests.map((r, i) => h("li", {}, h("span", { class: "pg-number" }, `${i + 1}.`), h("code", {}, r.q || "(empty)"), copyButton("Copy", r.q, `the q of request ${i + 1}`))));
}

function piece(p, view) {
  return h("button", { type: "button", class: "pg-piece pg-link", title: `Select it in the filter (${p.line}:${p.column})`, onclick: () => select(view, p.from, p.to) },
    h("code", {}, p.text), h("span", { class: "pg-where" }, ` ${p.line}:${p.column}`));
}

function showExplanation(a, view) {
  const e = a.explanation;
  const parts = [];
  if (e.contradiction.length) {
    parts.push(h("section", { class: "pg-explain-never" },
      h("h4", {}, "Never matches"),
      h("p", {}, "These conditions contradict each other; remove one of them:"),
      h("div", { class: "pg-contradiction" }, e.contradiction.flatMap((p, i) => [i ? h("span", { class: "pg-versus", "aria-label": "contradicts" }, "✕") : null, piece(p, view)]))));
  }
  if (e.fields.length) {
    parts.push(h("section", {},
      h("h4", {}, "Per field"),
      h("table", { class: "pg-fields" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "q name"), h("th", { scope: "col" }, "matches"))),
        h("tbody", {}, e.fields.map((f) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, f.field)), h("td", {}, f.meaning)))))));
  } else if (!e.contradiction.length && a.q === "") {
    parts.push(h("p", {}, "No condition: every lead matches."));
  }
  if (e.redundant.length) {
    parts.push(h("section", {},
      h("h4", {}, "Redundant"),
      h("ul", { class: "pg-redundant" }, e.redundant.map((p) => h("li", {}, piece(p, view), `: ${p.why}`)))));
  }
  if (e.run) {
    const r = e.run;
    const exact = !r.checked && r.requests.length === 1 && r.requests[0] === a.q;
    parts.push(h("section", { class: "pg-run" },
      h("h4", {}, "Running it"),
      exact
        ? h("p", {}, "leadq.Client and leadq fetch send this q, and check nothing here: the API answers exactly.")
        : [h("p", { class: "pg-note" }, "What leadq.Client and leadq fetch do with it:"),
          h("dl", { class: "pg-split" },
            h("dt", {}, "sent to the API"),
            h("dd", {}, r.sent ? h("code", {}, r.sent) : "nothing (every lead)",
              h("ul", {}, r.requests.map((q) => h("li", {}, "q: ", h("code", {}, q || "(empty)"))))),
            h("dt", {}, "checked here, on each lead"),
            h("dd", {}, r.checked
              ? [h("code", {}, r.checked), r.reads.length ? h("div", { class: "pg-note" }, "reads ", r.reads.map((f, i) => [i ? ", " : "", h("code", {}, f)])) : null]
              : "nothing: the API answers exactly"))]));
  }
  if (!parts.length) parts.push(h("p", { class: "pg-none" }, "Nothing to explain until the filter reads: see the diagnostics."));
  fill($("pg-explain"), parts);
}

function runFilter(view) {
  state.filter = view.state.doc.toString();
  writeLocation();
  if (!bridge) return;
  const a = ask("analyze", state.filter, state.method, state.role);
  showDiagnostics($("pg-diagnostics"), $("pg-diagnostics-count"), a.diagnostics, view);
  showQ(a);
  showRequests(a);
  showPlan(a);
  showExplanation(a, view);
  window.leadqPlayground.shown = [state.filter, state.method, state.role]; // what the panels show
}

function runQ(textarea) {
  state.q = textarea.value;
  writeLocation();
  if (!bridge) return;
  const d = ask("decompile", state.q, state.method);
  $("pg-filter").textContent = d.filter === null ? "(cannot be read)" : d.filter || "(empty: every lead)";
  $("pg-filter").dataset.ok = d.filter === null ? "false" : "true";
  $("pg-edit-filter").disabled = d.filter === null;
  showDiagnostics($("pg-q-diagnostics"), $("pg-q-diagnostics-count"), d.diagnostics, null);
}

function showMode() {
  $("pg-filter-mode").hidden = state.mode !== "filter";
  $("pg-q-mode").hidden = state.mode !== "q";
  for (const b of document.querySelectorAll("[data-mode]")) b.setAttribute("aria-pressed", String(b.dataset.mode === state.mode));
}

// -- the menus ------------------------------------------------------------------------------------

function methodsOf(groups) {
  return groups.flatMap((g) => g.methods);
}

function fillMethods(select) {
  fill(select, menu.groups.map((g) => h("optgroup", { label: g.resource }, g.methods.map((m) => h("option", { value: m }, m)))));
  select.value = state.method;
  select.disabled = false;
}

function fillRoles(select) {
  const roles = ask("roles", state.method);
  if (state.role && !roles.includes(state.role)) state.role = "";
  fill(select, h("option", { value: "" }, "any role"), roles.map((r) => h("option", { value: r }, r)));
  select.value = state.role;
  select.disabled = roles.length === 0;
}

// -- loading --------------------------------------------------------------------------------------

function showStage(name) {
  // A stage that reports after the load failed (the loader's steps run concurrently) must not
  // hide the failure.
  if ($("pg-status").dataset.state === "failed") return;
  const [step, text] = STAGES[name] || [0, "Loading…"];
  $("pg-progress").value = step;
  $("pg-status-text").textContent = text;
}

function loadFailed(error) {
  const status = $("pg-status");
  status.dataset.state = "failed";
  status.setAttribute("role", "alert");
  $("pg-progress").hidden = true;
  fill($("pg-status-text"),
    h("strong", {}, "leadq could not load: "), String(error && error.message ? error.message : error), ". ",
    "The editor still works and the link keeps what you type; nothing is checked. ",
    h("button", { type: "button", class: "pg-button", onclick: () => location.reload() }, "Reload"));
  for (const id of ["pg-q", "pg-filter"]) $(id).textContent = "(leadq is not loaded)";
}

async function main() {
  const root = $("leadq-playground");
  if (!root) return;
  readLocation();
  const methodMenu = $("pg-method");
  const roleMenu = $("pg-role");
  const examples = $("pg-examples");
  if (state.method) fill(methodMenu, h("option", { value: state.method }, state.method));
  for (const [label, text] of EXAMPLES) examples.add(new Option(label, text));
  const view = makeEditor($("pg-editor"), state.filter, () => runFilter(view));
  const qInput = $("pg-q-input");
  qInput.value = state.q;
  qInput.addEventListener("input", () => runQ(qInput));
  methodMenu.onchange = () => { state.method = methodMenu.value; fillRoles(roleMenu); runFilter(view); runQ(qInput); };
  roleMenu.onchange = () => { state.role = roleMenu.value; runFilter(view); };
  examples.onchange = () => {
    if (!examples.value) return;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: examples.value } });
    examples.value = "";
  };
  for (const b of document.querySelectorAll("[data-mode]")) {
    b.onclick = () => { state.mode = b.dataset.mode; showMode(); writeLocation(); };
  }
  $("pg-complete").onclick = () => { view.focus(); startCompletion(view); };
  $("pg-share").replaceWith(copyButton("Copy link", () => location.href, "a link to this filter"));
  $("pg-q-copy").replaceWith(Object.assign(copyButton("Copy", () => state.answered, "q"), { id: "pg-q-copy" }));
  $("pg-edit-filter").onclick = () => {
    state.mode = "filter";
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: $("pg-filter").textContent } });
    showMode();
    writeLocation();
    view.focus();
  };
  showMode();
  writeLocation();
  window.leadqPlayground = { view };

  if (stage) showStage(stage);
  progress.addEventListener("stage", (event) => showStage(event.detail));
  try {
    ({ bridge } = await loaded);
    menu = ask("methods");
  } catch (error) {
    bridge = null;
    loadFailed(error);
    root.dataset.ready = "failed";
    return;
  }
  let asked = knownMethod(); // a method the link named that leadq does not have
  const version = bridge.version();
  const ready = () => fill($("pg-status-text"),
    `leadq ${version} runs in your browser: nothing you type leaves it.`,
    asked ? [" ", h("strong", { class: "pg-notice" }, `There is no method ${asked}: showing ${state.method}.`)] : null);
  fillMethods(methodMenu);
  fillRoles(roleMenu);
  runFilter(view);
  runQ(qInput);
  performance.mark("leadq:answer");
  const ms = Math.round(performance.now());
  Object.assign(window.leadqPlayground, { readyMs: ms, version });
  $("pg-progress").hidden = true;
  $("pg-status").dataset.state = "ready";
  $("pg-status").title = `ready ${(ms / 1000).toFixed(1)} s after the page opened`;
  ready();
  methodMenu.addEventListener("change", () => { if (asked) { asked = null; ready(); } }); // chosen: said
  // A link pasted into this tab changes only the hash, and the page is not loaded again: the
  // playground takes the link's state as a fresh page would. (The page's own writeLocation
  // replaces the state, which fires no hashchange.)
  window.addEventListener("hashchange", () => {
    Object.assign(state, { mode: "filter", method: "", role: "", filter: EXAMPLES[0][1], q: "" });
    readLocation();
    asked = knownMethod();
    methodMenu.value = state.method;
    fillRoles(roleMenu);
    showMode();
    qInput.value = state.q;
    if (view.state.doc.toString() !== state.filter) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: state.filter } }); // runs it
    } else runFilter(view);
    runQ(qInput);
    ready();
  });
  root.dataset.ready = "true";
}

// The method the link named when leadq has no such method (the default is shown instead);
// null when it has, or the link named none.
function knownMethod() {
  if (methodsOf(menu.groups).includes(state.method)) return null;
  const asked = state.method;
  state.method = menu.default;
  return asked || null;
}

main();
