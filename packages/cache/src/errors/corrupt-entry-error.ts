/** An L2 value that is not a cache entry of this format (garbage, foreign or another version); it is deleted and reloaded. */
export class CorruptEntryError extends Error {
  readonly code = "cache_corrupt_entry";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`cache entry ${key} is corrupt: ${reason}`);
    this.name = "CorruptEntryError";
  }
}
