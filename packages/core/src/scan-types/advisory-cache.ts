import { type Db, type KnownPackage, type PackageKey, currentAdvisoryRevision, findAdvisoryChanges } from "@secapi/db";
import { type Advisory, type PreparedAdvisory, prepareAdvisory } from "@secapi/scanners";
import { packageTag } from "../cache-keys.js";

/** The advisories a package scan matches against, and the advisory revision they reflect. */
export interface AdvisorySnapshotView {
  revision: number;
  advisories: Advisory[];
  /** The same advisories prepared for matching (matchPrepared), held with them: a warm scan prepares nothing. */
  prepared: PreparedAdvisory[];
}

interface Entry {
  /** The advisory revision at which the advisories were read: current until an import records a change to the package after it. */
  revision: number;
  /** Prepared when read; `prepared[i].advisory` is the i-th advisory. */
  prepared: PreparedAdvisory[];
}

/** Advisories held by default (summed over packages; one advisory naming two packages counts twice): a parsed advisory is a few KB, so tens of MB per worker. */
export const DEFAULT_ADVISORY_CACHE_SIZE = 20_000;

/**
 * Parsed advisories of the packages this process scanned lately, by package, so that a scan reads from Postgres
 * only what it does not hold a current copy of. Never stale: every lookup asks Postgres, in the statement that
 * reads the advisory revision, which of the wanted packages had an advisory change recorded after the copy held
 * (`advisory_package_revisions`, written in the importing transaction), and reads those again. A package's copy
 * is only ever replaced whole, by what one statement read. Least recently used packages leave first.
 *
 * What a hit saves is the read and JSON parsing of each advisory (most of a scan's time); what every scan still
 * pays is one indexed lookup per package of its revision stamp.
 */
export class AdvisoryCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  constructor(private readonly maxAdvisories = DEFAULT_ADVISORY_CACHE_SIZE) {}

  /** The advisories of `packages` (withdrawn ones excluded) and the revision they reflect, as one snapshot would give them. */
  async snapshot(db: Db, packages: readonly PackageKey[]): Promise<AdvisorySnapshotView> {
    const wanted = new Map<string, KnownPackage>();
    let oldest = Number.POSITIVE_INFINITY;
    for (const { ecosystem, name } of packages) {
      const key = `${ecosystem}\0${name}`;
      if (wanted.has(key)) continue;
      const entry = this.entries.get(key);
      oldest = Math.min(oldest, entry ? entry.revision : Number.NEGATIVE_INFINITY);
      wanted.set(key, { ecosystem, name, tag: packageTag(ecosystem, name), knownRevision: entry ? entry.revision : null });
    }
    // Every package held as of the current revision: nothing can have changed for them (one tiny read).
    if (wanted.size > 0 && Number.isFinite(oldest)) {
      const revision = await currentAdvisoryRevision(db);
      if (oldest >= revision) {
        const held = this.collect(wanted.keys(), undefined);
        if (held) return { revision, ...held };
      }
    }
    const changes = await findAdvisoryChanges(db, [...wanted.values()]);
    const refreshed = new Map<string, PreparedAdvisory[]>();
    for (const [key, known] of wanted) {
      const fresh = changes.refreshed.get(key) as Advisory[] | undefined;
      if (fresh) {
        const prepared = fresh.map(prepareAdvisory);
        refreshed.set(key, prepared);
        this.store(key, { revision: changes.revision, prepared });
      } else this.verified(key, known.knownRevision, changes.revision);
    }
    const collected = this.collect(wanted.keys(), refreshed);
    this.evict();
    if (collected === undefined) return this.snapshot(db, packages);
    return { revision: changes.revision, ...collected };
  }

  /**
   * The advisories of these packages, each once: from `fresh` (what the caller just read) or else the copy
   * held. Copies only move forward, so a held copy is at least as new as the caller found it. Undefined when
   * one was evicted meanwhile (by a concurrent scan): the caller reads again.
   */
  private collect(
    keys: Iterable<string>,
    fresh: ReadonlyMap<string, PreparedAdvisory[]> | undefined,
  ): Pick<AdvisorySnapshotView, "advisories" | "prepared"> | undefined {
    const byId = new Map<string, PreparedAdvisory>();
    for (const key of keys) {
      const prepared = fresh?.get(key) ?? this.touch(key)?.prepared;
      if (!prepared) return undefined;
      for (const one of prepared) byId.set(one.advisory.id, one);
    }
    const held = [...byId.values()];
    return { advisories: held.map((one) => one.advisory), prepared: held };
  }

  /** Postgres found no change to the package after `known` up to `revision`: its copy (if still the one asked about) is current as of then. */
  private verified(key: string, known: number | null, revision: number): void {
    const entry = this.entries.get(key);
    if (entry && known !== null && entry.revision === known && revision > known) entry.revision = revision;
  }

  /** How many advisories are held, summed over packages. */
  get size(): number {
    return this.held;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  /** Keeps the newer of the held copy and `entry` (concurrent scans may finish their reads out of order). */
  private store(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    if (old && old.revision > entry.revision) return;
    if (old) {
      this.held -= old.prepared.length;
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.held += entry.prepared.length;
  }

  /** Marks a package as just used (a Map iterates in insertion order: the least recently used come first). */
  private touch(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.held <= this.maxAdvisories) break;
      this.entries.delete(key);
      this.held -= entry.prepared.length;
    }
  }
}
