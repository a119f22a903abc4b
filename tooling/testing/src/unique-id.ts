import { randomBytes } from "node:crypto";

/** A short random id safe in database names, Redis keys and BullMQ prefixes. */
export function uniqueId(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}
