import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.js";
import { decodeCursor, encodeCursor } from "./list-cursor.js";

describe("list cursor", () => {
  it("round-trips the position exactly", () => {
    const cursor = { createdAt: new Date("2026-11-21T10:00:00.123Z"), id: "0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(["", "garbage", Buffer.from("not-a-date|0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a").toString("base64url")])(
    "rejects %j with a 400",
    (value) => {
      expect(() => decodeCursor(value)).toThrow(HttpError);
      try {
        decodeCursor(value);
      } catch (error) {
        expect((error as HttpError).status).toBe(400);
      }
    },
  );
});
