export * from "./analyze-image-archive.js";
export * from "./image-archive-error.js";
export * from "./os-release.js";
