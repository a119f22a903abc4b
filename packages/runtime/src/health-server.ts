import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A GET route answering JSON: `check` gives the status code and body. */
export function jsonRoute(check: () => Promise<{ status: number; body: unknown }>): RouteHandler {
  return async (_req, res) => {
    const { status, body } = await check();
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
}

/** A tiny HTTP server for a worker's `/health` and `/metrics`: workers have no express app. */
export function startHealthServer(port: number, routes: Record<string, RouteHandler>): Promise<Server> {
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? "/").split("?")[0] ?? "/"];
    if (!route || req.method !== "GET") {
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "Not found", code: "not_found" }));
      return;
    }
    route(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: error.message, code: "internal_error" }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}
