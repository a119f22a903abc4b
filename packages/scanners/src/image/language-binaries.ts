import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { UncheckedEntry } from "../dependencies/package-set.js";
import { GoBuildInfoScanner, goBinaryPackages } from "./go-build-info.js";
import type { InstalledPackage } from "./installed-package-files.js";
import { jarPackages } from "./jar-packages.js";

/** Largest executable or jar read from a layer; bigger ones go to `unchecked`. */
export const DEFAULT_MAX_BINARY_BYTES = 256 * 1024 * 1024;

const JAVA_ARCHIVE = /\.(?:jar|war|ear)$/i;

/** Whether `path` names a Java archive whose Maven coordinates the analysis reads. */
export const isJavaArchivePath = (path: string): boolean => JAVA_ARCHIVE.test(path);

/** Whether a tar entry's mode has an executable bit: only those are searched for Go build info. */
export const isExecutableMode = (mode: number | undefined): boolean => ((mode ?? 0) & 0o111) !== 0;

/** What a binary entry of a layer gives: packages (a Go binary, a jar), nothing, or a reason it was not read. */
export interface BinaryEntryResult {
  packages?: InstalledPackage[];
  /** An ELF that is not a Go binary (it hides a lower layer's Go binary at the same path). */
  otherElf?: boolean;
  unchecked?: UncheckedEntry;
}

/** Streams an executable entry through the Go build info search; the bytes are not kept. */
export async function readExecutableEntry(entry: AsyncIterable<Buffer>, path: string): Promise<BinaryEntryResult> {
  const scanner = new GoBuildInfoScanner();
  for await (const chunk of entry) if (!scanner.done) scanner.push(chunk);
  const info = scanner.result();
  if (info === undefined) return { otherElf: scanner.isElf };
  if (info === "pointer-form") {
    return {
      otherElf: true,
      unchecked: {
        ecosystem: "Go",
        name: path,
        spec: `/${path}`,
        kind: "malformed_entry",
        reason: "Go binary built before Go 1.18: its build info points elsewhere in the file and is not read",
      },
    };
  }
  return { packages: goBinaryPackages(info) };
}

/**
 * Copies a jar entry to `scratchFile` (inside the analysis folder; zips need random access) and reads its
 * Maven coordinates; the copy is removed whatever happens.
 */
export async function readJavaArchiveEntry(entry: AsyncIterable<Buffer>, path: string, scratchFile: string): Promise<BinaryEntryResult> {
  try {
    await pipeline(Readable.from(entry), createWriteStream(scratchFile));
    const { packages, skipped } = await jarPackages(scratchFile);
    const unchecked: UncheckedEntry | undefined =
      skipped.length === 0
        ? undefined
        : { ecosystem: "Maven", name: path, spec: `/${path}`, kind: "malformed_entry", reason: skipped.join("; ").slice(0, 500) };
    return { packages, ...(unchecked !== undefined && { unchecked }) };
  } finally {
    await rm(scratchFile, { force: true });
  }
}

/** The `unchecked` note for an executable or jar over the size bound (its bytes are drained unread). */
export function tooBigBinary(path: string, max: number): UncheckedEntry {
  return {
    ecosystem: isJavaArchivePath(path) ? "Maven" : "Go",
    name: path,
    spec: `/${path}`,
    kind: "malformed_entry",
    reason: `${isJavaArchivePath(path) ? "archive" : "executable"} larger than ${max} bytes, not read`,
  };
}
