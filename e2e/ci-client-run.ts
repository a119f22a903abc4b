import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { REPO_ROOT } from "@secapi/testing";
import AjvDraft04 from "ajv-draft-04";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The official SARIF 2.1.0 JSON schema (draft-04), as Microsoft's SARIF matchers ship it. */
const SARIF_SCHEMA = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));

/** What a CI job sees of `secapi scan`: its exit code, stdout and stderr. */
export interface ScanRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `secapi scan ARGS` as CI runs it (the built CLI, the server and key from the environment). */
export async function runSecapiScan(server: { url: string; key: string }, args: string[]): Promise<ScanRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`${REPO_ROOT}apps/cli/dist/main.js`, "scan", ...args], {
      env: { ...process.env, SECAPI_URL: server.url, SECAPI_API_KEY: server.key },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Validates a SARIF log against the official schema; `errors` explains a failure. */
export function validateSarif(log: unknown): { valid: boolean; errors: string } {
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  const validate = ajv.compile(SARIF_SCHEMA);
  return { valid: validate(log), errors: JSON.stringify(validate.errors) };
}
