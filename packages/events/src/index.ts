export * from "./event-schemas.js";
export * from "./job-options.js";
export * from "./outbox-relay.js";
export * from "./outbox-writer.js";
export * from "./queue-names.js";
export * from "./queues.js";
export * from "./scan-job.js";
export * from "./notifications.js";
