import { LuaScript } from "@secapi/toolkit";

/** `src/lua/<name>.lua` (copied to `dist/lua` by the build). */
const script = (name: string) => new LuaScript(new URL(`./lua/${name}.lua`, import.meta.url));

/** Every script the cache runs, loaded once per process. */
export const SCRIPTS = {
  fenceRead: script("fence-read"),
  setEntry: script("set-entry"),
  deleteEntries: script("delete-entries"),
  invalidateTags: script("invalidate-tags"),
  unlock: script("unlock"),
  recordInvalidation: script("record-invalidation"),
  checkInvalidated: script("check-invalidated"),
  addToTag: script("add-to-tag"),
  deleteEntry: script("delete-entry"),
};
