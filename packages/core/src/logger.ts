import { pino, type Logger, type LevelWithSilent } from "pino";

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

/** JSON logs, one object per line, tagged with the service name. */
export function createLogger(options: { service: string; level: LevelWithSilent }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
