import { type Server, createServer } from "node:http";
import { type AddressInfo, type Socket, connect } from "node:net";

/**
 * A forward proxy on a free loopback port that tunnels `CONNECT host:port` (what undici's proxy agents send for
 * every request, http or https), recording each target. `stop()` closes the tunnels and the server.
 */
export class ConnectProxy {
  /** `host:port` of every CONNECT, in order. */
  readonly targets: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  /** `http://127.0.0.1:<port>`: the value of HTTPS_PROXY / HTTP_PROXY. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  static async start(): Promise<ConnectProxy> {
    const server = createServer((_req, res) => res.writeHead(405).end("CONNECT only"));
    const proxy = new ConnectProxy(server);
    server.on("connect", (req, client: Socket, head: Buffer) => {
      const target = req.url ?? "";
      proxy.targets.push(target);
      const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
      const upstream = connect(port, host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on("close", () => proxy.sockets.delete(socket));
      }
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
