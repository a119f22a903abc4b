export * from "./entropy.js";
export * from "./placeholder.js";
export * from "./rules.js";
export * from "./scan-secrets.js";
export * from "./secret-rule.js";
export * from "./secrets-input.js";
