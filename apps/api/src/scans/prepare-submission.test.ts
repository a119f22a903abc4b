import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.js";
import { REMEMBERED_BODY_BYTES, prepareSubmission, rememberingPreparations } from "./prepare-submission.js";

const scanInputKey = randomBytes(32);
const policy = { imageRegistries: [] };
const secrets = (content: string) => ({ type: "secrets", input: { files: [{ path: ".env", content }] } });

describe("rememberingPreparations", () => {
  it("hands a repeated small body the preparation it computed first, equal to prepareSubmission's, and frozen", () => {
    const prepare = rememberingPreparations(scanInputKey, policy);
    const ownerId = randomUUID();
    const first = prepare({ ownerId, body: secrets("A=1\n") }, 60);
    // An equal body parsed anew (another request) is the same submission.
    const again = prepare({ ownerId, body: JSON.parse(JSON.stringify(secrets("A=1\n"))) as unknown }, 60);
    expect(again).toBe(first);
    const fresh = prepareSubmission({ ownerId, body: secrets("A=1\n"), policy }, scanInputKey);
    expect(first.key).toEqual(fresh.key);
    expect(first.labels).toEqual({});
    expect(first.sealed().length).toBeGreaterThan(0);
    expect(Object.isFrozen(first) && Object.isFrozen(first.key) && Object.isFrozen(first.labels)).toBe(true);
  });

  it("keeps owners, types and bodies apart", () => {
    const prepare = rememberingPreparations(scanInputKey, policy);
    const ownerId = randomUUID();
    const base = prepare({ ownerId, body: secrets("A=1\n") }, 60);
    expect(prepare({ ownerId: randomUUID(), body: secrets("A=1\n") }, 60)).not.toBe(base);
    expect(prepare({ ownerId, body: secrets("A=2\n") }, 60).key.inputHash).not.toBe(base.key.inputHash);
    const typed = prepare({ ownerId, typeName: "secrets", body: secrets("A=1\n").input }, 60);
    expect(typed).not.toBe(base);
    expect(typed.key).toEqual(base.key);
  });

  it("prepares larger bodies, and bodies of unknown length, every time", () => {
    const prepare = rememberingPreparations(scanInputKey, policy);
    const ownerId = randomUUID();
    const large = prepare({ ownerId, body: secrets("A=1\n") }, REMEMBERED_BODY_BYTES + 1);
    expect(prepare({ ownerId, body: secrets("A=1\n") }, REMEMBERED_BODY_BYTES + 1)).not.toBe(large);
    expect(prepare({ ownerId, body: secrets("A=1\n") }, Number.NaN)).not.toBe(large);
  });

  it("remembers no refusal: an invalid body is refused every time", () => {
    const prepare = rememberingPreparations(scanInputKey, policy);
    const ownerId = randomUUID();
    for (let i = 0; i < 2; i++) expect(() => prepare({ ownerId, body: { type: "secrets", input: 7 } }, 40)).toThrow(HttpError);
    expect(() => prepare({ ownerId, body: undefined }, 40)).toThrow(HttpError);
  });
});
