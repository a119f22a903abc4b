import { createHash } from "node:crypto";

/**
 * A webhook notice's id: a UUID (version 8, name-based on SHA-256) of the parts that make the notice what it is, so
 * every copy of one notice (a redelivered event, a retried or duplicated send, another process) carries the same id
 * and receivers and the durable dedupe (`webhook_deliveries`) recognise it.
 *
 * @example
 * noticeId("scan.findings_changed", eventId, userId);
 */
export function noticeId(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join(":")).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
