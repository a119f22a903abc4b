import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobWorkDirs } from "./job-work-dirs.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "secapi-work-dirs-test-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("JobWorkDirs", () => {
  it("creates a job's directory on first use only, named after the job, and removes it with its content", async () => {
    const dirs = new JobWorkDirs(root);
    const unused = dirs.forJob("image-a-b");
    await unused.remove();
    expect(await readdir(root)).toEqual([]);

    const job = dirs.forJob("image-owner-hash-scan");
    const path = await job.path();
    expect(await job.path()).toBe(path);
    expect(path.startsWith(join(root, "secapi-scan-image-owner-hash-scan-"))).toBe(true);
    await writeFile(join(path, "blob"), "x");
    expect(dirs.inUse).toEqual([path]);
    await job.remove();
    await job.remove();
    expect(existsSync(path)).toBe(false);
    expect(dirs.inUse).toEqual([]);
  });

  it("removes every directory still in use at exit", async () => {
    const dirs = new JobWorkDirs(root);
    const paths = await Promise.all([dirs.forJob("one").path(), dirs.forJob("two").path()]);
    dirs.removeAllSync();
    expect(paths.map((p) => existsSync(p))).toEqual([false, false]);
    expect(await readdir(root)).toEqual([]);
  });
});
