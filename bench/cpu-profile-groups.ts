import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that self time is computed from. */
interface CpuProfile {
  /** When the profile stopped, µs (V8's clock). */
  endTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

type Frame = CpuProfile["nodes"][number]["callFrame"];

const HEADER_FUNCTIONS = new Set([
  "setHeader",
  "set",
  "header",
  "getHeader",
  "removeHeader",
  "vary",
  "append",
  "validateHeaderName",
  "validateHeaderValue",
  "_storeHeader",
  "processHeader",
  "rateLimitHeaders",
  "setRateLimitHeaders",
  "scanViewCaching",
  "callerDependent",
  "markStale",
]);
/** Where the header functions above live (a bare `set` elsewhere is a Map's or a Set's). */
const HEADER_MODULES = /^node:_http|\/express\/|\/vary\/|\/apps\/api\/dist\/|\/packages\/limiter\/dist\/rate-limit-headers/;
/** V8 bindings of node's socket writes and buffers: they carry no url. */
const NATIVE_IO =
  /^(writev|writeString|writeBuffer|writeUtf8String|writeLatin1String|utf8Write|latin1Write|readStart|readStop|shutdown|close|onStreamRead)$/;
const EXPRESS_MODULES =
  /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(express|router|body-parser|raw-body|finalhandler|on-finished|content-type|type-is|mime-types|mime-db|qs|path-to-regexp|depd|statuses|accepts|negotiator|fresh|etag|parseurl|encodeurl|proxy-addr|forwarded|ipaddr\.js|send|cookie|iconv-lite|media-typer|content-disposition|vary|http-errors|setprototypeof|range-parser|merge-descriptors|utils-merge|escape-html)\//;

/**
 * Self-time groups, first match wins: the order puts a function that sets headers under "headers" whichever
 * module it is in, and leaves node's HTTP and stream internals to their own group.
 */
const GROUPS: [string, (frame: Frame) => boolean][] = [
  ["idle", (f) => f.functionName === "(idle)"],
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["headers", (f) => HEADER_FUNCTIONS.has(f.functionName) && HEADER_MODULES.test(f.url)],
  [
    "logging (pino)",
    (f) => /\/(pino|pino-std-serializers|sonic-boom|thread-stream|quick-format-unescaped|fast-redact)\/|request-logger\.js/.test(f.url),
  ],
  [
    "serialization (JSON, ETag)",
    (f) =>
      (f.url === "" && /^(stringify|parse)$/.test(f.functionName)) ||
      (f.functionName === "stringify" && /\/express\//.test(f.url)) ||
      f.functionName === "etagOf" ||
      /\/http\/rendered-json\.js/.test(f.url),
  ],
  ["hashing (SHA-256 of API keys, ETags)", (f) => f.url.startsWith("node:internal/crypto/hash")],
  ["metrics (prom-client)", (f) => /\/prom-client\/|\/packages\/metrics\//.test(f.url)],
  ["auth", (f) => /authenticate\.js|\/packages\/core\/dist\/api-key/.test(f.url)],
  ["limiter client", (f) => /\/packages\/limiter\/|\/limits\//.test(f.url)],
  ["cache", (f) => /\/packages\/cache\//.test(f.url)],
  ["redis client (ioredis, shared)", (f) => /\/(ioredis|redis-parser|denque|cluster-key-slot|standard-as-callback)\//.test(f.url)],
  ["express", (f) => EXPRESS_MODULES.test(f.url) || /express-host\.js|in-sequence\.js/.test(f.url)],
  ["validation (zod)", (f) => /\/zod\//.test(f.url)],
  ["SecAPI routes and pipeline", (f) => /\/apps\/api\/dist\/|\/packages\/(core|config|db)\/dist\//.test(f.url)],
  ["node http, net, streams, timers", (f) => f.url.startsWith("node:") || (f.url === "" && NATIVE_IO.test(f.functionName))],
  ["promises (microtask queue)", (f) => f.url === "" && f.functionName === "runMicrotasks"],
  ["(program): native, outside JS", (f) => f.functionName === "(program)"],
];

function groupOf(frame: Frame): string {
  return GROUPS.find(([, matches]) => matches(frame))?.[0] ?? "other";
}

/**
 * Self time (µs) per group in one profile, idle excluded; with `lastUs`, only of the samples taken in the last
 * `lastUs` µs before the profile stopped (the load measured, not the process's start-up).
 */
export function selfTimeByGroup(profile: CpuProfile, lastUs = Number.POSITIVE_INFINITY): Map<string, number> {
  const groupOfNode = new Map(profile.nodes.map((node) => [node.id, groupOf(node.callFrame)]));
  const deltas = profile.timeDeltas;
  // Sample i was taken at endTime minus the deltas after it: walk back from the end.
  let at = profile.endTime;
  const totals = new Map<string, number>();
  for (let i = profile.samples.length - 1; i >= 0 && profile.endTime - at <= lastUs; i--) {
    const group = groupOfNode.get(profile.samples[i] as number) ?? "other";
    const delta = deltas[i] ?? 0;
    if (group !== "idle") totals.set(group, (totals.get(group) ?? 0) + delta);
    at -= delta;
  }
  return totals;
}

/** The profile a process of `pid` wrote into `dir` (`node --cpu-prof` names it `CPU.<date>.<time>.<pid>.<tid>.<n>.cpuprofile`). */
export function profileOf(dir: string, pid: number): CpuProfile | undefined {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile") && name.split(".")[3] === String(pid));
  return file ? (JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile) : undefined;
}

/** A markdown table of the groups' shares of the busy time, largest first, and µs per request at `cpuPerRequestUs`. */
export function groupTable(totals: Map<string, number>, cpuPerRequestUs?: number): string {
  const busy = [...totals.values()].reduce((sum, us) => sum + us, 0);
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  const lines = ["| group | self time | µs per request |", "|---|---:|---:|"];
  for (const [group, us] of rows) {
    const share = us / busy;
    const perRequest = cpuPerRequestUs === undefined ? "" : (share * cpuPerRequestUs).toFixed(1);
    lines.push(`| ${group} | ${(share * 100).toFixed(1)} % | ${perRequest} |`);
  }
  return lines.join("\n");
}
