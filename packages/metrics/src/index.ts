export * from "./buckets.js";
export * from "./cache-hooks.js";
export * from "./create-metrics.js";
export * from "./http-middleware.js";
export * from "./limiter-hooks.js";
export * from "./metrics-handler.js";
export * from "./queue-jobs.js";
export * from "./route-template.js";
