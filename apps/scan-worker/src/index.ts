export * from "./finish-run.js";
export * from "./scan-processor.js";
export * from "./lost-run-sweeper.js";
export * from "./webhook-processor.js";
export * from "./refund-quota.js";
export * from "./job-work-dirs.js";
export * from "./redis-layer-summary-store.js";
