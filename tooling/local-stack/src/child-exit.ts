import type { ChildProcess } from "node:child_process";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves once `child` has exited and its output is flushed. Call it right after spawning, before any exit. */
export function exitOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
}

export function describeExit({ code, signal }: ChildExit): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}
