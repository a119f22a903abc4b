import type { Cache } from "@secapi/cache";
import type { Config } from "@secapi/config";
import type { CacheKeys, SubmissionIo } from "@secapi/core";
import { ImageError, resolveImageDigest } from "@secapi/scanners";
import { withTimeout } from "@secapi/toolkit";

/** The longest a submission waits for a registry to say what a tag names; then the scan is queued by the tag. */
export const TAG_LOOKUP_DEADLINE_MS = 3000;
/**
 * How long a registry that did not answer is not asked again about that tag (at most IMAGE_TAG_CACHE_SECONDS):
 * during an outage, submissions are queued by the tag at once instead of each waiting out the deadline.
 */
export const UNREACHABLE_SECONDS = 5;
/** Per request of a lookup (a token, the HEAD), each retried once: the deadline above ends the whole earlier. */
const TAG_LOOKUP_TIMEOUTS = { headersMs: 2500, idleMs: 2500 };

/** A lookup's outcome as cached: a registry that did not answer is never cached. */
type TagLookup = { digest: string } | { unreachable: true };

/**
 * What an image tag names, for pinning image submissions to their digest (ScanTypeDefinition.pin): looked up with
 * the scan-worker's registry settings (allowed and insecure registries, Docker config logins, proxy), at most
 * TAG_LOOKUP_DEADLINE_MS, and kept IMAGE_TAG_CACHE_SECONDS in the cache (one lookup across every API process per
 * tag and period, so a load test on `nginx:latest` does not HEAD the registry per request). Refusals (unknown tag,
 * unauthorised) are not kept: a tag pushed a moment later is found. A registry that did not answer is kept
 * UNREACHABLE_SECONDS.
 */
export function imageTagDigests(config: Config, cache: Cache, keys: CacheKeys): SubmissionIo {
  const settings = {
    allowedRegistries: config.image.registries,
    insecureRegistries: config.image.insecureRegistries,
    proxy: config.proxy,
    timeouts: TAG_LOOKUP_TIMEOUTS,
  };
  const ttl = config.image.tagCacheSeconds;
  const lookUp = (reference: string) => withinDeadline(resolveImageDigest(reference, settings));
  return {
    async imageDigest(reference) {
      const found =
        ttl === 0
          ? await lookUp(reference)
          : (
              await cache.getOrLoad(keys.imageTag(reference), () => lookUp(reference), {
                ttl,
                ttlOf: (got) => ("digest" in got ? ttl : Math.min(ttl, UNREACHABLE_SECONDS)),
              })
            ).value;
      return "digest" in found ? found.digest : undefined;
    },
  };
}

/** The digest, unreachable (a network failure, or no answer within the deadline), or the registry's refusal thrown. */
async function withinDeadline(lookup: Promise<string>): Promise<TagLookup> {
  try {
    // Past the deadline the lookup still ends by its own timeouts; its outcome is dropped, a failure included.
    const late = () => new ImageError("image_registry_unreachable", `no answer within ${TAG_LOOKUP_DEADLINE_MS} ms`);
    return { digest: await withTimeout(lookup, TAG_LOOKUP_DEADLINE_MS, late) };
  } catch (error) {
    if (error instanceof ImageError && error.code === "image_registry_unreachable") return { unreachable: true };
    throw error;
  }
}
