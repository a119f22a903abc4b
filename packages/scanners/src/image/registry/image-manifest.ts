import { createHash } from "node:crypto";
import { ImageError } from "../image-error.js";
import type { RegistryClient } from "./registry-client.js";
import { readBody } from "./registry-http.js";

export const MEDIA_TYPES = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

const ACCEPT = Object.values(MEDIA_TYPES).join(", ");
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex]);
const MANIFEST_TYPES = new Set<string>([MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]);
/** Manifests are a few KiB; the distribution registry itself refuses more than 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** A blob a manifest names. */
export interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
}

/** The image manifest that was chosen: its digest (what was analysed) and its layers, bottom first. */
export interface ImageManifest {
  digest: string;
  layers: Descriptor[];
}

/** `os/architecture[/variant]`, e.g. `linux/arm64/v8`. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** What an image index is followed to when no platform is asked for, as `docker pull` on a usual server does. */
export const DEFAULT_PLATFORM = "linux/amd64";

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split("/");
  if (os === undefined || os === "" || architecture === undefined || architecture === "" || rest.length > 0) {
    throw new ImageError("image_platform_not_found", `"${text}" is not a platform (os/architecture[/variant], e.g. linux/amd64)`);
  }
  return { os, architecture, ...(variant !== undefined && variant !== "" && { variant }) };
}

/**
 * The manifest of `reference` (a tag or digest) for `platform`: an image index or manifest list is followed to the
 * entry for the platform (nested indexes a few levels deep). Every manifest's bytes are checked against the digest
 * they were asked by, or against `Docker-Content-Digest` when asked by tag.
 */
export async function fetchImageManifest(client: RegistryClient, reference: string, platform: Platform): Promise<ImageManifest> {
  let fetched = await fetchManifest(client, reference);
  for (let depth = 0; INDEX_TYPES.has(fetched.mediaType); depth++) {
    if (depth > 3) throw invalid("image index nesting too deep");
    fetched = await fetchManifest(client, pickPlatform(fetched.json, fetched.digest, platform));
  }
  if (!MANIFEST_TYPES.has(fetched.mediaType)) throw invalid(`unsupported manifest type ${fetched.mediaType} (${fetched.digest})`);
  const layers = (fetched.json as { layers?: unknown }).layers;
  if (!Array.isArray(layers) || layers.length === 0) throw invalid(`manifest ${fetched.digest} lists no layers`);
  return { digest: fetched.digest, layers: layers.map((layer, i) => descriptor(layer, `layer ${i} of ${fetched.digest}`)) };
}

/**
 * The digest `reference` (a tag) names now: what the registry's HEAD says, else the hash of the manifest fetched.
 * For a multi-platform image it is the index's digest, which fixes every platform's manifest (each named by digest).
 */
export async function resolveManifestDigest(client: RegistryClient, reference: string): Promise<string> {
  return (await client.manifestDigest(reference, ACCEPT)) ?? (await fetchManifest(client, reference)).digest;
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  json: unknown;
}

async function fetchManifest(client: RegistryClient, reference: string): Promise<FetchedManifest> {
  const answer = await client.get(`manifests/${reference}`, ACCEPT);
  const bytes = await readBody(answer, client.idleMs, MAX_MANIFEST_BYTES);
  if (bytes === undefined) throw invalid(`manifest ${reference} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const expected = SHA256.test(reference) ? reference : answer.response.headers.get("docker-content-digest");
  if (expected !== null && SHA256.test(expected) && expected !== digest) {
    throw invalid(`manifest ${reference} does not match its digest ${expected} (its bytes hash to ${digest})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw invalid(`manifest ${reference} is not JSON`, error);
  }
  const declared = (json as { mediaType?: unknown } | null)?.mediaType;
  const header = answer.response.headers.get("content-type")?.split(";")[0]?.trim();
  const mediaType = typeof declared === "string" ? declared : (header ?? "");
  if (
    (json as { schemaVersion?: unknown } | null)?.schemaVersion === 1 ||
    mediaType.startsWith("application/vnd.docker.distribution.manifest.v1")
  ) {
    throw invalid(`manifest ${reference} is Docker schema 1, which is no longer read (push the image again with a current tool)`);
  }
  // An OCI index or manifest may omit mediaType: which one it is shows in its fields.
  const shaped =
    mediaType !== "" && mediaType !== "application/json"
      ? mediaType
      : Array.isArray((json as { manifests?: unknown }).manifests)
        ? MEDIA_TYPES.ociIndex
        : MEDIA_TYPES.ociManifest;
  return { digest, mediaType: shaped, json };
}

function pickPlatform(index: unknown, digest: string, want: Platform): string {
  const manifests = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests) || manifests.length === 0) throw invalid(`image index ${digest} lists no manifests`);
  const entries = manifests.map((entry: unknown, i) => ({
    digest: descriptor(entry, `entry ${i} of image index ${digest}`).digest,
    platform: ((entry as { platform?: unknown }).platform ?? {}) as Partial<Platform>,
  }));
  const matching = entries.filter(
    ({ platform }) =>
      platform.os === want.os &&
      platform.architecture === want.architecture &&
      (want.variant === undefined || platform.variant === want.variant),
  );
  // Without a wanted variant, the entry without one (or the first) is the default, as docker pull picks.
  const chosen = matching.find(({ platform }) => platform.variant === undefined) ?? matching[0];
  if (chosen !== undefined) return chosen.digest;
  const offered = entries
    .map(({ platform }) => [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/"))
    .filter((name) => name !== "" && !name.startsWith("unknown"));
  throw new ImageError(
    "image_platform_not_found",
    `image index ${digest} has no ${[want.os, want.architecture, want.variant].filter(Boolean).join("/")} image (it has: ${offered.join(", ") || "none named"})`,
  );
}

function descriptor(value: unknown, where: string): Descriptor {
  const { digest, size, mediaType } = (value ?? {}) as { digest?: unknown; size?: unknown; mediaType?: unknown };
  if (typeof digest !== "string" || !SHA256.test(digest)) throw invalid(`${where} has no sha256 digest`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where} has no valid size`);
  return { digest, size, ...(typeof mediaType === "string" && { mediaType }) };
}

function invalid(message: string, cause?: unknown): ImageError {
  return new ImageError("image_manifest_invalid", message, cause === undefined ? undefined : { cause });
}
