import { describe, expect, it } from "vitest";
import { createMetrics } from "./create-metrics.js";
import { type JobCountsSource, QUEUE_JOB_STATES, type QueueJobState } from "./queue-jobs.js";
import { parseScrape, samplesOf } from "./scrape.fixture.js";

/** A queue whose next answer the test decides: counts, an error, or silence (Redis unreachable). */
class ScriptedQueue implements JobCountsSource {
  calls = 0;
  next: "answer" | "fail" | "hang" = "answer";
  counts: Partial<Record<QueueJobState, number>> = {};

  constructor(readonly name: string) {}

  getJobCounts(...states: QueueJobState[]): Promise<Record<string, number>> {
    this.calls++;
    if (this.next === "fail") return Promise.reject(new Error("Connection is closed."));
    if (this.next === "hang") return new Promise(() => undefined);
    return Promise.resolve(Object.fromEntries(states.map((state) => [state, this.counts[state] ?? 0])));
  }
}

async function queueJobs(metrics: ReturnType<typeof createMetrics>): Promise<Record<string, number>> {
  const samples = samplesOf(parseScrape(await metrics.registry.metrics()), "secapi_queue_jobs");
  return Object.fromEntries(samples.map((s) => [`${s.labels.queue}/${s.labels.state}`, s.value]));
}

describe("trackQueues", () => {
  it("reports every state of every tracked queue at scrape time", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const scans = new ScriptedQueue("scans");
    const events = new ScriptedQueue("events");
    scans.counts = { waiting: 4, active: 2, failed: 1 };
    metrics.trackQueues([scans, events, scans]);
    const reported = await queueJobs(metrics);
    expect(Object.keys(reported)).toHaveLength(2 * QUEUE_JOB_STATES.length);
    expect(reported).toMatchObject({ "scans/waiting": 4, "scans/active": 2, "scans/failed": 1, "scans/delayed": 0, "events/waiting": 0 });
    expect(scans.calls).toBe(1);

    scans.counts = { waiting: 9 };
    expect((await queueJobs(metrics))["scans/waiting"]).toBe(9);
  });

  it("keeps the last counts when Redis fails or does not answer in time", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false, queueCountTimeoutMs: 100 });
    const scans = new ScriptedQueue("scans");
    scans.counts = { waiting: 7, completed: 3 };
    metrics.trackQueues([scans]);
    expect(await queueJobs(metrics)).toMatchObject({ "scans/waiting": 7, "scans/completed": 3 });

    scans.next = "fail";
    expect(await queueJobs(metrics)).toMatchObject({ "scans/waiting": 7, "scans/completed": 3 });

    // The read never answers: the scrape answering at all shows the timeout bounds it.
    scans.next = "hang";
    expect(await queueJobs(metrics)).toMatchObject({ "scans/waiting": 7, "scans/completed": 3 });
  });

  it("does not pile up reads on a queue that has not answered yet", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false, queueCountTimeoutMs: 20 });
    const scans = new ScriptedQueue("scans");
    scans.next = "hang";
    metrics.trackQueues([scans]);
    await queueJobs(metrics);
    await queueJobs(metrics);
    await queueJobs(metrics);
    expect(scans.calls).toBe(1);
  });
});
