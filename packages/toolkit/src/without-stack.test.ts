import { describe, expect, it } from "vitest";
import { withoutStack } from "./without-stack.js";

class ExampleError extends Error {
  readonly code = "example";
  constructor(readonly operation: string) {
    super(`${operation} failed`);
    this.name = "ExampleError";
  }
}

describe("withoutStack", () => {
  it("makes the error with its class, fields and message, and a stack of name and message only", () => {
    const error = withoutStack(() => new ExampleError("get"));
    expect(error).toBeInstanceOf(ExampleError);
    expect(error.code).toBe("example");
    expect(error.operation).toBe("get");
    expect(error.message).toBe("get failed");
    expect(error.stack?.split("\n")).toHaveLength(1);
  });

  it("leaves stack traces of other errors as they were, even when creating the error throws", () => {
    const before = Error.stackTraceLimit;
    expect(() =>
      withoutStack(() => {
        throw new Error("constructor failed");
      }),
    ).toThrow("constructor failed");
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error("later").stack?.split("\n").length).toBeGreaterThan(1);
  });
});
