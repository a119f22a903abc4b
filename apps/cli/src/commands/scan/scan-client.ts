import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";

/** A finding as the API returns it: a vulnerability (`id`, `package`, …) or a secret (`rule_id`, `line`, …). */
export interface ApiFinding {
  severity: string;
  id?: string;
  aliases?: string[];
  ecosystem?: string;
  package?: string;
  version?: string;
  summary?: string;
  fixed_in?: string | null;
  rule_id?: string;
  description?: string;
  path?: string | string[];
  line?: number;
  column?: number;
  redacted?: string;
  /** `image` results: the digest of the layer that introduced the package. */
  layer?: string;
  /** `image` results, for a package only a lockfile inside the image lists: that lockfile's path (`/app/Gemfile.lock`). */
  file?: string;
}

/** What an `image` scan read: the image's digest, its distribution (null without os-release), its layers. */
export interface ApiImage {
  digest: string;
  os: { family: string; version: string } | null;
  layers: { digest: string; index: number; packages: number }[];
}

/** The scan object (docs/API.md "The scan object"). */
export interface ApiScan {
  id: string;
  type: string;
  status: "queued" | "running" | "completed" | "failed";
  labels?: Record<string, string>;
  result?: { summary: Record<string, number>; findings: ApiFinding[]; image?: ApiImage };
  error?: { code: string; message: string };
  outdated?: true;
}

/** The server answered with an error, or could not be reached: exit code 2. */
export class ScanClientError extends Error {
  readonly code = "scan_client_error";
  /** The error's `code` in the server's answer (`image_registry_not_allowed`), when it sent one. */
  readonly serverCode: string | undefined;

  constructor(message: string, options?: ErrorOptions & { serverCode?: string | undefined }) {
    super(message, options);
    this.serverCode = options?.serverCode;
  }
}

/** A request body, made again for each attempt (a 429 is retried, and a stream is read once). */
interface RequestBody {
  contentType: string;
  content: () => NonNullable<RequestInit["body"]>;
  /** Sent as Content-Length, so the server can refuse an oversized upload before it is sent. */
  length?: number;
}

/** The media type of an image archive upload (docs/API.md: `POST /api/v1/scan/image`). */
const IMAGE_ARCHIVE_MEDIA_TYPE = "application/x-tar";

export interface ScanClientOptions {
  url: string;
  key: string;
  /** Retries of one request answered 429 before giving up (default 10). */
  maxRateLimitRetries?: number;
  /**
   * Longest `Retry-After` of a 429 the client sleeps for, in seconds (default 300): a longer one (an hourly or
   * monthly scan quota used up) fails at once instead of holding the job.
   */
  maxRetryAfterSeconds?: number;
  /** Longest the client waits for one scan, in seconds (default 600). */
  timeoutSeconds?: number;
  /** Told how an archive upload goes: at its start (0 bytes), as it is read from disk, and once it is read (`done`). */
  onUploadProgress?: (progress: UploadProgress) => void;
  /** Sleeps (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

/** How far an archive upload is (an attempt after a 429 starts again from 0). */
export interface UploadProgress {
  file: string;
  sentBytes: number;
  totalBytes: number;
  done: boolean;
}

const WAIT_SECONDS = 30;
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 300;

/** A 429's `Retry-After` in whole seconds (at least 1; 1 when absent or unreadable). */
function retryAfterSeconds(response: Response): number {
  const seconds = Number(response.headers.get("retry-after") ?? "1");
  return Math.max(1, Number.isFinite(seconds) ? Math.ceil(seconds) : 1);
}

/** Submits scans to a SecAPI server and waits for them with `?wait`, honouring 429 `Retry-After`. */
export class ScanClient {
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ScanClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Submits one scan and resolves once it has finished (completed or failed). */
  async scan(type: string, input: unknown, labels: Record<string, string>): Promise<ApiScan> {
    const body = JSON.stringify({ type, input, labels });
    return this.waitFor(await this.request<ApiScan>("POST", "/api/v1/scans", { contentType: "application/json", content: () => body }));
  }

