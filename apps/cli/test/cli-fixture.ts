import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "@secapi/testing";

const run = promisify(execFile);

/** Each CLI test starts processes (node, a migration, a Redis client): on a loaded 2-core machine that is slow. */
export const CLI_TIMEOUT_MS = 180_000;

/** `pnpm secapi …` as a process, with `env` on top of the test's; never throws, returns the exit code. */
export async function secapi(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [`${REPO_ROOT}apps/cli/dist/main.js`, ...args], { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}
