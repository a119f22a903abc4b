import { type AdvisoryRecord, type Db, type DbExecutor, recordAdvisoryChange, upsertAdvisories } from "@secapi/db";
import { createEvent, eventMessage, writeOutbox } from "@secapi/events";
import { ADVISORY_PARSER_VERSION, type Advisory, AdvisoryError, advisoryPackageKeys, parseAdvisory } from "@secapi/scanners";
import { packageTag } from "./cache-keys.js";

/**
 * Package names per `advisories.updated` event. A first sync of a large ecosystem changes tens of thousands of
 * packages: one event naming them all would be megabytes in the outbox, in Redis (kept after completion) and in a
 * consumer's memory, and one invalidation of every tag at once. Chunks are independent events, each small.
 */
export const ADVISORY_EVENT_PACKAGES = 1000;

/** One advisory to import and where it came from (a file name, an array index), for error messages. */
export interface AdvisorySource {
  source: string;
  json: unknown;
}

export interface InvalidAdvisory {
  source: string;
  message: string;
}

export interface AdvisoryImportSummary {
  received: number;
  /** New advisories, or newer copies of stored ones. */
  imported: number;
  /** Copies no newer than the stored one. */
  unchanged: number;
  invalid: InvalidAdvisory[];
  /** Per ecosystem, how many packages' advisories changed (named by `advisories.updated` events of at most ADVISORY_EVENT_PACKAGES each). */
  events: { ecosystem: string; packages: number }[];
  /** The advisory revision this import created; null if it changed nothing. */
  revision: number | null;
}

/** What storeAdvisories did, and the result tags (`pkg:…`) of every package whose advisories changed. */
export interface StoredAdvisories {
  stored: Omit<AdvisoryImportSummary, "received" | "invalid">;
  changedTags: string[];
}

/** Parses every source, collecting the ones that are not valid OSV advisories instead of stopping at the first. */
export function parseAdvisories(
  sources: readonly AdvisorySource[],
  onProgress?: (parsed: number) => void,
): { advisories: Advisory[]; invalid: InvalidAdvisory[] } {
  const advisories: Advisory[] = [];
  const invalid: InvalidAdvisory[] = [];
  sources.forEach((item, index) => {
    try {
      advisories.push(parseAdvisory(item.json));
    } catch (error) {
      if (!(error instanceof AdvisoryError)) throw error;
      invalid.push({ source: item.source, message: error.message });
    }
    if (onProgress && (index + 1) % 500 === 0) onProgress(index + 1);
  });
  onProgress?.(sources.length);
  return { advisories, invalid };
}

/** A parsed advisory as the database stores it: its JSON text, and the packages it is looked up by. */
export function advisoryRecord(advisory: Advisory): AdvisoryRecord {
  return {
    id: advisory.id,
    modified: advisory.modified,
    withdrawn: advisory.withdrawn,
    data: JSON.stringify(advisory),
    packages: advisoryPackageKeys(advisory),
    parserVersion: ADVISORY_PARSER_VERSION,
  };
}

/** storeAdvisoryRecords of parsed advisories. */
export function storeAdvisories(db: Db, advisories: readonly Advisory[]): Promise<StoredAdvisories> {
  return storeAdvisoryRecords(db, advisories.map(advisoryRecord));
}

/** storeAdvisoryBatches of one batch. */
export function storeAdvisoryRecords(db: Db, records: readonly AdvisoryRecord[]): Promise<StoredAdvisories> {
  return storeAdvisoryBatches(db, [records]);
}

/**
 * Stores advisories (advisoryRecord) and, in the same transaction, records a new advisory revision for every
 * package whose advisories changed (from that commit on, no result covering one of them is current) and emits
 * `advisories.updated` events naming them (per ecosystem, ADVISORY_EVENT_PACKAGES at most each) — so the cache
 * drops exactly the results that contain them, and only if the import committed. Batches are read as they come (a feed streamed from a zip):
 * all of them commit together or none does. `beforeCommit` runs last in the transaction (a sync's cursor).
 */
export async function storeAdvisoryBatches(
  db: Db,
  batches: AsyncIterable<readonly AdvisoryRecord[]> | Iterable<readonly AdvisoryRecord[]>,
  beforeCommit?: (tx: DbExecutor, stored: StoredAdvisories) => Promise<void>,
): Promise<StoredAdvisories> {
  return db.transaction().execute(async (tx) => {
    const byEcosystem = new Map<string, Set<string>>();
    let written = 0;
    let skipped = 0;
    for await (const records of batches) {
      const result = await upsertAdvisories(tx, records);
      written += result.written;
      skipped += result.skipped;
      for (const key of result.affected) {
        const names = byEcosystem.get(key.ecosystem) ?? new Set<string>();
        names.add(key.name);
        byEcosystem.set(key.ecosystem, names);
      }
    }
    const events = [...byEcosystem].map(([ecosystem, names]) => ({ ecosystem, packages: [...names].sort() }));
    const changedTags = events.flatMap((event) => event.packages.map((name) => packageTag(event.ecosystem, name)));
    const revision = written > 0 ? await recordAdvisoryChange(tx, changedTags) : null;
    await writeOutbox(tx, events.flatMap(advisoryEventMessages));
    const stored: StoredAdvisories = {
      stored: {
        imported: written,
        unchanged: skipped,
        events: events.map((e) => ({ ecosystem: e.ecosystem, packages: e.packages.length })),
        revision,
      },
      changedTags,
    };
    await beforeCommit?.(tx, stored);
    return stored;
  });
}

/** The `advisories.updated` messages for one ecosystem's changed packages, ADVISORY_EVENT_PACKAGES names each. */
function advisoryEventMessages({ ecosystem, packages }: { ecosystem: string; packages: string[] }) {
  const messages = [];
  for (let i = 0; i < packages.length; i += ADVISORY_EVENT_PACKAGES) {
    const chunk = packages.slice(i, i + ADVISORY_EVENT_PACKAGES);
    messages.push(eventMessage(createEvent("advisories.updated", { ecosystem, packages: chunk })));
  }
  return messages;
}
