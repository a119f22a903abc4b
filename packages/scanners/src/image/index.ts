export * from "./analyze-image-archive.js";
export * from "./image-archive-error.js";
export * from "./os-release.js";
export * from "./image-error.js";
export * from "./image-reference.js";
