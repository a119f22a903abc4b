import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SECRETS_FILE_BYTES, findTargets } from "./find-targets.js";

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), "secapi-find-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("findTargets", () => {
  it("finds lockfiles by name and SBOMs, skipping dependency trees and what every .gitignore names", async () => {
    const dir = project({
      "package-lock.json": "{}",
      "api/requirements-dev.txt": "flask==2.0.0\n",
      "api/.gitignore": "generated/\n/local.cdx.json\n",
      "api/generated/yarn.lock": "",
      "api/local.cdx.json": "{}",
      "api/sub/local.cdx.json": "{}",
      "sbom/bom.json": "{}",
      "sbom/app.spdx.json": "{}",
      ".gitignore": "dist\n",
      "dist/pnpm-lock.yaml": "",
      "node_modules/x/package-lock.json": "{}",
      "vendor/y/Gemfile.lock": "",
      ".git/package-lock.json": "{}",
      "README.md": "token = abc",
    });
    const { targets } = await findTargets(dir, { secrets: false });
    expect(targets.map((t) => `${t.kind} ${t.path}`)).toEqual([
      "lockfile api/requirements-dev.txt",
      "sbom api/sub/local.cdx.json",
      "lockfile package-lock.json",
      "sbom sbom/app.spdx.json",
      "sbom sbom/bom.json",
    ]);
  });

  it("with secrets, takes text files that name a rule's keyword, within the size limit", async () => {
    const dir = project({
      "deploy.env": "AWS_ACCESS_KEY_ID=AKIAxxxxxxxxxxxxxxxx\n",
      "notes.txt": "nothing to see\n",
      "image.bin": "akia\u0000binary",
      "big.env": `AKIA${"x".repeat(MAX_SECRETS_FILE_BYTES)}`,
    });
    const { targets, skipped } = await findTargets(dir, { secrets: true });
    expect(targets.map((t) => `${t.kind} ${t.path}`)).toEqual(["secrets deploy.env"]);
    expect(skipped.map((s) => s.path)).toEqual(["big.env"]);
  });
});
