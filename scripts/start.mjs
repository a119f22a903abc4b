#!/usr/bin/env node
// `pnpm start` on a fresh clone: install, build, then run tooling/local-stack in this same process, which starts
// Postgres/Redis if they are missing, migrates and supervises the apps. Plain Node: it runs before install.
// package.json runs it with `exec`: a SIGTERM sent to pnpm then reaches this process (pnpm forwards it) instead of
// killing a shell in between, which left the apps running and made pnpm exit 143.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
execFileSync(process.execPath, [`${root}scripts/ensure-installed.mjs`], { stdio: "inherit" });
execFileSync("pnpm", ["turbo", "run", "build", "--output-logs=errors-only"], { cwd: root, stdio: "inherit" });
await import(pathToFileURL(`${root}tooling/local-stack/dist/start.js`).href);
