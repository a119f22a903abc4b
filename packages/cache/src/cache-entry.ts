import type { CacheLoadOptions, CacheSetOptions } from "./cache-options.js";
import { CacheOptionsError } from "./errors/cache-options-error.js";
import { CorruptEntryError } from "./errors/corrupt-entry-error.js";

/** Version of the stored format; an entry of any other version is treated as corrupt and reloaded. */
export const ENTRY_FORMAT_VERSION = 1;

/** A cached value with its lifetimes (epoch ms) and tags: unkey's SWR entry plus a stale-if-error bound. */
export interface CacheEntry<T = unknown> {
  value: T;
  freshUntil: number;
  /** End of the grace period: served STALE while one refresh runs. */
  staleUntil: number;
  /** End of the stale-if-error period: served STALE only when the loader fails. */
  errorUntil: number;
  tags: readonly string[];
}

/** What an entry may be used for at a given time. */
export type EntryState = "fresh" | "stale" | "error-only" | "expired";

interface EntryHeader {
  v: number;
  f: number;
  s: number;
  e: number;
  t: string[];
}

/** Throws `CacheOptionsError` unless ttl, grace, staleIfError and tags are usable. */
export function validateSetOptions(options: CacheSetOptions): void {
  // Checked without a closure or a loop over field names: getOrLoad validates its options on every call, hits included.
  if (!isSeconds(options.ttl, true)) throw invalidSeconds("ttl", options.ttl, true);
  if (options.grace !== undefined && !isSeconds(options.grace, false)) throw invalidSeconds("grace", options.grace, false);
  if (options.staleIfError !== undefined && !isSeconds(options.staleIfError, false))
    throw invalidSeconds("staleIfError", options.staleIfError, false);
  const tags = options.tags;
  if (tags === undefined) return;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    if (typeof tag !== "string" || tag.length === 0)
      throw new CacheOptionsError(`tags must be non-empty strings, got ${JSON.stringify(tag)}`);
  }
}

function isSeconds(value: unknown, positive: boolean): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && !(positive && value === 0);
}

function invalidSeconds(name: string, value: unknown, positive: boolean): CacheOptionsError {
  return new CacheOptionsError(`${name} must be a ${positive ? "positive" : "non-negative"} number of seconds, got ${String(value)}`);
}

/**
 * The options a loaded `value` is written with: `tagsOf` and `ttlOf` applied, and checked like `set`'s;
 * undefined when `ttlOf` says not to cache it (0).
 */
export function optionsFor<T>(options: CacheLoadOptions<T>, value: T): CacheSetOptions | undefined {
  if (!options.tagsOf && !options.ttlOf) return options;
  const ttl = options.ttlOf ? options.ttlOf(value) : options.ttl;
  if (ttl === 0) return undefined;
  const resolved: CacheSetOptions = {
    ...options,
    ttl,
    tags: options.tagsOf ? [...(options.tags ?? []), ...options.tagsOf(value)] : options.tags,
  };
  validateSetOptions(resolved);
  return resolved;
}

/** The entry `value` becomes when written at `now`. */
export function createEntry<T>(value: T, options: CacheSetOptions, now: number): CacheEntry<T> {
  const freshUntil = now + options.ttl * 1000;
  const grace = options.grace ?? 0;
  return {
    value,
    freshUntil,
    staleUntil: freshUntil + grace * 1000,
    errorUntil: freshUntil + (options.staleIfError ?? grace) * 1000,
    tags: [...new Set(options.tags ?? [])],
  };
}

/** Fresh, within grace, only usable if the loader fails, or gone. */
export function entryState(entry: CacheEntry, now: number): EntryState {
  if (now < entry.freshUntil) return "fresh";
  if (now < entry.staleUntil) return "stale";
  if (now < entry.errorUntil) return "error-only";
  return "expired";
}

/** When the entry stops being of any use, and so leaves both tiers. */
export function entryExpiresAt(entry: CacheEntry): number {
  return Math.max(entry.staleUntil, entry.errorUntil);
}

/**
 * The stored form: one JSON header line (format version, lifetimes, tags), a newline, then the value's JSON.
 * JSON.stringify never emits a raw newline, so the first one always ends the header, which lets Lua read
 * the tags without decoding the value. Returns undefined when the value has no JSON form.
 */
