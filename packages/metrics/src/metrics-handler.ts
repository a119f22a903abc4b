import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

const digest = (value: string) => createHash("sha256").update(value).digest();

function presentedToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/**
 * A `/metrics` handler for express or plain `node:http`. With a non-empty `token` it answers 401 unless the
 * request carries `Authorization: Bearer <token>`. Never rejects: a failing collector becomes a 500.
 */
export function createMetricsHandler(registry: Registry, token?: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  // Digests have equal length, so the comparison takes the same time whatever was presented.
  const expected = token ? digest(token) : undefined;
  return async (req, res) => {
    if (expected) {
      const presented = presentedToken(req);
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        res
          .writeHead(401, { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Bearer realm="metrics"' })
          .end("Unauthorized: /metrics needs Authorization: Bearer <METRICS_TOKEN>\n");
        return;
      }
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" }).end(body);
    } catch (error) {
      res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end(`Collecting metrics failed: ${(error as Error).message}\n`);
    }
  };
}
