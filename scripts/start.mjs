#!/usr/bin/env node
// `pnpm start` on a fresh clone: install, build, then hand over to tooling/local-stack, which starts
// Postgres/Redis if they are missing, migrates and runs the apps. Plain Node: it runs before install.
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
execFileSync(process.execPath, [`${root}scripts/ensure-installed.mjs`], { stdio: "inherit" });
execFileSync("pnpm", ["turbo", "run", "build", "--output-logs=errors-only"], { cwd: root, stdio: "inherit" });

const child = spawn(process.execPath, [`${root}tooling/local-stack/dist/start.js`], { cwd: root, stdio: "inherit" });
// The child receives Ctrl-C from the terminal itself; forward a SIGTERM sent to this process only.
process.on("SIGTERM", () => child.kill("SIGTERM"));
process.on("SIGINT", () => undefined);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// `pnpm start` killed with SIGTERM exits without telling its script; stop the apps rather than orphan them.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill("SIGTERM");
}, 1000).unref();
