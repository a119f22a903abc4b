import { describe, expect, it } from "vitest";
import { redact } from "./redact.js";

describe("redact", () => {
  it("keeps four characters and at most twelve stars", () => {
    expect(redact("AKIA" + "QW3ERT5YUI2OPASD")).toBe("AKIA************");
    expect(redact("x".repeat(200))).toBe("xxxx************");
  });

  it("keeps at most a quarter of a secret shorter than 16 characters", () => {
    expect(redact("hunter2!")).toBe("hu******");
    expect(redact("abcdefghijklmno")).toBe("abc************");
    expect(redact("abc")).toBe("***");
    expect(redact("")).toBe("");
  });

  it("shows only the BEGIN line of a PEM block", () => {
    const block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    expect(redact(block)).toBe("-----BEGIN RSA PRIVATE KEY-----****");
  });
});
