import { ImageError } from "./image-error.js";

/** An image reference, normalised the way `docker pull` reads it. */
export interface ImageReference {
  /** `docker.io` for Docker Hub, else the registry's `host[:port]` as written (lower-cased). */
  registry: string;
  /** `library/nginx`, `org/app`. */
  repository: string;
  /** The tag; `latest` when the reference names neither tag nor digest. */
  tag?: string;
  /** `sha256:<64 hex>`: when present it is what is pulled, the tag is only informative. */
  digest?: string;
  /** `registry/repository[:tag][@digest]`: equal images by reference have equal canonical forms. */
  canonical: string;
}

/** A reference that does not follow the distribution reference grammar; the message names what is wrong. */
export class ImageReferenceError extends ImageError {
  override readonly name: string = "ImageReferenceError";

  constructor(message: string) {
    super("image_reference_invalid", message);
  }
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);
const MAX_NAME_LENGTH = 255;
const MAX_REFERENCE_LENGTH = 512;

// The grammar of github.com/distribution/reference (current: separators `-+`, not the `-*` of older releases, which
// makes the path regex ambiguous and exponential in a backtracking engine). Each part is matched on its own, anchored,
// after the reference is split by hand: no regex here backtracks over more than one component.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Parses `nginx`, `nginx:1.25`, `ghcr.io/org/app@sha256:…`, `localhost:5000/app:dev` as Docker does: a first
 * component with a `.` or `:`, or `localhost`, is a registry; otherwise the image is on Docker Hub, under
 * `library/` when it has a single component.
 *
 * @example
 * parseImageReference("nginx").canonical; // "docker.io/library/nginx:latest"
 * @throws ImageReferenceError naming the part at fault.
 */
export function parseImageReference(text: string): ImageReference {
  if (text.length === 0) throw new ImageReferenceError("the image reference is empty");
  if (text.length > MAX_REFERENCE_LENGTH)
    throw new ImageReferenceError(`the image reference is longer than ${MAX_REFERENCE_LENGTH} characters`);
  if (/\s/.test(text)) throw new ImageReferenceError(`"${text}" contains whitespace`);

  const at = text.indexOf("@");
  const named = at < 0 ? text : text.slice(0, at);
  const digest = at < 0 ? undefined : text.slice(at + 1);
  if (digest !== undefined) checkDigest(digest, text);

  const lastSlash = named.lastIndexOf("/");
  const colon = named.indexOf(":", lastSlash + 1);
  const name = colon < 0 ? named : named.slice(0, colon);
  const tag = colon < 0 ? undefined : named.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) {
    throw new ImageReferenceError(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }

  const { registry, path } = splitRegistry(name, text);
  if (name.length > MAX_NAME_LENGTH) throw new ImageReferenceError(`the repository name is longer than ${MAX_NAME_LENGTH} characters`);
  const components = path.split("/");
  for (const component of components) {
    if (component === "") throw new ImageReferenceError(`"${text}" has an empty path component`);
    if (component !== component.toLowerCase()) throw new ImageReferenceError(`repository name "${path}" must be lowercase`);
    if (!PATH_COMPONENT.test(component)) {
      throw new ImageReferenceError(
        `"${component}" is not a valid repository path component (lowercase letters and digits, separated by . _ __ or -)`,
      );
    }
  }
  if (/^[a-f0-9]{64}$/.test(path)) throw new ImageReferenceError("a 64-character hex string is an image id, not a repository name");
  const repository = registry === DOCKER_HUB && components.length === 1 ? `library/${path}` : path;

  const effectiveTag = tag ?? (digest === undefined ? "latest" : undefined);
  return {
    registry,
    repository,
    ...(effectiveTag !== undefined && { tag: effectiveTag }),
    ...(digest !== undefined && { digest }),
    canonical: `${registry}/${repository}${effectiveTag === undefined ? "" : `:${effectiveTag}`}${digest === undefined ? "" : `@${digest}`}`,
  };
}

/** Whether the reference's registry is in `allowed` (`IMAGE_REGISTRIES`: `host[:port]` entries, Docker Hub aliases accepted). */
export function isRegistryAllowed(reference: Pick<ImageReference, "registry">, allowed: readonly string[]): boolean {
  const registry = normalizeRegistry(reference.registry);
  return allowed.some((entry) => normalizeRegistry(entry.trim()) === registry);
}

/** The reference parsed, if its registry is in `allowed` (`IMAGE_REGISTRIES`); else ImageError `image_registry_not_allowed`. */
export function allowedReference(reference: string | ImageReference, allowed: readonly string[]): ImageReference {
  const ref = typeof reference === "string" ? parseImageReference(reference) : reference;
  if (!isRegistryAllowed(ref, allowed)) {
    throw new ImageError(
      "image_registry_not_allowed",
      `${ref.registry} is not one of the registries images may be pulled from (IMAGE_REGISTRIES)`,
    );
  }
  return ref;
}

/** `host[:port]` lower-cased, Docker Hub's other names folded into `docker.io`. */
export function normalizeRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

function splitRegistry(name: string, text: string): { registry: string; path: string } {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  // Docker's rule: an uppercase first component is also a host, so that the lowercase check below names the path.
  const isHost = slash >= 0 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase());
  if (!isHost) return { registry: DOCKER_HUB, path: name };
  checkHost(first, text);
  return { registry: normalizeRegistry(first), path: name.slice(slash + 1) };
}

function checkHost(host: string, text: string): void {
  const portColon = host.startsWith("[") ? host.indexOf(":", host.indexOf("]")) : host.indexOf(":");
  const hostname = portColon < 0 ? host : host.slice(0, portColon);
  const port = portColon < 0 ? undefined : host.slice(portColon + 1);
  if (!(DOMAIN_NAME.test(hostname) || IPV6_HOST.test(hostname)) || (port !== undefined && !PORT.test(port))) {
    throw new ImageReferenceError(`"${host}" in "${text}" is not a valid registry host[:port]`);
  }
}

function checkDigest(digest: string, text: string): void {
  if (SHA256_DIGEST.test(digest)) return;
  if (ANY_DIGEST.test(digest) && !digest.startsWith("sha256:")) {
    throw new ImageReferenceError(`digest "${digest}" uses an algorithm other than sha256, which is the only one read`);
  }
  throw new ImageReferenceError(`"${digest}" in "${text}" is not a valid digest (sha256: and 64 lowercase hex digits)`);
}
