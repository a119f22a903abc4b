import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", args, { cwd });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `ref` (the branch, or the CI's ref when detached) and `commit` of the git work tree at `dir`, if it is one.
 * CI checkouts are often detached: GITHUB_HEAD_REF / GITHUB_REF_NAME / CI_COMMIT_REF_NAME name the ref then.
 */
export async function gitLabels(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  if ((await git(dir, ["rev-parse", "--is-inside-work-tree"])) !== "true") return {};
  const commit = await git(dir, ["rev-parse", "HEAD"]);
  const branch = await git(dir, ["rev-parse", "--abbrev-ref", "HEAD"]);
  const ref = branch && branch !== "HEAD" ? branch : env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME || undefined;
  return { ...(ref && { ref: ref.slice(0, 200) }), ...(commit && { commit }) };
}
