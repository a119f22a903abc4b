export * from "./finish-run.js";
export * from "./scan-processor.js";
