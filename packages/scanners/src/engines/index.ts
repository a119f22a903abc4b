export * from "./scan-engine.js";
export * from "./registry.js";
