import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { type Dispatcher, type Headers, fetch } from "undici";
import { AdvisoryFeedError } from "./advisory-feed-error.js";

/** How the feed is fetched: each request gives up after `timeoutMs` without progress and is retried with back-off. */
export interface FeedHttpOptions {
  /** Longest wait for the response, and for each next chunk of its body. */
  timeoutMs: number;
  /** Attempts after the first on a network error, a timeout, a 5xx or a 429. */
  retries: number;
  /** The first retry's delay; each next one doubles it (with jitter). */
  retryDelayMs: number;
  /** Aborted when the process shuts down: the request in flight and any retry stop at once. */
  signal?: AbortSignal;
  /** The outbound proxy (`proxyDispatcher`); direct when unset. */
  dispatcher?: Dispatcher;
}

export interface FeedResponse {
  status: number;
  headers: Headers;
}

/** A failure worth another attempt (the server or the network), as opposed to a definite answer. */
class RetryableFeedError extends AdvisoryFeedError {}

/**
 * One GET of `url` with its body passed chunk by chunk to `onChunk`; a 304 or a 404 has no body. The timer
 * restarts with every chunk, so a large download is bounded by stalls, not by its size.
 */
async function getOnce(
  url: string,
  headers: Record<string, string>,
  { timeoutMs, signal, dispatcher }: FeedHttpOptions,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
): Promise<FeedResponse> {
  stopIfAborted(url, signal);
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal?.addEventListener("abort", stop, { once: true });
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  try {
    const response = await fetch(url, { headers, signal: controller.signal, redirect: "follow", ...(dispatcher && { dispatcher }) });
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel().catch(() => undefined);
      throw new RetryableFeedError(`${url}: HTTP ${response.status}`, url, response.status);
    }
    if (response.status === 304 || response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, headers: response.headers };
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new AdvisoryFeedError(`${url}: HTTP ${response.status}`, url, response.status);
    }
    if (response.body) {
      for await (const chunk of response.body) {
        restart();
        await onChunk(chunk);
      }
    }
    return { status: response.status, headers: response.headers };
  } catch (error) {
    if (error instanceof AdvisoryFeedError) throw error;
    stopIfAborted(url, signal);
    const reason = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new RetryableFeedError(`${url}: ${reason}`, url);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
  }
}

/** A sync stopped by shutdown is a failure like any other (its ecosystem rolls back), never retried. */
function stopIfAborted(url: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AdvisoryFeedError(`${url}: stopped (shutting down)`, url);
}

async function withRetries<T>(options: FeedHttpOptions, attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof RetryableFeedError) || n >= options.retries || options.signal?.aborted) throw error;
      const delay = options.retryDelayMs * 2 ** n * (0.75 + Math.random() * 0.5);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", done);
          resolve();
        }
        options.signal?.addEventListener("abort", done, { once: true });
      });
    }
  }
}

/** GETs a small document (an index, one advisory) into memory. */
export function getFeedText(
  url: string,
  headers: Record<string, string>,
  options: FeedHttpOptions,
): Promise<FeedResponse & { text: string }> {
  return withRetries(options, async () => {
    const chunks: Uint8Array[] = [];
    const response = await getOnce(url, headers, options, (chunk) => {
      chunks.push(chunk);
    });
    return { ...response, text: Buffer.concat(chunks).toString("utf8") };
  });
}

/** GETs a large document (all.zip) into a file, never holding it in memory. */
export function getFeedFile(url: string, path: string, options: FeedHttpOptions): Promise<FeedResponse> {
  return withRetries(options, async () => {
    const file = createWriteStream(path);
    try {
      return await getOnce(url, {}, options, async (chunk) => {
        if (!file.write(chunk)) await once(file, "drain");
      });
    } finally {
      file.end();
      await once(file, "close");
    }
  });
}
