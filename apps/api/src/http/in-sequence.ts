import type { NextFunction, Request, RequestHandler, Response } from "express";

/**
 * Runs middleware one after another as a single handler, with express's rules (an error or a rejected
 * promise skips the rest and goes to `next(error)`). For a chain every request passes through: the router
 * would match, trim and re-dispatch each one as a layer of its own.
 */
export function inSequence(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const step = (error?: unknown): void => {
      const handler = handlers[index++];
      if (error !== undefined || !handler) return next(error);
      try {
        const returned: unknown = handler(req, res, step);
        if (returned instanceof Promise) returned.catch((rejection: unknown) => step(rejection ?? new Error("Rejected promise")));
      } catch (thrown) {
        step(thrown);
      }
    };
    step();
  };
}
