import type { Request } from "express";
import { describe, expect, it } from "vitest";
import { isScanSubmission } from "./limit-requests.js";

const request = (method: string, originalUrl: string) => ({ method, originalUrl }) as Request;

describe("isScanSubmission", () => {
  it("is true for both submission routes, with a query or a trailing slash", () => {
    expect(isScanSubmission(request("POST", "/api/v1/scans"))).toBe(true);
    expect(isScanSubmission(request("POST", "/api/v1/scans/?x=1"))).toBe(true);
    expect(isScanSubmission(request("POST", "/api/v1/scan/docker"))).toBe(true);
  });

  it("is false for reads, deletions and other POSTs", () => {
    expect(isScanSubmission(request("GET", "/api/v1/scans"))).toBe(false);
    expect(isScanSubmission(request("DELETE", "/api/v1/scans/5a1e2f3c-0000-4000-8000-000000000000"))).toBe(false);
    expect(isScanSubmission(request("POST", "/api/v1/admin/users"))).toBe(false);
    expect(isScanSubmission(request("POST", "/api/v1/scan/"))).toBe(false);
  });
});
