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

/** The longest a buffered JSON line waits to be written when too few lines follow it to fill the buffer. */
export const LOG_FLUSH_INTERVAL_MS = 200;

/** The format asked for, or by default `pretty` when the output is a terminal and `json` otherwise. */
export function resolveLogFormat(asked: LogFormat | undefined, outputIsTerminal = process.stdout.isTTY === true): LogFormat {
  return asked ?? (outputIsTerminal ? "pretty" : "json");
}

/**
 * Logs tagged with the service name, as JSON (one object per line) or, for development, pino-pretty's
 * readable lines (`format`, see `resolveLogFormat`). JSON lines are buffered and written asynchronously (one
 * write per ~4 KB instead of one per line, which under load costs a request-path syscall per request), and
 * written within `LOG_FLUSH_INTERVAL_MS` when fewer follow, and on exit. Pretty lines are written as they come: a
 * person is reading.
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
  if (options.sync) return pino(settings, pinoDestination({ dest: 1, sync: true }));
  const destination = pinoDestination({ dest: 1, sync: false, minLength: 4096 });
  // A buffer short of 4 KB is written only when more lines fill it: at a quiet moment a line (an error, say) would
  // wait for the next ones indefinitely. Flushed on the next two ticks after the last line (the second for lines
  // left behind while a write was in flight, which a flush then does not start).
  let ticksSinceLine = 2;
  setInterval(() => {
    if (ticksSinceLine++ < 2) destination.flush();
  }, LOG_FLUSH_INTERVAL_MS).unref();
  process.once("exit", () => destination.flushSync());
  const hooks = {
    streamWrite: (line: string) => {
      ticksSinceLine = 0;
      return line;
    },
  };
  return pino({ ...settings, hooks }, destination);
}

export type { Logger };
