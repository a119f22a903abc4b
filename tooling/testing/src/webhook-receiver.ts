import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a WebhookReceiver took, with the headers a SecAPI delivery carries. */
export interface ReceivedWebhook {
  host: string | undefined;
  path: string;
  body: string;
  signature: string | undefined;
  eventId: string | undefined;
}

/** An HTTP server on 127.0.0.1 that answers every request 204 and records it, for tests of webhook deliveries. */
export class WebhookReceiver {
  /** Every request so far, in the order they arrived. */
  readonly received: ReceivedWebhook[] = [];

  private constructor(private readonly server: Server) {}

  /** Listens on a free loopback port. */
  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on("request", (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        receiver.received.push({
          host: req.headers.host,
          path: req.url ?? "",
          body: Buffer.concat(chunks).toString("utf8"),
          signature: req.headers["secapi-signature"] as string | undefined,
          eventId: req.headers["secapi-event-id"] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The address of `path` on this receiver, e.g. `url("/hooks/alice")`. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}
