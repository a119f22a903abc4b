export * from "./scan-type.js";
export * from "./registry.js";
export * from "./run-stored-scan.js";
export * from "./advisory-cache.js";
export { advisoryCacheFor, preparePackageRun } from "./package-run.js";
export * from "./image.js";