  /**
   * Uploads a `docker save` / OCI image-layout archive as an `image` scan, streamed from disk (never read whole
   * into memory), and resolves once the scan has finished. Labels travel in the query: the body is the archive.
   */
  async scanImageArchive(file: string, labels: Record<string, string>): Promise<ApiScan> {
    const { size } = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new ScanClientError(`cannot read the image archive ${file}: ${error.code ?? error.message}`, { cause: error });
    });
    const query = new URLSearchParams(Object.entries(labels).map(([key, value]): [string, string] => [`label.${key}`, value])).toString();
    const body: RequestBody = {
      contentType: IMAGE_ARCHIVE_MEDIA_TYPE,
      content: () => this.readArchive(file, size),
      length: size,
    };
    return this.waitFor(await this.request<ApiScan>("POST", `/api/v1/scan/image${query === "" ? "" : `?${query}`}`, body));
  }

  /** The archive's bytes from disk, read as fetch sends them, reporting progress to `onUploadProgress`. */
  private readArchive(file: string, size: number): ReadableStream<Uint8Array> {
    const source = createReadStream(file);
    const report = this.options.onUploadProgress;
    if (report !== undefined) {
      let sentBytes = 0;
      report({ file, sentBytes, totalBytes: size, done: false });
      source.on("data", (chunk) => {
        sentBytes += chunk.length;
        report({ file, sentBytes, totalBytes: size, done: false });
      });
      source.once("close", () => report({ file, sentBytes, totalBytes: size, done: true }));
    }
    return Readable.toWeb(source) as ReadableStream<Uint8Array>;
  }

  /** Polls a submitted scan with `?wait` until it has finished. */
  private async waitFor(submitted: ApiScan): Promise<ApiScan> {
    let scan = submitted;
    const deadline = Date.now() + (this.options.timeoutSeconds ?? 600) * 1000;
    while (scan.status === "queued" || scan.status === "running") {
      if (Date.now() > deadline) throw new ScanClientError(`scan ${scan.id} did not finish in time`);
      scan = await this.request<ApiScan>("GET", `/api/v1/scans/${scan.id}?wait=${WAIT_SECONDS}`);
    }
    return scan;
  }

  private async request<T>(method: string, path: string, body?: RequestBody): Promise<T> {
    const retries = this.options.maxRateLimitRetries ?? 10;
    const maxRetryAfter = this.options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;
    // Messages name the route, not the labels in its query.
    const route = path.split("?")[0];
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      const content = body?.content();
      try {
        response = await fetch(`${this.base}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${this.options.key}`,
            ...(body !== undefined && { "Content-Type": body.contentType }),
            ...(body?.length !== undefined && { "Content-Length": String(body.length) }),
          },
          ...(content !== undefined && { body: content, duplex: "half" }),
          // Following redirects makes fetch tee a stream body (to send it again), and the unread branch holds every
          // byte: an upload would sit whole in memory. Only a non-redirecting request streams.
          ...(content instanceof ReadableStream && { redirect: "error" }),
        } as RequestInit);
      } catch (error) {
        const cause = (error as Error).cause as Error | undefined;
        const reason = cause?.message ? `${(error as Error).message} (${cause.message})` : (error as Error).message;
        throw new ScanClientError(`could not reach ${this.base}: ${reason}`, { cause: error });
      }
      const text = await response.text();
      const retryAfter = response.status === 429 ? retryAfterSeconds(response) : 0;
      if (response.status === 429 && attempt < retries && retryAfter <= maxRetryAfter) {
        await this.sleep(retryAfter * 1000);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!response.ok) {
        const answer = parsed as { error?: string; code?: string; window?: unknown } | undefined;
        const message = answer?.error ?? (text.slice(0, 200) || response.statusText);
        const code = typeof answer?.code === "string" ? answer.code : undefined;
        const detail =
          response.status !== 429
            ? ""
            : retryAfter > maxRetryAfter
              ? ` (${typeof answer?.window === "string" ? `${answer.window}: ` : ""}retry after ${retryAfter} s, longer than the client waits: ${maxRetryAfter} s)`
              : ` (still refused after ${retries} retries)`;
        throw new ScanClientError(`${method} ${route}: ${response.status} ${code === undefined ? "" : `${code}: `}${message}${detail}`, {
          serverCode: code,
        });
      }
      return parsed as T;
    }
  }
}
