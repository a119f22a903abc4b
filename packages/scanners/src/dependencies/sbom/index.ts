export * from "./extract-sbom-packages.js";
export * from "./sbom-input.js";
