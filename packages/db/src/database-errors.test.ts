import { describe, expect, it } from "vitest";
import { isDatabaseUnavailableError, isPermanentDatabaseError, isUniqueViolationError } from "./database-errors.js";

const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isDatabaseUnavailableError", () => {
  it("recognises a dropped, refused or restarting Postgres", () => {
    expect(isDatabaseUnavailableError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailableError(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isDatabaseUnavailableError(pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"))).toBe(true);
    expect(isDatabaseUnavailableError(new AggregateError([pgError("ECONNREFUSED"), pgError("ECONNREFUSED")], ""))).toBe(true);
    expect(isDatabaseUnavailableError(pgError("57P01", "terminating connection due to administrator command"))).toBe(true);
    expect(isDatabaseUnavailableError(pgError("57P03", "the database system is starting up"))).toBe(true);
    expect(isDatabaseUnavailableError(pgError("08006"))).toBe(true);
    expect(isDatabaseUnavailableError(pgError("53300", "sorry, too many clients already"))).toBe(true);
  });

  it("leaves errors that retrying would not fix, or that are not Postgres's", () => {
    expect(isDatabaseUnavailableError(pgError("23505", "duplicate key value"))).toBe(false);
    expect(isDatabaseUnavailableError(pgError("22P05", "unsupported Unicode escape sequence"))).toBe(false);
    expect(isDatabaseUnavailableError(pgError("57014", "canceling statement due to statement timeout"))).toBe(false);
    expect(isDatabaseUnavailableError(new Error("something else"))).toBe(false);
    expect(isDatabaseUnavailableError("Connection terminated")).toBe(false);
  });
});

describe("isPermanentDatabaseError", () => {
  it("is true for values Postgres refuses (data exceptions, program limits) and nothing else", () => {
    expect(isPermanentDatabaseError(pgError("22P05"))).toBe(true);
    expect(isPermanentDatabaseError(pgError("22021"))).toBe(true);
    expect(isPermanentDatabaseError(pgError("54000"))).toBe(true);
    expect(isPermanentDatabaseError(pgError("40001"))).toBe(false);
    expect(isPermanentDatabaseError(pgError("ECONNREFUSED"))).toBe(false);
    expect(isPermanentDatabaseError(new Error("no code"))).toBe(false);
  });
});

describe("isUniqueViolationError", () => {
  it("is true for a duplicate key and nothing else", () => {
    expect(isUniqueViolationError(pgError("23505", "duplicate key value violates unique constraint"))).toBe(true);
    expect(isUniqueViolationError(pgError("23503"))).toBe(false);
    expect(isUniqueViolationError(new Error("duplicate key"))).toBe(false);
  });
});
