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
}

/** The scan object (DESIGN.md). */
export interface ApiScan {
  id: string;
  type: string;
  status: "queued" | "running" | "completed" | "failed";
  labels?: Record<string, string>;
  result?: { summary: Record<string, number>; findings: ApiFinding[] };
  error?: { code: string; message: string };
  outdated?: true;
}

/** The server answered with an error, or could not be reached: exit code 2. */
export class ScanClientError extends Error {
  readonly code = "scan_client_error";
}

export interface ScanClientOptions {
  url: string;
  key: string;
  /** Retries of one request answered 429 before giving up (default 10). */
  maxRateLimitRetries?: number;
  /** Longest the client waits for one scan, in seconds (default 600). */
  timeoutSeconds?: number;
  /** Sleeps (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

const WAIT_SECONDS = 30;

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
    let scan = await this.request<ApiScan>("POST", "/api/v1/scans", { type, input, labels });
    const deadline = Date.now() + (this.options.timeoutSeconds ?? 600) * 1000;
    while (scan.status === "queued" || scan.status === "running") {
      if (Date.now() > deadline) throw new ScanClientError(`scan ${scan.id} did not finish in time`);
      scan = await this.request<ApiScan>("GET", `/api/v1/scans/${scan.id}?wait=${WAIT_SECONDS}`);
    }
    return scan;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const retries = this.options.maxRateLimitRetries ?? 10;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.base}${path}`, {
          method,
          headers: { Authorization: `Bearer ${this.options.key}`, ...(body !== undefined && { "Content-Type": "application/json" }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw new ScanClientError(`could not reach ${this.base}: ${(error as Error).message}`, { cause: error });
      }
      const text = await response.text();
      if (response.status === 429 && attempt < retries) {
        const seconds = Number(response.headers.get("retry-after") ?? "1");
        await this.sleep(Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1000);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!response.ok) {
        const message = (parsed as { error?: string } | undefined)?.error ?? (text.slice(0, 200) || response.statusText);
        throw new ScanClientError(`${method} ${path}: ${response.status} ${message}`);
      }
      return parsed as T;
    }
  }
}
