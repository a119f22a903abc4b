import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SealedInputError, openInput, sealInput } from "./input-sealing.js";

const secretKey = randomBytes(32);
const key = { scanType: "secrets", ownerId: "8d1e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a", inputHash: "a".repeat(64) };
const input = { files: [{ path: ".env", content: "TOKEN=AKIAZZZZZZZZZZZZZZZZ" }] };

describe("sealInput / openInput", () => {
  it("round-trips and never contains the plaintext", () => {
    const sealed = sealInput(secretKey, key, input);
    expect(sealed.includes(Buffer.from("AKIAZZZZ"))).toBe(false);
    expect(openInput(secretKey, key, sealed)).toEqual(input);
  });

  it("uses a fresh IV each time", () => {
    expect(sealInput(secretKey, key, input).equals(sealInput(secretKey, key, input))).toBe(false);
  });

  it("rejects the wrong secret key, a tampered blob and another input's key", () => {
    const sealed = sealInput(secretKey, key, input);
    expect(() => openInput(randomBytes(32), key, sealed)).toThrow(SealedInputError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => openInput(secretKey, key, tampered)).toThrow(SealedInputError);
    expect(() => openInput(secretKey, { ...key, ownerId: null }, sealed)).toThrow(SealedInputError);
    expect(() => openInput(secretKey, key, Buffer.from([9, 9, 9]))).toThrow(SealedInputError);
  });
});
