import { type LevelWithSilent, type Logger, destination as pinoDestination, pino } from "pino";
import pretty from "pino-pretty";

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
 * pino's `isoTime`, formatted once per millisecond: under load many lines fall within one, and formatting the
 * date was a visible share of a request's log line.
 */
export function isoTimeOncePerMillisecond(now: () => number = Date.now): () => string {
  let formattedAt = Number.NaN;
  let formatted = "";
  return () => {
    const ms = now();
    if (ms !== formattedAt) {
      formattedAt = ms;
      formatted = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return formatted;
  };
}

/** How log lines are written: `json` for machines (one object per line), `pretty` for a person at a terminal. */
export type LogFormat = "json" | "pretty";

/** The format asked for, or by default `pretty` when the output is a terminal and `json` otherwise. */
export function resolveLogFormat(asked: LogFormat | undefined, outputIsTerminal = process.stdout.isTTY === true): LogFormat {
  return asked ?? (outputIsTerminal ? "pretty" : "json");
}

/**
 * Logs tagged with the service name, as JSON (one object per line) or, for development, pino-pretty's
 * readable lines (`format`, see `resolveLogFormat`). JSON lines are buffered and written asynchronously (one
 * write per ~4 KB instead of one per line, which under load costs a request-path syscall per request);
 * `flushLogs` empties the buffer, and runs on exit. Pretty lines are written as they come: a person is reading.
 */
export function createLogger(options: { service: string; level: LevelWithSilent; sync?: boolean; format?: LogFormat }): Logger {
  const settings = {
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: isoTimeOncePerMillisecond(),
  };
  if (resolveLogFormat(options.format) === "pretty") {
    return pino(
      settings,
      pretty({
        destination: 1,
        sync: true,
        translateTime: "SYS:HH:MM:ss.l",
        // `pnpm start` prefixes every line with the app's name already; run alone, an app is the one you started.
        ignore: "pid,hostname,service",
      }),
    );
  }
  const destination = pinoDestination({ dest: 1, sync: options.sync ?? false, minLength: options.sync ? 0 : 4096 });
  process.once("exit", () => destination.flushSync());
  return pino(settings, destination);
}

export type { Logger };
