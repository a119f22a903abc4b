import { revokeKey, userAndPrincipalTags } from "@secapi/core";
import { waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

let api: TestApi;
let user: { id: string; key: string };

beforeAll(async () => {
  api = await TestApi.start();
  user = await api.createUser("free");
});
afterAll(() => api.close());

/** Bad input must be refused with a 4xx and a clear {error, code}, leaving nothing behind. */
async function expectRefusedAndNothingStored(
  response: { status: number; body: { error?: string; code?: string } },
  status: number,
  code: string,
) {
  expect(response.status).toBe(status);
  expect(response.body.code).toBe(code);
  expect(typeof response.body.error).toBe("string");
  expect(response.body.error?.length).toBeGreaterThan(5);
  expect(await api.count("scans")).toBe(0);
  expect(await api.count("outbox")).toBe(0);
  expect(await api.count("scan_inputs")).toBe(0);
}

describe("bad input: a clear 4xx and nothing stored", () => {
  it("malformed JSON → 400", async () => {
    const response = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      rawBody: '{"type": "secrets", "input": {',
      headers: { "Content-Type": "application/json" },
    });
    await expectRefusedAndNothingStored(response, 400, "malformed_json");
  });

  it("unknown scan type → 400 naming the supported ones", async () => {
    const response = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "telepathy", input: {} } });
    await expectRefusedAndNothingStored(response, 400, "unknown_scan_type");
    expect(response.body.error).toContain("secrets");
    const alias = await api.request("POST", "/api/v1/scan/telepathy", { key: user.key, body: {} });
    await expectRefusedAndNothingStored(alias, 400, "unknown_scan_type");
  });

  it("missing fields → 400 listing them", async () => {
    const noInput = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets" } });
    await expectRefusedAndNothingStored(noInput, 400, "validation_failed");
    const noFiles = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: {} } });
    await expectRefusedAndNothingStored(noFiles, 400, "validation_failed");
    expect(noFiles.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "files" })]));
    const noContent = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: { files: [{ path: "a" }] } },
    });
    await expectRefusedAndNothingStored(noContent, 400, "validation_failed");
    expect(noContent.body.error).toContain("files.0.content");
  });

  it("extra fields → 400 naming them", async () => {
    const envelope = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: secretsInput(), priority: "high" },
    });
    await expectRefusedAndNothingStored(envelope, 400, "validation_failed");
    expect(envelope.body.error).toContain("priority");
    const nested = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: { files: [{ path: "a", content: "b", mode: "0644" }] } },
    });
    await expectRefusedAndNothingStored(nested, 400, "validation_failed");
    expect(nested.body.error).toContain("mode");
  });

  it("a body over 5 MB → 413", async () => {
    const content = "x".repeat(5 * 1024 * 1024 + 10);
    const response = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: { files: [{ path: "big.txt", content }] } },
    });
    await expectRefusedAndNothingStored(response, 413, "payload_too_large");
  });

  it("a non-JSON content type → 415", async () => {
    const response = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      rawBody: "type=secrets",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    await expectRefusedAndNothingStored(response, 415, "unsupported_media_type");
  });

  it("a non-UUID id in the path → 400, never a 500", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/scans/not-a-uuid"],
      ["GET", "/api/v1/scans/1%27%20OR%201%3D1"],
      ["DELETE", "/api/v1/scans/123"],
    ] as const) {
      const response = await api.request(method, path, { key: user.key });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("invalid_id");
    }
  });

  it("an unknown scan id → 404", async () => {
    const response = await api.request("GET", "/api/v1/scans/0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a", { key: user.key });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe("not_found");
  });

  it("?wait=999 and other bad query values → 400", async () => {
    for (const path of [
      "/api/v1/scans/0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a?wait=999",
      "/api/v1/scans/0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a?wait=-1",
      "/api/v1/scans/0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a?wait=soon",
      "/api/v1/scans?limit=1000",
      "/api/v1/scans?status=sleeping",
      "/api/v1/scans?cursor=bogus",
      "/api/v1/scans?type=telepathy",
    ]) {
      const response = await api.request("GET", path, { key: user.key });
      expect(response.status, path).toBe(400);
    }
  });

  it("a missing, unknown or revoked key → 401", async () => {
    const body = { type: "secrets", input: secretsInput() };
    await expectRefusedAndNothingStored(await api.request("POST", "/api/v1/scans", { body }), 401, "unauthorized");
    await expectRefusedAndNothingStored(
      await api.request("POST", "/api/v1/scans", { key: "sk_thisisnotakeythisisnotakeythisisnotakey00", body }),
      401,
      "unauthorized",
    );
    await expectRefusedAndNothingStored(
      await api.request("POST", "/api/v1/scans", { body, headers: { Authorization: "Basic dXNlcjpwYXNz" } }),
      401,
      "unauthorized",
    );

    const victim = await api.createUser("pro");
    expect((await api.request("GET", "/api/v1/scans", { key: victim.key })).status).toBe(200);
    expect(await revokeKey(api.db, { key: victim.key })).toBe(true);
    expect(await revokeKey(api.db, { key: victim.key })).toBe(false);
    // What the cache-worker does on the api_key.revoked event (tested in apps/cache-worker).
    await api.cache.invalidateTags(userAndPrincipalTags(victim.id));
    await waitFor(async () => (await api.count("outbox")) === 0, { what: "the revocation event to be relayed" });
    const revoked = await api.request("POST", "/api/v1/scans", { key: victim.key, body });
    await expectRefusedAndNothingStored(revoked, 401, "unauthorized");
    expect(revoked.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("accepts the key in X-API-Key too", async () => {
    const response = await api.request("GET", "/api/v1/scans", { headers: { "X-API-Key": user.key } });
    expect(response.status).toBe(200);
  });

  it("a non-admin on admin routes → 403, and nothing changes", async () => {
    const create = await api.request("POST", "/api/v1/admin/users", {
      key: user.key,
      body: { email: "intruder@example.com", tier: "business", role: "admin" },
    });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe("forbidden");
    const patch = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: user.key, body: { tier: "business" } });
    expect(patch.status).toBe(403);
    const me = await api.db.selectFrom("users").select("tier").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(me.tier).toBe("free");
  });

  it("bad admin input → 400 / 404", async () => {
    const admin = await api.createUser("business", "admin");
    const badEmail = await api.request("POST", "/api/v1/admin/users", { key: admin.key, body: { email: "nope", tier: "free" } });
    expect(badEmail.status).toBe(400);
    const badTier = await api.request("POST", "/api/v1/admin/users", { key: admin.key, body: { email: "a@b.co", tier: "gold" } });
    expect(badTier.status).toBe(400);
    const badPatch = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { tier: "free", role: "admin" } });
    expect(badPatch.status).toBe(400);
    const missing = await api.request("PATCH", "/api/v1/admin/users/0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a", {
      key: admin.key,
      body: { tier: "pro" },
    });
    expect(missing.status).toBe(404);
  });

  it("an unknown route → 404 in the error shape", async () => {
    const response = await api.request("GET", "/api/v1/nothing-here", { key: user.key });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "Route not found", code: "not_found" });
  });
});
