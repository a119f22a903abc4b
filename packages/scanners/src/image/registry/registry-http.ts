import { setTimeout as sleep } from "node:timers/promises";
import { type Dispatcher, type Response, fetch } from "undici";
import { ImageError } from "../image-error.js";

/** How long a registry may take: to answer with headers (connect included), and between two chunks of a body. */
export interface RegistryTimeouts {
  headersMs: number;
  idleMs: number;
}

export const DEFAULT_REGISTRY_TIMEOUTS: RegistryTimeouts = { headersMs: 15_000, idleMs: 30_000 };

/** One request to a registry (or its token service): what is sent, how long it may take, and how it leaves. */
export interface RegistryRequest {
  headers: Record<string, string>;
  timeouts: RegistryTimeouts;
  /** GET by default. */
  method?: "GET" | "HEAD";
  /** A proxy (proxyDispatcher); direct when unset. */
  dispatcher?: Dispatcher | undefined;
}

/** An answer whose body is still to be read, with the means to abandon it. */
export interface RegistryResponse {
  response: Response;
  abort: () => void;
}

const RETRY_DELAY_MS = 250;

/**
 * One GET (or HEAD), retried once after a network error, a timeout or a 5xx/429 (registries and their CDNs fail
 * transiently). A GET follows redirects (blob storage), dropping Authorization across origins as fetch does; a
 * HEAD answers the registry's own redirect, since storage signs its URLs for GET only.
 * Network failures and timeouts become `image_registry_unreachable`.
 */
export async function registryRequest(url: string, request: RegistryRequest): Promise<RegistryResponse> {
  const { headers, timeouts, method = "GET", dispatcher } = request;
  let lastError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await sleep(RETRY_DELAY_MS);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeouts.headersMs} ms`)), timeouts.headersMs);
    try {
      const response = await fetch(url, {
        method,
        headers,
        signal: controller.signal,
        redirect: method === "GET" ? "follow" : "manual",
        ...(dispatcher !== undefined && { dispatcher }),
      });
      clearTimeout(timer);
      if ((response.status >= 500 || response.status === 429) && attempt === 0) {
        await response.body?.cancel().catch(() => undefined);
        lastError = new Error(`HTTP ${response.status}`);
        continue;
      }
      return { response, abort: () => controller.abort(new Error("abandoned")) };
    } catch (error) {
      clearTimeout(timer);
      lastError = controller.signal.aborted ? controller.signal.reason : error;
    }
  }
  throw new ImageError("image_registry_unreachable", `${new URL(url).host} did not answer: ${describe(lastError)}`, { cause: lastError });
}

/**
 * The body's chunks, failing with `image_registry_unreachable` when the registry stalls for `idleMs` or drops the
 * connection; the caller bounds sizes.
 */
export async function* bodyChunks(answer: RegistryResponse, idleMs: number): AsyncGenerator<Uint8Array> {
  const body = answer.response.body;
  if (body === null) return;
  let stalled = false;
  const timer = setTimeout(() => {
    stalled = true;
    answer.abort();
  }, idleMs);
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      // Restarted per chunk; the consumer's time (writing to disk) counts too, which only makes it stricter.
      timer.refresh();
      yield chunk;
    }
  } catch (error) {
    const host = new URL(answer.response.url).host;
    const why = stalled ? `sent nothing for ${idleMs} ms` : `dropped the connection: ${describe(error)}`;
    throw new ImageError("image_registry_unreachable", `${host} ${why}`, { cause: error });
  } finally {
    clearTimeout(timer);
    // Leaving early (size bound) must not leave the socket streaming.
    answer.abort();
  }
}

/** A whole body up to `maxBytes`, else undefined (body abandoned). */
export async function readBody(answer: RegistryResponse, idleMs: number, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(answer, idleMs)) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and puts the reason (ECONNREFUSED, ENOTFOUND, TLS) in its cause.
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause !== undefined && typeof cause.code === "string")
    return `${cause.code}${typeof cause.message === "string" ? ` (${cause.message})` : ""}`;
  if (cause !== undefined && typeof cause.message === "string") return cause.message;
  return error.message;
}
