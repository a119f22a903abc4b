export * from "./advisory-feed-error.js";
export * from "./advisory-sync.js";
export * from "./modified-index.js";
export * from "./advisory-feed-status.js";
export * from "./zip-entries.js";
