export * from "./config-error.js";
export * from "./env-schema.js";
export * from "./load-config.js";
export * from "./tiers.js";
export * from "./redis-target.js";
