import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PromtoolResult {
  status: number;
  /** stdout and stderr together: promtool prints results to one or the other depending on the command. */
  output: string;
}

/** Runs promtool (from PATH) and returns its exit status and output instead of throwing on a failure. */
export function promtool(args: string[], input?: string): PromtoolResult {
  return runTool("promtool", args, input);
}

/** Runs amtool (Alertmanager's checker, from PATH) like promtool. */
export function amtool(args: string[]): PromtoolResult {
  return runTool("amtool", args);
}

function runTool(command: string, args: string[], input?: string): PromtoolResult {
  try {
    const stdout = execFileSync(command, args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    return { status: 0, output: stdout };
  } catch (error) {
    const failed = error as { status?: number | null; stdout?: string; stderr?: string; message: string };
    if (typeof failed.status !== "number") throw error;
    return { status: failed.status, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** Writes `files` into a fresh directory under the OS temp dir, runs `fn` with its path, then removes it. */
export function withTempFiles<T>(files: Record<string, string>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "secapi-promtool-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
