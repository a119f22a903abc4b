/** A Lua script file whose header or includes do not match what it does (a build-time mistake, found at load). */
export class LuaScriptHeaderError extends Error {
  readonly code = "lua_script_header";
  constructor(
    readonly script: string,
    problem: string,
  ) {
    super(`${script}: ${problem}`);
    this.name = "LuaScriptHeaderError";
  }
}
