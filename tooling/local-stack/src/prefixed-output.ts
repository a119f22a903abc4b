import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { styleText } from "node:util";

export type LabelColor = "cyan" | "magenta" | "yellow" | "green";

/** `[name]`, coloured when `to` is a terminal (and NO_COLOR is unset). */
export function label(name: string, color: LabelColor, to: Writable & { isTTY?: boolean }): string {
  const text = `[${name}]`;
  return to.isTTY && !process.env.NO_COLOR ? styleText(color, text) : text;
}

/** Copies `from` to `to` line by line, each line starting with `prefix`. */
export function pipePrefixed(from: Readable, to: Writable, prefix: string): void {
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => to.write(`${prefix} ${line}\n`));
}
