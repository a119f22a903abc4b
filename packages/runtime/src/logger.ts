import { type LevelWithSilent, type Logger, destination as pinoDestination, pino } from "pino";

/**
 * Paths pino censors wherever they appear: credentials in headers and bodies, and scan inputs, which may
 * hold the very secrets a scan looks for.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  "headers.authorization",
  'headers["x-api-key"]',
  "api_key",
  "apiKey",
  "*.api_key",
  "*.apiKey",
  "input",
  "*.input",
  "content",
  "*.content",
  "files",
  "*.files",
];

/**
 * JSON logs, one object per line, tagged with the service name. Lines are buffered and written
 * asynchronously (one write per ~4 KB instead of one per line, which under load costs a request-path
 * syscall per request); `flushLogs` empties the buffer, and runs on exit.
 */
export function createLogger(options: { service: string; level: LevelWithSilent; sync?: boolean }): Logger {
  const destination = pinoDestination({ dest: 1, sync: options.sync ?? false, minLength: options.sync ? 0 : 4096 });
  process.once("exit", () => destination.flushSync());
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
