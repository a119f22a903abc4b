export * from "./context.js";
export * from "./event-processor.js";
export * from "./handle-event.js";
export * from "./rerun-result.js";
export * from "./warm.js";
export * from "./advisory-sync-schedule.js";
export * from "./findings-notifications.js";
export * from "./watched-reruns.js";
