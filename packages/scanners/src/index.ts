export * from "./scan-result.js";
export * from "./secrets/index.js";
export * from "./dependencies/index.js";
export * from "./run-scan.js";
export * from "./scan-pool.js";
export * from "./image/index.js";
export * from "./image-findings/index.js";
