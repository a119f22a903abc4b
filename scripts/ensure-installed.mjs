#!/usr/bin/env node
// Installs the workspace's dependencies when they are missing or older than the lockfile, so that
// `pnpm start` and `pnpm test` work on a fresh clone. Plain Node, no dependencies: it runs before install.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = `${root}node_modules/.modules.yaml`;
const lockfile = `${root}pnpm-lock.yaml`;

const stale = !existsSync(marker) || statSync(lockfile).mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log("Installing dependencies (pnpm install --frozen-lockfile)...");
  execFileSync("pnpm", ["install", "--frozen-lockfile"], { cwd: root, stdio: "inherit" });
}
