export * from "./scan-type.js";
export * from "./registry.js";
export * from "./run-stored-scan.js";
export * from "./image.js";
