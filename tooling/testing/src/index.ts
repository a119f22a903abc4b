export * from "./app-process.js";
export * from "./redis-server.js";
export * from "./seeded-random.js";
export * from "./services.js";
export * from "./template-database.js";
export * from "./test-database.js";
export * from "./unique-id.js";
export * from "./wait-for.js";
