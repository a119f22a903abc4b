/** A Lua script was run with another number of KEYS than its header declares. */
export class LuaScriptKeysError extends Error {
  readonly code = "lua_script_keys";
  constructor(
    readonly script: string,
    readonly expected: string,
    readonly given: number,
  ) {
    super(`${script} takes ${expected} KEYS, was given ${given}`);
    this.name = "LuaScriptKeysError";
  }
}
