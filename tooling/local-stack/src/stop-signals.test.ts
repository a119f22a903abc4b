import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { onStopSignals } from "./stop-signals.js";

function setup() {
  const source = new EventEmitter();
  const calls: string[] = [];
  let clock = 0;
  onStopSignals(
    { stop: (signal) => calls.push(`stop ${signal}`), force: (signal) => calls.push(`force ${signal}`) },
    { source, sameRequestMs: 1000, now: () => clock },
  );
  return { calls, emit: (signal: NodeJS.Signals, at: number) => ((clock = at), source.emit(signal, signal)) };
}

describe("onStopSignals", () => {
  it("stops on the first SIGINT or SIGTERM and forces on a later one", () => {
    const { calls, emit } = setup();
    emit("SIGTERM", 0);
    emit("SIGINT", 5000);
    expect(calls).toEqual(["stop SIGTERM", "force SIGINT"]);
  });

  it("takes a repeat within the window (Ctrl-C received directly and through pnpm) as the same request", () => {
    const { calls, emit } = setup();
    emit("SIGINT", 0);
    emit("SIGINT", 30);
    emit("SIGTERM", 999);
    expect(calls).toEqual(["stop SIGINT"]);
    emit("SIGINT", 1000);
    expect(calls).toEqual(["stop SIGINT", "force SIGINT"]);
  });
});
