import type { IncomingMessage, ServerResponse } from "node:http";

/** Node's HTTP parser as the socket holds it; `remove` is not part of Node's typed API. */
interface TrackedParser {
  remove?: () => void;
}

/**
 * Takes one request out of the server's `requestTimeout` (Node's bound on receiving a whole request, 5 minutes by
 * default), which would cut a large upload on a slow link however steadily it streams; the caller bounds it
 * instead (an idle timeout). Node has no public per-request switch: the timeout sweeps the server's list of
 * connections with a request in progress, and `parser.remove()` takes this connection off it, as Node does itself
 * once a request has arrived. Off that list the connection is not closed as idle either, so it is closed after the
 * answer. Returns false, leaving the request under the server's timeout, on a Node without that hook.
 */
export function exemptFromRequestTimeout(req: IncomingMessage, res: ServerResponse): boolean {
  const parser = (req.socket as { parser?: TrackedParser | null }).parser;
  if (typeof parser?.remove !== "function") return false;
  parser.remove();
  res.setHeader("Connection", "close");
  return true;
}
