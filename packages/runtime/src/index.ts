export * from "./logger.js";
export * from "./redis-client.js";
export * from "./graceful-shutdown.js";
export * from "./app-db.js";
export * from "./health-probe.js";
export * from "./health-server.js";
export * from "./worker-process.js";
