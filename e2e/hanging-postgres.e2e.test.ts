import { type Socket, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

// Issue "Survive faults": a Postgres that hangs (accepts connections, never answers a byte) must not hang the probes.
// An api process runs with DATABASE_URL at such a server, and a pool connection timeout (120 s) far longer than any
// probe waits, so that only the probes' own timeouts can make them answer. The one duration asserted is /ready's own
// timeout (100 ms) with a generous margin for a loaded machine (first answers took 1.5 s on one): any answer well
// before the pool's 120 s shows the probe did not wait for Postgres. Kubernetes' probe timeout (2 s) is the target.
const ANSWER_WITHIN_MS = 100 + 4900;

let stack: Stack;
const sockets = new Set<Socket>();
const hanging = createServer((socket) => {
  sockets.add(socket);
  socket.on("error", () => undefined);
  socket.on("close", () => sockets.delete(socket));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const { port } = hanging.address() as AddressInfo;
  stack = await Stack.create({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/secapi`, DB_CONNECTION_TIMEOUT_MS: "120000" });
  // Starts without Postgres answering: /health is 200 (the Redis roles answer), so startApi's wait ends.
  await stack.startApi();
});
afterAll(async () => {
  await stack.close();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hanging.close(resolve));
});

async function timed(path: string): Promise<{ path: string; status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${stack.apiUrl}${path}`);
  const body = await response.json();
  return { path, status: response.status, body, ms: performance.now() - started };
}

describe("a Postgres that accepts connections and never answers", () => {
  it("/ready answers 503 within its timeout, round after round; /health 200 degraded; /live 200", async () => {
    // The first request of a fresh process pays for its connection and cold code, whatever Postgres does.
    await timed("/live");
    const rounds = [];
    for (let round = 0; round < 3; round++) {
      rounds.push(await Promise.all([...Array.from({ length: 5 }, () => timed("/ready")), timed("/health"), timed("/live")]));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    console.log(`[api] Postgres hanging: probe answers ${rounds.map((r) => r.map((a) => a.ms.toFixed(0)).join("/")).join(", ")} ms`);

    // The server really hangs the connections (they are open, unanswered), and the api is still up.
    expect(sockets.size).toBeGreaterThan(0);
    expect(stack.processes.every((p) => p.running)).toBe(true);
    for (const answers of rounds) {
      for (const answer of answers) expect(answer.ms, answer.path).toBeLessThan(ANSWER_WITHIN_MS);
      const [ready, health, live] = [answers[0]!, answers[5]!, answers[6]!];
      for (const r of answers.slice(0, 5)) expect(r).toMatchObject({ status: 503, body: ready.body });
      expect(ready.body).toEqual({ ready: false, database: "disconnected", redis_queue: "connected" });
      expect(health).toMatchObject({ status: 200, body: { status: "degraded", database: "disconnected", redis_queue: "connected" } });
      expect(live).toMatchObject({ status: 200, body: { status: "alive" } });
    }
  });
});
