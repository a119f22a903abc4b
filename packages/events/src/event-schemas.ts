import { randomUUID } from "node:crypto";
import { TIERS } from "@secapi/config";
import { z } from "zod";

const uuid = z.uuid();
const tier = z.enum(TIERS);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const scanRef = { scanId: uuid, userId: uuid, type: z.string(), inputHash: sha256 };

/** A finding named compactly in a change notice: enough to recognise it, not the whole finding. */
export const findingRefSchema = z.object({
  id: z.string(),
  ecosystem: z.string().optional(),
  package: z.string(),
  version: z.string(),
  severity: z.string(),
  path: z.array(z.string()).optional(),
});
export type FindingRef = z.infer<typeof findingRefSchema>;

/** The `data` of each event type (docs/API.md "Events"). */
export const eventDataSchemas = {
  "scan.created": z.object(scanRef),
  "scan.completed": z.object({ ...scanRef, tags: z.array(z.string()) }),
  "scan.failed": z.object({ ...scanRef, tags: z.array(z.string()) }),
  "scan.deleted": z.object({ scanId: uuid, userId: uuid }),
  "user.tier_changed": z.object({ userId: uuid, from: tier, to: tier }),
  "api_key.revoked": z.object({ userId: uuid, keyId: uuid }),
  "advisories.updated": z.object({ ecosystem: z.string(), packages: z.array(z.string()) }),
  "scan.findings_changed": z.object({
    scanIds: z.array(uuid),
    userIds: z.array(uuid),
    added: z.array(findingRefSchema),
    removed: z.array(findingRefSchema),
  }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

const envelope = { id: uuid, occurred_at: z.iso.datetime({ offset: true }) };
const eventOf = <T extends EventType>(type: T) => z.object({ ...envelope, type: z.literal(type), data: eventDataSchemas[type] });

/** Validates any event off the wire; a consumer rejects what does not parse rather than guess. */
export const eventSchema = z.discriminatedUnion("type", [
  eventOf("scan.created"),
  eventOf("scan.completed"),
  eventOf("scan.failed"),
  eventOf("scan.deleted"),
  eventOf("user.tier_changed"),
  eventOf("api_key.revoked"),
  eventOf("advisories.updated"),
  eventOf("scan.findings_changed"),
]);

/** Any event, as a union discriminated by `type`: a `switch (event.type)` narrows `data` without casts. */
export type SecapiEvent = z.infer<typeof eventSchema>;
/** The event of one type. */
export type EventOf<T extends EventType> = Extract<SecapiEvent, { type: T }>;

// Every event type has its member in the union (a type added to eventDataSchemas alone fails to compile here).
const everyTypeParses: Record<Exclude<EventType, SecapiEvent["type"]>, never> = {};
void everyTypeParses;

/** A new event with a fresh id, stamped now. */
export function createEvent<T extends EventType>(type: T, data: EventData<T>, now = new Date()): EventOf<T> {
  return { id: randomUUID(), type, occurred_at: now.toISOString(), data: eventDataSchemas[type].parse(data) } as EventOf<T>;
}
