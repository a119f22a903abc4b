import { eventSchema } from "@secapi/events";
import { type Job, UnrecoverableError } from "bullmq";
import type { CacheWorkerContext } from "./context.js";
import { type EventOutcome, handleEvent } from "./handle-event.js";

export interface EventProcessorHooks {
  onProcessed?(type: string, outcome: "ok" | "invalid" | "error", result?: EventOutcome): void;
}

/** The BullMQ processor of queue `events`: validate, apply, report; failures retry with back-off. */
export function createEventProcessor(ctx: CacheWorkerContext, hooks: EventProcessorHooks = {}) {
  return async function processEvent(job: Job): Promise<EventOutcome> {
    const parsed = eventSchema.safeParse(job.data);
    if (!parsed.success) {
      hooks.onProcessed?.(job.name, "invalid");
      throw new UnrecoverableError(`event ${job.id} does not match its schema`);
    }
    try {
      const result = await handleEvent(ctx, parsed.data);
      hooks.onProcessed?.(parsed.data.type, "ok", result);
      return result;
    } catch (error) {
      hooks.onProcessed?.(parsed.data.type, "error");
      throw error;
    }
  };
}
