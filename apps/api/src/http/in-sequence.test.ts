import type { NextFunction, Request, RequestHandler, Response } from "express";
import { describe, expect, it } from "vitest";
import { inSequence } from "./in-sequence.js";

const req = {} as Request;
const res = {} as Response;

/** Runs the handler and resolves with what it passed to `next` once it does. */
function run(handler: RequestHandler): Promise<{ error: unknown }> {
  return new Promise((resolve) => {
    void handler(req, res, ((error?: unknown) => resolve({ error })) as NextFunction);
  });
}

describe("inSequence", () => {
  it("runs every handler in order, sync or async, then continues", async () => {
    const order: string[] = [];
    const outcome = await run(
      inSequence(
        (_req, _res, next) => {
          order.push("a");
          next();
        },
        async (_req, _res, next) => {
          await Promise.resolve();
          order.push("b");
          next();
        },
        (_req, _res, next) => {
          order.push("c");
          next();
        },
      ),
    );
    expect(order).toEqual(["a", "b", "c"]);
    expect(outcome.error).toBeUndefined();
  });

  it("skips the rest on an error passed to next, thrown, or rejected", async () => {
    const failure = new Error("no");
    const never: RequestHandler = () => {
      throw new Error("must not run");
    };
    const passed = await run(inSequence((_req, _res, next) => next(failure), never));
    const thrown = await run(
      inSequence(() => {
        throw failure;
      }, never),
    );
    const rejected = await run(
      inSequence(async () => {
        await Promise.resolve();
        throw failure;
      }, never),
    );
    expect([passed.error, thrown.error, rejected.error]).toEqual([failure, failure, failure]);
  });
});
