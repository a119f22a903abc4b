import { randomUUID } from "node:crypto";
import { z } from "zod";

const uuid = z.uuid();
const tier = z.enum(["free", "starter", "pro", "business"]);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const scanRef = { scanId: uuid, userId: uuid, type: z.string(), inputHash: sha256 };

/** The `data` of each event type (DESIGN.md "Events"). */
export const eventDataSchemas = {
  "scan.created": z.object(scanRef),
  "scan.completed": z.object({ ...scanRef, tags: z.array(z.string()) }),
  "scan.failed": z.object({ ...scanRef, tags: z.array(z.string()) }),
  "scan.deleted": z.object({ scanId: uuid, userId: uuid }),
  "user.tier_changed": z.object({ userId: uuid, from: tier, to: tier }),
  "api_key.revoked": z.object({ userId: uuid, keyId: uuid }),
  "advisories.updated": z.object({ ecosystem: z.string(), packages: z.array(z.string()) }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

export interface SecapiEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  occurred_at: string;
  data: EventData<T>;
}

const envelope = { id: uuid, occurred_at: z.iso.datetime({ offset: true }) };

/** Validates any event off the wire; a consumer rejects what does not parse rather than guess. */
export const eventSchema = z.discriminatedUnion(
  "type",
  (Object.keys(eventDataSchemas) as EventType[]).map((type) =>
    z.object({ ...envelope, type: z.literal(type), data: eventDataSchemas[type] }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<SecapiEvent>;

/** A new event with a fresh id, stamped now. */
export function createEvent<T extends EventType>(type: T, data: EventData<T>, now = new Date()): SecapiEvent<T> {
  return { id: randomUUID(), type, occurred_at: now.toISOString(), data: eventDataSchemas[type].parse(data) as EventData<T> };
}
