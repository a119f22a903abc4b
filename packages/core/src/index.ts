export * from "./api-key.js";
export * from "./canonical-input.js";
export * from "./input-sealing.js";
export * from "./scan-types.js";
export * from "./users.service.js";
export * from "./logger.js";
export * from "./graceful-shutdown.js";
export * from "./redis-client.js";
