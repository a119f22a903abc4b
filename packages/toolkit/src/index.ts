export * from "./circuit-breaker.js";
export * from "./errors/lua-script-header-error.js";
export * from "./errors/lua-script-keys-error.js";
export * from "./errors/timeout-error.js";
export * from "./lua-script.js";
export * from "./with-timeout.js";
export * from "./outbound-proxy.js";
