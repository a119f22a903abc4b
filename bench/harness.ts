import { performance } from "node:perf_hooks";

/** Throughput and latency of one measured operation. */
export interface Measurement {
  name: string;
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Summarises latencies (ms) measured over `elapsedMs`. */
export function summarise(name: string, latenciesMs: number[], elapsedMs: number): Measurement {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    name,
    ops: sorted.length,
    opsPerSecond: (sorted.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
  };
}

/**
 * Runs `operation` with `concurrency` callers for `durationMs` (after a warm-up), timing each call.
 * Machines are noisy: compare measurements taken in the same run, not across runs.
 */
export async function measure(
  name: string,
  operation: () => Promise<unknown>,
  { durationMs = 3000, warmupMs = 500, concurrency = 16 } = {},
): Promise<Measurement> {
  const runFor = async (ms: number, record: number[] | undefined) => {
    const until = performance.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          await operation();
          record?.push(performance.now() - started);
        }
      }),
    );
  };
  await runFor(warmupMs, undefined);
  const latencies: number[] = [];
  const started = performance.now();
  await runFor(durationMs, latencies);
  return summarise(name, latencies, performance.now() - started);
}

/** Times a synchronous or single async task `iterations` times, one after another. */
export async function measureSerial(name: string, task: () => unknown, iterations: number): Promise<Measurement> {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await task();
    latencies.push(performance.now() - t);
  }
  return summarise(name, latencies, performance.now() - started);
}

const fmt = (n: number, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Prints measurements as a table, each with its throughput ratio against `baseline`. */
export function report(title: string, baseline: Measurement, others: Measurement[], notes: string[] = []): void {
  console.log(`\n## ${title}\n`);
  console.log("| operation | ops/s | p50 ms | p95 ms | p99 ms | throughput vs baseline |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const m of [baseline, ...others]) {
    const ratio = m === baseline ? "baseline" : `${fmt(m.opsPerSecond / baseline.opsPerSecond)}×`;
    console.log(`| ${m.name} | ${fmt(m.opsPerSecond, 0)} | ${fmt(m.p50Ms, 3)} | ${fmt(m.p95Ms, 3)} | ${fmt(m.p99Ms, 3)} | ${ratio} |`);
  }
  for (const note of notes) console.log(`\n${note}`);
}
