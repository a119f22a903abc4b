import type { Config } from "@secapi/config";
import type { Db } from "@secapi/db";
import type { Logger } from "pino";
import type { HealthProbe } from "./health/health-probe.js";
import type { ScanWaiter } from "./scans/scan-waiter.js";

/** Everything the routes use, created by main.ts (or a test) and passed in: the server creates no clients. */
export interface ApiContext {
  config: Config;
  db: Db;
  logger: Logger;
  /** Asks the outbox relay to publish now, after a transaction that wrote outbox rows committed. */
  kickRelay(): void;
  scanWaiter: ScanWaiter;
  health: HealthProbe;
}
