import type { Cluster, Redis } from "ioredis";

const CONNECTING = new Set(["connecting", "connect", "reconnecting"]);

/**
 * Waits, at most `ms`, for a connection that is on its way up to become ready: commands sent before that
 * fail at once on a client without an offline queue, and would count against the breaker. Resolves false
 * if it is still coming up (it keeps connecting in the background), true otherwise.
 */
export function whenReady(client: Redis | Cluster, ms: number): Promise<boolean> {
  if (!CONNECTING.has(client.status)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.once("ready", onReady);
  });
}
