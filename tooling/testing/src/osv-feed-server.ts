import { type IncomingHttpHeaders, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { zipSync, strToU8 } from "fflate";

/** An OSV advisory as the feed serves it. */
export interface OsvFixture {
  id: string;
  modified: string;
  withdrawn?: string;
  affected: { package: { ecosystem: string; name: string }; ranges: unknown[] }[];
  [field: string]: unknown;
}

/** What the feed does instead of answering normally, per path. */
export type Fault = "500" | "corrupt" | "slow";

/** One request the feed answered: its path and headers, and the status it got. */
export interface FeedExchange {
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
}

/**
 * A local OSV-layout feed (`/<ecosystem>/all.zip`, `/<ecosystem>/modified_id.csv`, `/<ecosystem>/<id>.json`)
 * built from fixtures, answering conditional requests, recording each request, and failing on demand.
 */
export class FeedServer {
  readonly advisories = new Map<string, OsvFixture>();
  readonly requests: string[] = [];
  /** Each request with its headers and the status answered, once the answer is sent. */
  readonly exchanges: FeedExchange[] = [];
  readonly faults = new Map<string, Fault>();
  private server: Server | undefined;
  private active = 0;
  /** The most requests in flight at once. */
  maxActive = 0;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = req.url ?? "/";
      this.requests.push(path);
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      res.on("close", () => this.active--);
      res.on("finish", () => this.exchanges.push({ path, headers: req.headers, status: res.statusCode }));
      const fault = this.faults.get(path);
      if (fault === "500") return res.writeHead(500).end("boom");
      if (fault === "slow") return void setTimeout(() => res.writeHead(200).end("late"), 5000).unref();
      const [, ecosystem, file] = decodeURIComponent(path).split("/");
      const ofEcosystem = [...this.advisories.values()].filter((a) => a.affected.some((x) => x.package.ecosystem === ecosystem));
      if (file === "all.zip") {
        const body =
          fault === "corrupt"
            ? Buffer.from("PK\u0003\u0004 not really a zip")
            : Buffer.from(zipSync(Object.fromEntries(ofEcosystem.map((a) => [`${a.id}.json`, strToU8(JSON.stringify(a))]))));
        return res.writeHead(200, { "content-type": "application/zip" }).end(body);
      }
      if (file === "modified_id.csv") {
        const csv = ofEcosystem
          .sort((a, b) => Date.parse(b.modified) - Date.parse(a.modified))
          .map((a) => `${a.modified},${a.id}\n`)
          .join("");
        const etag = `"${Buffer.from(csv).toString("base64url").slice(-16)}"`;
        const newest = Math.max(0, ...ofEcosystem.map((a) => Date.parse(a.modified)));
        const lastModified = new Date(Math.floor(newest / 1000) * 1000).toUTCString();
        const validators = { etag, "last-modified": lastModified };
        // RFC 9110 13.2.2: If-None-Match, when sent, decides; If-Modified-Since only without it.
        const ifNoneMatch = req.headers["if-none-match"];
        const ifModifiedSince = req.headers["if-modified-since"];
        const notModified =
          ifNoneMatch !== undefined ? ifNoneMatch === etag : ifModifiedSince !== undefined && newest <= Date.parse(ifModifiedSince);
        if (notModified) return res.writeHead(304, validators).end();
        return res.writeHead(200, { ...validators, "content-type": "text/csv" }).end(csv);
      }
      const advisory = file?.endsWith(".json") ? this.advisories.get(file.slice(0, -5)) : undefined;
      if (!advisory) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(advisory));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  put(...advisories: OsvFixture[]): void {
    for (const a of advisories) this.advisories.set(a.id, a);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** An npm advisory affecting `name` below `fixed`. */
export function npmAdvisory(id: string, name: string, fixed: string, modified: string, extra: Partial<OsvFixture> = {}): OsvFixture {
  return {
    schema_version: "1.6.0",
    id,
    modified,
    published: "2024-01-01T00:00:00Z",
    summary: `${name} is vulnerable`,
    affected: [{ package: { ecosystem: "npm", name }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }] }],
    ...extra,
  };
}

/** A zip of text files (name → content), as OSV's dumps are made. */
export function zipFiles(files: Record<string, string>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)]))));
}
