import { InvalidArgumentError } from "commander";

/** What `--type` accepts: a project's lockfiles and SBOMs, its files for secrets, and container images. */
export const SCAN_KINDS = ["dependencies", "secrets", "image"] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

const LABEL_KEY = /^[a-z][a-z0-9_.-]{0,62}$/;

/** A command line that parses but asks for something impossible: exit 2. */
export class ScanUsageError extends Error {
  readonly code = "scan_usage_error";
}

/** `--type dependencies,secrets,image`: a non-empty comma-separated list of SCAN_KINDS. */
export function parseScanKinds(value: string): ScanKind[] {
  const kinds = value
    .split(",")
    .map((kind) => kind.trim())
    .filter(Boolean);
  const unknown = kinds.filter((kind) => !(SCAN_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0 || kinds.length === 0)
    throw new InvalidArgumentError(`expected a comma-separated list of ${SCAN_KINDS.join(", ")}`);
  return [...new Set(kinds)] as ScanKind[];
}

/** `--label k=v` (repeatable): merged into one record, the last value of a key winning. */
export function parseLabel(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf("=");
  const key = value.slice(0, at);
  if (at < 1 || !LABEL_KEY.test(key) || value.length === at + 1)
    throw new InvalidArgumentError("expected k=v with a lower-case key (a-z, 0-9, _ . -) and a value");
  return { ...previous, [key]: value.slice(at + 1) };
}

/** A repeatable option's values, in the order given (`--image a --image b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  if (value.trim() === "") throw new InvalidArgumentError("expected a value");
  return [...(previous ?? []), value];
}

/**
 * What to scan. Without `--type`: the project's dependencies, or, when images are named, only those images (a
 * job scanning an image does not also walk the working directory). With `--type`: those kinds, and an image
 * named by `--image`/`--image-archive` is scanned even when `image` is not listed (naming one asks for it);
 * `--type image` without any image is a usage error.
 */
export function selectScanKinds(typeOption: ScanKind[] | undefined, images: { references: string[]; archives: string[] }): ScanKind[] {
  const namesImages = images.references.length + images.archives.length > 0;
  if (typeOption === undefined) return namesImages ? ["image"] : ["dependencies"];
  if (typeOption.includes("image") && !namesImages)
    throw new ScanUsageError(
      "--type image needs the image: --image REF (pulled by the server) or --image-archive FILE (docker save / OCI tar)",
    );
  return namesImages && !typeOption.includes("image") ? [...typeOption, "image"] : typeOption;
}
