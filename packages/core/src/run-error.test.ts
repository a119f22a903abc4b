import { describe, expect, it } from "vitest";
import { RetryableRunError } from "./retryable-run-error.js";
import { RunError } from "./run-error.js";
import { RunInputError } from "./run-input-error.js";

describe("RunError", () => {
  it.each([
    ["RunInputError", RunInputError],
    ["RetryableRunError", RetryableRunError],
  ] as const)("%s carries its code, message, cause and name, and is told apart from the other", (name, ErrorClass) => {
    const cause = new Error("underlying");
    const error = new ErrorClass("image_too_large", "The image is too large", { cause });
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ code: "image_too_large", message: "The image is too large", cause, name });
    expect(error instanceof RunInputError).toBe(ErrorClass === RunInputError);
    expect(error instanceof RetryableRunError).toBe(ErrorClass === RetryableRunError);
  });
});
