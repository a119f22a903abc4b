import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One job's scratch directory: created on first use, removed by `remove` (idempotent). */
export interface JobWorkDir {
  path(): Promise<string>;
  remove(): Promise<void>;
}

/**
 * Scratch directories of the jobs in flight (`<tmp>/secapi-scan-<jobId>-<random>`, where an image's blobs are
 * staged). Each is removed when its job ends, whatever the outcome; `removeAllSync` removes those still there when
 * the process exits (a shutdown that timed out with jobs in flight). Only a SIGKILL leaves one behind.
 */
export class JobWorkDirs {
  private readonly live = new Set<string>();

  constructor(private readonly root: string = tmpdir()) {}

  forJob(jobId: string): JobWorkDir {
    let created: Promise<string> | undefined;
    return {
      path: () => {
        created ??= mkdtemp(join(this.root, `secapi-scan-${jobId.replace(/[^A-Za-z0-9_-]/g, "_")}-`)).then((dir) => {
          this.live.add(dir);
          return dir;
        });
        return created;
      },
      remove: async () => {
        const dir = await created?.catch(() => undefined);
        if (dir === undefined) return;
        await rm(dir, { recursive: true, force: true });
        this.live.delete(dir);
      },
    };
  }

  /** The directories of jobs still in flight. */
  get inUse(): readonly string[] {
    return [...this.live];
  }

  /** Removes every directory still in use, synchronously (from a process `exit` handler). */
  removeAllSync(): void {
    for (const dir of this.live) rmSync(dir, { recursive: true, force: true });
    this.live.clear();
  }
}
