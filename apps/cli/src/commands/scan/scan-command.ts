import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { findTargets, type ScanTarget } from "./find-targets.js";
import { formatSarif } from "./format-sarif.js";
import { formatTable } from "./format-table.js";
import { gitLabels } from "./git-labels.js";
import { type ApiScan, ScanClient } from "./scan-client.js";
import { type ImageTargets, scanImages } from "./scan-images.js";
import { uploadProgressBar } from "./upload-progress-bar.js";
import type { ScanKind } from "./scan-options.js";
import { type ScanReport, type Severity, type TargetReport, failsGate, formatJson, scanOutcome } from "./scan-report.js";

/** Exit codes (docs/CI.md "Exit codes"): findings at or above --fail-on, usage or server errors. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** Largest total of file contents in one secrets submission (the API takes 5 MB bodies). */
const SECRETS_BATCH_BYTES = 4 * 1024 * 1024;

export interface ScanCommandOptions {
  url: string;
  key: string;
  types: ScanKind[];
  /** Images to scan (with `image` among `types`). */
  images: ImageTargets;
  failOn: Severity | "none";
  format: "table" | "json" | "sarif";
  output?: string | undefined;
  labels: Record<string, string>;
  /** Longest 429 `Retry-After` the client waits for (ScanClientOptions). */
  maxRetryAfterSeconds?: number | undefined;
  version: string;
}

async function scanFile(client: ScanClient, target: ScanTarget, labels: Record<string, string>): Promise<TargetReport> {
  const base = { path: target.path, kind: target.kind, text: target.text };
  try {
    if (target.kind === "lockfile") {
      const scan = await client.scan("dependencies", { lockfile: target.text, format: target.format }, labels);
      return { ...base, scanType: "dependencies", ...scanOutcome(scan) };
    }
    const sbom: unknown = JSON.parse(target.text);
    const scan = await client.scan("sbom", { sbom }, labels);
    return { ...base, scanType: "sbom", ...scanOutcome(scan) };
  } catch (error) {
    return { ...base, scanType: target.kind === "lockfile" ? "dependencies" : "sbom", findings: [], error: (error as Error).message };
  }
}

/** Secrets candidates in submissions of at most 4 MB; findings go back to their files. */
async function scanSecrets(client: ScanClient, targets: ScanTarget[], labels: Record<string, string>): Promise<TargetReport[]> {
  const batches: ScanTarget[][] = [];
  let size = Infinity;
  for (const target of targets) {
    const bytes = Buffer.byteLength(target.text);
    if (size + bytes > SECRETS_BATCH_BYTES) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)?.push(target);
    size += bytes;
  }
  const reports: TargetReport[] = [];
  for (const batch of batches) {
    let scan: ApiScan | undefined;
    let error: string | undefined;
    try {
      scan = await client.scan("secrets", { files: batch.map((t) => ({ path: t.path, content: t.text })) }, labels);
    } catch (caught) {
      error = (caught as Error).message;
    }
    const outcome = scan ? scanOutcome(scan) : { findings: [], error };
    for (const target of batch) {
      const findings = outcome.findings.filter((finding) => finding.path === target.path);
      // A batch's failure is reported once, on its first file.
      const failed = outcome.error !== undefined && target === batch[0] ? { error: outcome.error } : {};
      if (findings.length > 0 || failed.error !== undefined) {
        reports.push({
          path: target.path,
          kind: "secrets",
          scanType: "secrets",
          text: target.text,
          scanId: outcome.scanId,
          findings,
          ...failed,
        });
      }
    }
  }
  return reports;
}

/** `secapi scan`: find, submit, wait, report; resolves the exit code. */
export async function runScanCommand(path: string, options: ScanCommandOptions): Promise<number> {
  const root = resolve(path);
  const labels = { ...(await gitLabels(root)), ...options.labels };
  // An image-only run does not walk PATH.
  const walks = options.types.includes("dependencies") || options.types.includes("secrets");
  const { targets, skipped } = walks
    ? await findTargets(root, { secrets: options.types.includes("secrets") })
    : { targets: [], skipped: [] };
  for (const { path: file, reason } of skipped) process.stderr.write(`skipped ${file}: ${reason}\n`);
  const client = new ScanClient({
    url: options.url,
    key: options.key,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds,
    ...(process.stderr.isTTY === true && { onUploadProgress: uploadProgressBar() }),
  });

  const files: TargetReport[] = [];
  if (options.types.includes("dependencies")) {
    for (const target of targets.filter((t) => t.kind !== "secrets")) files.push(await scanFile(client, target, labels));
  }
  if (options.types.includes("secrets")) {
    files.push(
      ...(await scanSecrets(
        client,
        targets.filter((t) => t.kind === "secrets"),
        labels,
      )),
    );
  }
  if (options.types.includes("image")) files.push(...(await scanImages(client, options.images, labels)));
  const report: ScanReport = { root, labels, files };

  const text =
    options.format === "json"
      ? formatJson(report)
      : options.format === "sarif"
        ? formatSarif(report, options.version)
        : formatTable(report, options.output === undefined && process.stdout.isTTY === true);
  if (options.output !== undefined) {
    await writeFile(options.output, text);
    process.stderr.write(`wrote ${options.format} report to ${options.output}\n`);
  } else {
    process.stdout.write(text);
  }

  const errors = files.filter((file) => file.error !== undefined);
  for (const file of errors) process.stderr.write(`error: ${file.path}: ${file.error}\n`);
  if (errors.length > 0) return EXIT_ERROR;
  return failsGate(files, options.failOn) ? EXIT_FINDINGS : EXIT_OK;
}
