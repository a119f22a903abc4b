import { type RawBuilder, sql } from "kysely";

/** Above this many tags, `&&` is no longer served by the GIN index and a seq scan compares every pair. */
const GIN_OVERLAP_MAX_TAGS = 32;

/**
 * SQL: whether the text[] column `column` shares a tag with `tags`. A few tags: `&&`, which the GIN index on tags
 * serves. Many (one advisory sync names hundreds of packages): Postgres scans instead, and `&&` compares every
 * pair of elements (20,000 results × 20 tags × 1,000 tags took 15–20 s); a hashed `= ANY` per element takes 0.3 s.
 */
export function sharesTag(column: string, tags: readonly string[]): RawBuilder<boolean> {
  const ref = sql.ref(column);
  const list = sql.val([...tags]);
  return tags.length <= GIN_OVERLAP_MAX_TAGS
    ? sql<boolean>`${ref} && ${list}::text[]`
    : sql<boolean>`EXISTS (SELECT 1 FROM unnest(${ref}) AS own(tag) WHERE own.tag = ANY(${list}::text[]))`;
}
