export * from "./match-image.js";
