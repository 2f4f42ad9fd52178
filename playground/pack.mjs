// Run pack.py in Pyodide itself, under Node: the docs build (hook.py) calls
//   node pack.mjs JOB.json
// with absolute paths in JOB.json. The host's files are reached through Pyodide's NODEFS,
// mounted at /host. Prints what pack.py prints; exits 1 on any error.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";

const here = dirname(fileURLToPath(import.meta.url));
const host = (path) => `/host${resolve(path)}`;

const job = JSON.parse(readFileSync(process.argv[2], "utf8")).map((task) => ({
  ...task,
  target: host(task.target),
  zips: (task.zips || []).map(host),
  modules: Object.fromEntries(Object.entries(task.modules || {}).map(([name, path]) => [name, host(path)])),
}));

const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
pyodide.FS.writeFile("/job.json", JSON.stringify(job));
pyodide.FS.writeFile("/pack.py", readFileSync(resolve(here, "pack.py")));
pyodide.runPython(`
import runpy, sys
sys.argv = ["pack.py", "/job.json"]
try:
    runpy.run_path("/pack.py", run_name="__main__")
except SystemExit as e:
    if e.code:
        raise
`);
