import type { CacheStatus } from "@secapi/cache";
import { type ResultCurrency, isCurrent } from "@secapi/core";
import type { ApiContext } from "../context.js";

/** A cache read: the value (none on a miss) and how it was served. */
export interface CacheRead<T> {
  value: T | null | undefined;
  status: CacheStatus;
}

/**
 * A cached entry that shows stored results, if it may be served: as read when its stamp is current for this
 * process (no I/O), else read again through Postgres by `reload`, which verifies it in SQL and stamps it anew, or
 * finds the results outdated. Postgres was asked then, so the read is a MISS whatever the cache said.
 */
export async function currentRead<T extends ResultCurrency>(
  ctx: Pick<ApiContext, "advisoryRevisions">,
  read: CacheRead<T>,
  reload: () => Promise<T | null | undefined>,
): Promise<{ value: T | undefined; status: CacheStatus }> {
  if (!read.value || isCurrent(read.value, ctx.advisoryRevisions.latest)) return { value: read.value ?? undefined, status: read.status };
  return { value: (await reload()) ?? undefined, status: "MISS" };
}
