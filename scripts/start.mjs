#!/usr/bin/env node
// `pnpm start` on a fresh clone: install, build, then run tooling/local-stack in this same process, which starts
// Postgres/Redis if they are missing, migrates and supervises the apps. Plain Node: it runs before install.
// package.json runs it with `exec`: a SIGTERM sent to pnpm then reaches this process (pnpm forwards it) instead of
// killing a shell in between, which left the apps running and made pnpm exit 143.
import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
execFileSync(process.execPath, [`${root}scripts/ensure-installed.mjs`], { stdio: "inherit" });
await build();
await import(pathToFileURL(`${root}tooling/local-stack/dist/start.js`).href);

/**
 * `turbo run build`, showing one line per package as it is built or found cached, errors in full, and how long it
 * took; without this the first build (a few minutes) looked like a hang.
 */
async function build() {
  console.log("[start] building the workspace: a first build takes a few minutes; later ones rebuild only what changed");
  const started = Date.now();
  const turbo = spawn("pnpm", ["turbo", "run", "build", "--output-logs=new-only", "--log-order=stream"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => turbo.once("close", resolve));
  for await (const line of createInterface({ input: turbo.stdout })) {
    const task = /^(\S+):build: cache (miss|hit)/.exec(line);
    if (task) console.log(`[start]   ${task[1]}${task[2] === "hit" ? " (cached)" : ""}`);
    // The scripts' own echo of their command lines says nothing; compiler errors and turbo's summary do.
    else if (!/^\S+:build: (> |$)/.test(line) && line.trim() !== "") console.log(line);
  }
  const code = await exited;
  if (code !== 0) {
    console.error(`[start] the build failed (exit code ${code}); see above`);
    process.exit(typeof code === "number" ? code : 1);
  }
  console.log(`[start] built in ${Math.round((Date.now() - started) / 1000)} s`);
}
