import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipFiles } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdvisoryFeedError } from "./advisory-feed-error.js";
import { zipJsonEntries } from "./zip-entries.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "secapi-zip-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function zipOnDisk(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function readAll(path: string): Promise<{ name: string; text: string }[]> {
  const entries = [];
  for await (const entry of zipJsonEntries(path)) entries.push(entry);
  return entries;
}

describe("zipJsonEntries", () => {
  it("yields every .json entry's text in order, across read windows, and skips other files", async () => {
    // Incompressible-ish entries larger than one read window in total, so entries straddle window edges.
    const files: Record<string, string> = {};
    for (let n = 0; n < 600; n++) files[`GHSA-${n}.json`] = JSON.stringify({ id: `GHSA-${n}`, pad: randomBytes(2000 + n).toString("hex") });
    files["README.txt"] = "not an advisory";
    const zip = zipFiles(files);
    expect(zip.length).toBeGreaterThan(2 ** 20);
    const entries = await readAll(await zipOnDisk("many.zip", zip));
    expect(entries.map((e) => e.name)).toEqual(Object.keys(files).filter((name) => name.endsWith(".json")));
    expect(entries.every((e) => e.text === files[e.name])).toBe(true);
  });

  it("refuses an entry whose bytes do not match the central directory's CRC-32", async () => {
    const text = JSON.stringify({ id: "GHSA-x", details: "a".repeat(64) });
    const zip = zipFiles({ "GHSA-x.json": text });
    // fflate stores this entry deflated; flip one bit of its compressed data (after the 30-byte header and the name).
    const corrupt = Buffer.from(zip);
    corrupt[30 + "GHSA-x.json".length + 2]! ^= 0x01;
    await expect(readAll(await zipOnDisk("corrupt.zip", corrupt))).rejects.toBeInstanceOf(AdvisoryFeedError);
  });

  it("refuses a file that is not a zip", async () => {
    await expect(readAll(await zipOnDisk("not.zip", Buffer.from("plain text, not a zip")))).rejects.toThrow(/not a readable zip/);
  });
});
