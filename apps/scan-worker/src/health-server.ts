import { createServer, type Server } from "node:http";

/** A tiny HTTP server for a worker's `/health` (and later `/metrics`): workers have no express app. */
export function startHealthServer(
  port: number,
  routes: Record<string, () => Promise<{ status: number; contentType: string; body: string }>>,
): Promise<Server> {
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? "/").split("?")[0] ?? "/"];
    if (!route || req.method !== "GET") {
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "Not found", code: "not_found" }));
      return;
    }
    route().then(
      ({ status, contentType, body }) => res.writeHead(status, { "Content-Type": contentType }).end(body),
      (error: Error) =>
        res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ error: error.message, code: "internal_error" })),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}