export function encodeEntry(entry: CacheEntry): string | undefined {
  const json: unknown = JSON.stringify(entry.value);
  if (typeof json !== "string") return undefined;
  const header: EntryHeader = {
    v: ENTRY_FORMAT_VERSION,
    f: entry.freshUntil,
    s: entry.staleUntil,
    e: entry.errorUntil,
    t: [...entry.tags],
  };
  return `${JSON.stringify(header)}\n${json}`;
}

/** Parses a stored entry; throws `CorruptEntryError` for anything this version did not write. */
export function decodeEntry<T>(key: string, payload: string): CacheEntry<T> {
  const newline = payload.indexOf("\n");
  const header = decodeEntryHeader(key, payload, newline);
  let value: T;
  try {
    value = JSON.parse(payload.slice(newline + 1)) as T;
  } catch {
    throw new CorruptEntryError(key, "the value is not JSON");
  }
  return { value, freshUntil: header.f, staleUntil: header.s, errorUntil: header.e, tags: header.t };
}

/** The lifetimes of a stored entry without parsing its value. */
export function decodeEntryLifetimes(key: string, payload: string): Pick<CacheEntry, "freshUntil" | "staleUntil" | "errorUntil"> {
  const header = decodeEntryHeader(key, payload, payload.indexOf("\n"));
  return { freshUntil: header.f, staleUntil: header.s, errorUntil: header.e };
}

function decodeEntryHeader(key: string, payload: string, newline: number): EntryHeader {
  if (newline < 0) throw new CorruptEntryError(key, "no entry header");
  return readWrittenHeader(payload, newline) ?? parseEntryHeader(key, payload, newline);
}

/** The fixed start of every header `encodeEntry` writes; the lifetimes and tags follow in this order. */
const HEADER_START = `{"v":${ENTRY_FORMAT_VERSION},"f":`;
/** Where the last `integerAt` stopped (a module variable rather than a returned pair: this runs on every L2 hit). */
let integerEnd = 0;

/**
 * The header as `encodeEntry` writes it for whole-millisecond lifetimes, read without parsing it as JSON (on an L2
 * hit that costs a tenth of the value's own parse); undefined for any other form, which `parseEntryHeader` then
 * reads or rejects. Accepts only what `JSON.parse` reads the same way: the stored format is unchanged.
 */
function readWrittenHeader(payload: string, newline: number): EntryHeader | undefined {
  if (!payload.startsWith(HEADER_START)) return undefined;
  const f = integerAt(payload, HEADER_START.length);
  if (f < 0 || !payload.startsWith(',"s":', integerEnd)) return undefined;
  const s = integerAt(payload, integerEnd + 5);
  if (s < 0 || !payload.startsWith(',"e":', integerEnd)) return undefined;
  const e = integerAt(payload, integerEnd + 5);
  if (e < 0 || !payload.startsWith(',"t":', integerEnd) || payload.charCodeAt(newline - 1) !== 0x7d /* } */) return undefined;
  const tagsJson = payload.slice(integerEnd + 5, newline - 1);
  let t: unknown;
  if (tagsJson === "[]") t = [];
  else {
    try {
      t = JSON.parse(tagsJson);
    } catch {
      return undefined;
    }
    if (!isStringArray(t)) return undefined;
  }
  return { v: ENTRY_FORMAT_VERSION, f, s, e, t: t as string[] };
}

/** The non-negative integer of at most 15 digits (so exact) written at `at` as JSON writes it, or -1; sets `integerEnd`. */
function integerAt(payload: string, at: number): number {
  let value = 0;
  let end = at;
  for (; end < payload.length && end - at <= 15; end++) {
    const digit = payload.charCodeAt(end) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  const digits = end - at;
  // JSON has no leading zeros; longer numbers, fractions and exponents are left to JSON.parse.
  if (digits === 0 || digits > 15 || (digits > 1 && payload.charCodeAt(at) === 48)) return -1;
  integerEnd = end;
  return value;
}

function parseEntryHeader(key: string, payload: string, newline: number): EntryHeader {
  let header: Partial<EntryHeader>;
  try {
    header = JSON.parse(payload.slice(0, newline)) as Partial<EntryHeader>;
  } catch {
    throw new CorruptEntryError(key, "the header is not JSON");
  }
  if (typeof header !== "object" || header === null || header.v !== ENTRY_FORMAT_VERSION) {
    throw new CorruptEntryError(key, `not format version ${ENTRY_FORMAT_VERSION}`);
  }
  if (!isTime(header.f) || !isTime(header.s) || !isTime(header.e) || !isStringArray(header.t)) {
    throw new CorruptEntryError(key, "malformed header");
  }
  return header as EntryHeader;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== "string") return false;
  return true;
}
