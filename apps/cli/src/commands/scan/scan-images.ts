import type { ApiScan, ScanClient } from "./scan-client.js";
import { type TargetReport, scanOutcome } from "./scan-report.js";

/** The images a run scans: references the server pulls, and archives uploaded from this machine. */
export interface ImageTargets {
  references: string[];
  archives: string[];
  /** `--platform`: the image the server picks from a multi-platform reference (its default, `linux/amd64`, otherwise). */
  platform?: string | undefined;
}

async function scanImage(path: string, submit: () => Promise<ApiScan>): Promise<TargetReport> {
  const base = { path, kind: "image", scanType: "image" } as const;
  try {
    return { ...base, ...scanOutcome(await submit()) };
  } catch (error) {
    return { ...base, findings: [], error: (error as Error).message };
  }
}

/** Scans each image, one at a time (a pull or an upload is heavy): by reference, then each archive. */
export async function scanImages(client: ScanClient, images: ImageTargets, labels: Record<string, string>): Promise<TargetReport[]> {
  const reports: TargetReport[] = [];
  const platform = images.platform === undefined ? {} : { platform: images.platform };
  for (const reference of images.references)
    reports.push(await scanImage(reference, () => client.scan("image", { image: reference, ...platform }, labels)));
  for (const archive of images.archives) reports.push(await scanImage(archive, () => client.scanImageArchive(archive, labels)));
  return reports;
}
