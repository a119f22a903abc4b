/** The environment is unusable; `message` names every offending variable. */
export class ConfigError extends Error {
  readonly code = "config_invalid";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}
