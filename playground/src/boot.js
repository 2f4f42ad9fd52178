// The playground's loader. The page runs it first, as soon as it arrives (docs/playground.md
// loads it `async` and preloads the files it needs); app.js imports the same module.
//
// Pyodide's runtime and leadq's zip are fetched in parallel. The zip holds leadq, attrs,
// tzdata and bridge.py compiled to bytecode when the docs were built (playground/hook.py),
// and Python imports from it as it is: nothing is unpacked or compiled here.
//
// Each stage is a performance mark (`leadq:start`, `leadq:fetched`, `leadq:python`,
// `leadq:leadq`; app.js adds `leadq:answer`), which `python -m benchmarks.playground` reads,
// and an event on `progress`, which the page shows.

const ASSETS = new URL(".", import.meta.url);
const RUNTIME = ["pyodide/pyodide.asm.wasm", "pyodide/pyodide.asm.js", "pyodide/python_stdlib.zip"];
const SITE = "leadq-playground.zip";
const SITE_PATH = `/lib/${SITE}`; // where hook.py's SITE_MOUNT says

export const progress = new EventTarget();
export let stage = null;

function reach(name) {
  stage = name;
  performance.mark(`leadq:${name}`);
  progress.dispatchEvent(new CustomEvent("stage", { detail: name }));
}

function failure(path, why) {
  return new Error(`${new URL(path, ASSETS).pathname}: ${why}`);
}

async function request(path, method) {
  let response;
  try {
    response = await fetch(new URL(path, ASSETS), { method });
  } catch (error) {
    throw failure(path, `could not be fetched (${error.message}); is the network down?`);
  }
  if (!response.ok) throw failure(path, `the server answered HTTP ${response.status}`);
  return response;
}

// Pyodide waits forever for a runtime file that does not arrive (it only logs the failure):
// ask for each one's headers beside it, to fail at once, saying which.
function runtimeMissing() {
  const checks = RUNTIME.map((path) => request(path, "HEAD"));
  return Promise.all(checks).then(() => new Promise(() => {}));
}

// Tell when the runtime's files have arrived, from the browser's own record of them.
function watchFetches() {
  const wanted = new Set(RUNTIME.map((path) => new URL(path, ASSETS).href));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const failed = entry.responseStatus >= 400; // a 404's body is no runtime file (0: not reported)
      if (entry.decodedBodySize > 0 && !failed) wanted.delete(entry.name); // not a HEAD
    }
    if (wanted.size === 0 && stage === "start") {
      observer.disconnect();
      reach("fetched");
    }
  });
  observer.observe({ type: "resource", buffered: true });
}

const pageRead = new Promise((resolve) => {
  if (document.readyState !== "loading") resolve();
  else document.addEventListener("DOMContentLoaded", resolve, { once: true });
});

async function boot() {
  reach("start");
  watchFetches();
  const site = request(SITE, "GET").then((response) => response.arrayBuffer());
  site.catch(() => {}); // awaited below; until then its failure is no unhandled rejection
  const missing = runtimeMissing();
  const { loadPyodide } = await Promise.race([import(new URL("pyodide/pyodide.mjs", ASSETS).href), missing]);
  // Python's start holds the page's thread for a while: let the page's own script (app.js)
  // show the editor and this progress first. The files keep arriving meanwhile (preloads).
  await pageRead;
  const pyodide = await Promise.race([loadPyodide({ indexURL: new URL("pyodide/", ASSETS).href }), missing]);
  if (stage === "start") reach("fetched");
  reach("python");
  pyodide.FS.writeFile(SITE_PATH, new Uint8Array(await site));
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(SITE_PATH)})`);
  const bridge = pyodide.pyimport("leadq_playground_bridge");
  reach("leadq");
  return { pyodide, bridge };
}

export const loaded = boot();
loaded.catch(() => {}); // the page says why (app.js)
