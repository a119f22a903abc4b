#!/usr/bin/env node
// Copies non-TypeScript sources a package ships (Lua scripts) from src/ to dist/, keeping their paths.
import { cpSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ASSET = /\.lua$/;

function copy(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copy(path);
    else if (ASSET.test(entry)) cpSync(path, path.replace(/^src/, "dist"), { recursive: true });
  }
}

if (existsSync("src")) copy("src");
