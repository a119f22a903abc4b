import { revokeKey, userAndPrincipalTags } from "@secapi/core";
import { ECOSYSTEMS, LOCKFILE_FORMATS } from "@secapi/scanners";
import { waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { toHttpError } from "../src/middleware/error-handler.js";
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
  expect(await api.queues.scans.count()).toBe(0);
}

type Refusal = { status: number; body: { error?: string; code?: string; issues?: { path: string; message: string }[] } };

/** Submits `input` on both routes; both must refuse it the same way, naming the same paths. */
async function submitBothWays(type: string, input: unknown): Promise<Refusal> {
  const envelope = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type, input } });
  const direct = await api.request("POST", `/api/v1/scan/${type}`, { key: user.key, body: input });
  const comparable = (r: Refusal) => ({ status: r.status, code: r.body.code, issues: r.body.issues });
  expect(comparable(direct)).toEqual(comparable(envelope));
  return direct;
}

const pkg = (ecosystem: string, name = "lodash") => ({ ecosystem, name, version: "4.17.20" });
const cycloneDx = (...purls: string[]) => ({
  sbom: { bomFormat: "CycloneDX", specVersion: "1.5", components: purls.map((purl, i) => ({ type: "library", name: `c${i}`, purl })) },
});
const packageLock = (name: string) =>
  JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app" }, [`node_modules/${name}`]: { version: "1.0.0" } } });

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
    expect(noFiles.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "input.files" })]));
    const noContent = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: { files: [{ path: "a" }] } },
    });
    await expectRefusedAndNothingStored(noContent, 400, "validation_failed");
    expect(noContent.body.error).toContain("input.files[0].content: required");
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
    const badPatch = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, {
      key: admin.key,
      body: { tier: "free", role: "admin" },
    });
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

describe("input that can never be stored fails at submission, not in the worker", () => {
  it("a NUL in a package name → 400 naming it", async () => {
    const response = await submitBothWays("dependencies", { packages: [pkg("npm"), pkg("npm", "a\u0000b")] });
    await expectRefusedAndNothingStored(response, 400, "validation_failed");
    expect(response.body.issues).toEqual([
      { path: "input.packages[1].name", message: expect.stringMatching(/^contains U\+0000 \(NUL\) at character 2/) },
    ]);
  });

  it("an unpaired surrogate in a package name → 400 naming it", async () => {
    const response = await submitBothWays("dependencies", { packages: [pkg("npm", "lodash\ud800")] });
    await expectRefusedAndNothingStored(response, 400, "validation_failed");
    expect(response.body.issues).toEqual([
      { path: "input.packages[0].name", message: expect.stringMatching(/unpaired UTF-16 surrogate \(U\+D800\)/) },
    ]);
  });

  it("a NUL in a lockfile's text → 400; one decoded from an escape inside it → 422 naming the entry", async () => {
    const raw = await submitBothWays("dependencies", { lockfile: "flask==2.0.1\n\u0000", format: "requirements.txt" });
    await expectRefusedAndNothingStored(raw, 400, "validation_failed");
    expect(raw.body.issues).toEqual([
      { path: "input.lockfile", message: expect.stringMatching(/^contains U\+0000 \(NUL\) at character 14/) },
    ]);

    const decoded = await submitBothWays("dependencies", { lockfile: packageLock("left\u0000pad"), format: "package-lock.json" });
    await expectRefusedAndNothingStored(decoded, 422, "input_unstorable");
    expect(decoded.body.error).toContain('"name" of {"ecosystem":"npm","name":"left\\u0000pad","version":"1.0.0"');
  });

  it("a NUL in an SBOM purl: percent-encoded → 422, raw → 400 naming the component", async () => {
    const encoded = await submitBothWays("sbom", cycloneDx("pkg:npm/lodash@4.17.20", "pkg:npm/%00@1"));
    await expectRefusedAndNothingStored(encoded, 422, "input_unstorable");
    expect(encoded.body.error).toContain('"name" of {"ecosystem":"npm","name":"\\u0000","version":"1"}');

    const raw = await submitBothWays("sbom", cycloneDx("pkg:npm/lodash@4.17.20", "pkg:npm/\u0000@1"));
    await expectRefusedAndNothingStored(raw, 400, "validation_failed");
    expect(raw.body.issues).toEqual([{ path: "input.sbom.components[1].purl", message: expect.stringMatching(/U\+0000/) }]);
  });

  it("a NUL or unpaired surrogate in a secrets path or content → 400 naming where, never echoing the content", async () => {
    const secret = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
    const response = await submitBothWays("secrets", {
      files: [
        { path: "ok.env", content: `TOKEN=${secret}` },
        { path: "bad\u0000.env", content: "x" },
        { path: "bin.dat", content: `${secret}\u0000` },
        { path: "utf16.txt", content: `${secret}\udc00` },
      ],
    });
    await expectRefusedAndNothingStored(response, 400, "validation_failed");
    expect(response.body.issues?.map((i) => i.path)).toEqual(["input.files[1].path", "input.files[2].content", "input.files[3].content"]);
    expect(JSON.stringify(response.body)).not.toContain(secret);
  });

  it("a NUL anywhere else in a request body → 400, e.g. in an advisory (nothing stored)", async () => {
    const admin = await api.createUser("business", "admin");
    const advisory = { id: "GHSA-nul0-0000-0000", modified: "2024-01-01T00:00:00Z", summary: "bad\u0000summary", affected: [] };
    const response = await api.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: [advisory] });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("validation_failed");
    expect(response.body.issues).toEqual([{ path: "[0].summary", message: expect.stringMatching(/U\+0000/) }]);
    expect(await api.db.selectFrom("advisories").select("id").execute()).toEqual([]);
  });
});

describe("validation errors say what is wrong and where, for every scan type", () => {
  it.each([
    ["dependencies", { package: [pkg("npm")] }, { path: "input", message: 'unknown field "package" (did you mean "packages"?)' }],
    ["sbom", { SBOM: cycloneDx().sbom }, { path: "input", message: 'unknown field "SBOM" (did you mean "sbom"?)' }],
    ["secrets", { file: [{ path: "a", content: "b" }] }, { path: "input", message: 'unknown field "file" (did you mean "files"?)' }],
  ])("%s: a misspelt field is named, with the one it meant", async (type, input, issue) => {
    const response = await submitBothWays(type, input);
    await expectRefusedAndNothingStored(response, 400, "validation_failed");
    expect(response.body.issues).toContainEqual(issue);
    expect(response.body.error).toContain(`${issue.path}: ${issue.message}`);
  });

  it("dependencies: the wrong case of an ecosystem is an unsupported one, named at its path, with the right spelling", async () => {
    const response = await submitBothWays("dependencies", { packages: [pkg("npm"), pkg("Go"), pkg("crates.io"), pkg("pypi")] });
    await expectRefusedAndNothingStored(response, 422, "unsupported_ecosystem");
    expect(response.body.issues).toEqual([
      { path: "input.packages[3].ecosystem", message: `"pypi" is not one of ${ECOSYSTEMS.join(", ")}; did you mean "PyPI"?` },
    ]);
  });

  it("dependencies: an unsupported ecosystem and an unsupported lockfile format are 422s listing what is supported", async () => {
    const ecosystem = await submitBothWays("dependencies", { packages: [pkg("CocoaPods")] });
    await expectRefusedAndNothingStored(ecosystem, 422, "unsupported_ecosystem");
    expect(ecosystem.body.issues).toEqual([
      { path: "input.packages[0].ecosystem", message: `"CocoaPods" is not supported; supported: ${ECOSYSTEMS.join(", ")}` },
    ]);
    expect(ecosystem.body.error).toContain(`supported: ${ECOSYSTEMS.join(", ")}`);
    const format = await submitBothWays("dependencies", { lockfile: "{}", format: "mix.lock" });
    await expectRefusedAndNothingStored(format, 422, "unsupported_format");
    expect(format.body.issues).toEqual([
      { path: "input.format", message: `"mix.lock" is not supported; supported: ${LOCKFILE_FORMATS.join(", ")}` },
    ]);
    expect(format.body.error).toContain(`supported: ${LOCKFILE_FORMATS.join(", ")}`);
  });

  it("dependencies: an unsupported ecosystem beside a malformed package is a 400 listing both", async () => {
    const response = await submitBothWays("dependencies", { packages: [pkg("CocoaPods"), { ecosystem: "npm", name: "a" }] });
    await expectRefusedAndNothingStored(response, 400, "validation_failed");
    expect(response.body.issues).toEqual([
      expect.objectContaining({ path: "input.packages[0].ecosystem" }),
      expect.objectContaining({ path: "input.packages[1].version" }),
    ]);
  });

  it("dependencies: fields of both forms at once are refused, naming the forms", async () => {
    const response = await submitBothWays("dependencies", { packages: [pkg("npm")], lockfile: "{}", format: "yarn.lock" });
    await expectRefusedAndNothingStored(response, 400, "validation_failed");
    expect(response.body.error).toContain('send "packages", or "lockfile" and "format"');
  });

  it("sbom and secrets: wrong types are named at their paths", async () => {
    const sbom = await submitBothWays("sbom", { sbom: [], image: 7 });
    await expectRefusedAndNothingStored(sbom, 400, "validation_failed");
    expect(sbom.body.issues).toEqual([
      { path: "input.sbom", message: "expected object, received array" },
      { path: "input.image", message: "expected string, received number" },
    ]);
    const secrets = await submitBothWays("secrets", { files: [{ path: "a.txt", content: 42 }] });
    await expectRefusedAndNothingStored(secrets, 400, "validation_failed");
    expect(secrets.body.issues).toEqual([{ path: "input.files[0].content", message: "expected string, received number" }]);
  });

  it("the other routes name paths and suggest too", async () => {
    const admin = await api.createUser("business", "admin");
    const tier = await api.request("POST", "/api/v1/admin/users", { key: admin.key, body: { email: "x@example.com", tier: "Pro" } });
    expect(tier.status).toBe(400);
    expect(tier.body.issues).toEqual([{ path: "tier", message: '"Pro" is not one of free, starter, pro, business; did you mean "pro"?' }]);
    const status = await api.request("GET", "/api/v1/scans?status=done", { key: user.key });
    expect(status.status).toBe(400);
    expect(status.body.issues).toEqual([
      { path: "status", message: '"done" is not supported; supported: queued, running, completed, failed' },
    ]);
    const envelope = await api.request("POST", "/api/v1/scans", { key: user.key, body: { typ: "secrets", input: {} } });
    await expectRefusedAndNothingStored(envelope, 400, "validation_failed");
    expect(envelope.body.issues).toContainEqual({ path: "(body)", message: 'unknown field "typ" (did you mean "type"?)' });
    const idempotency = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: secretsInput() },
      headers: { "Idempotency-Key": "has spaces" },
    });
    await expectRefusedAndNothingStored(idempotency, 400, "validation_failed");
    expect(idempotency.body.issues).toEqual([{ path: "Idempotency-Key", message: "printable ASCII without spaces" }]);
  });
});

describe("a NUL or another value Postgres refuses, in a path or a query → a clear 4xx, never a 500", () => {
  let caller: { id: string; key: string };
  let admin: { id: string; key: string };
  beforeAll(async () => {
    // Many requests: tiers whose request limit they stay under.
    caller = await api.createUser("business");
    admin = await api.createUser("business", "admin");
  });

  const SCAN = "0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a";
  /** Every route with a path parameter, with a NUL in that parameter, alone and inside a plausible value. */
  const PATH_CASES: Array<{ method: string; path: string; admin?: boolean; status: number; code: string }> = [
    { method: "GET", path: "/api/v1/advisories/%00", status: 400, code: "malformed_url" },
    { method: "GET", path: "/api/v1/advisories/GHSA-%00-0001", status: 400, code: "malformed_url" },
    { method: "GET", path: "/api/v1/scans/%00", status: 400, code: "malformed_url" },
    { method: "GET", path: `/api/v1/scans/${SCAN}%00`, status: 400, code: "malformed_url" },
    { method: "DELETE", path: "/api/v1/scans/%00", status: 400, code: "malformed_url" },
    { method: "POST", path: "/api/v1/scan/%00", status: 400, code: "malformed_url" },
    { method: "POST", path: "/api/v1/scan/secrets%00", status: 400, code: "malformed_url" },
    { method: "PATCH", path: "/api/v1/admin/users/%00", admin: true, status: 400, code: "malformed_url" },
    { method: "DELETE", path: "/api/v1/cache/tags/%00", admin: true, status: 400, code: "malformed_url" },
    { method: "DELETE", path: "/api/v1/cache/tags/pkg:npm/lodash%00", admin: true, status: 400, code: "malformed_url" },
    // Not a NUL, but not an advisory id either: refused before the query.
    { method: "GET", path: "/api/v1/advisories/%C3%A9t%C3%A9", status: 400, code: "invalid_id" },
    { method: "GET", path: "/api/v1/advisories/GHSA%20x", status: 400, code: "invalid_id" },
    { method: "GET", path: "/api/v1/advisories/%0A", status: 400, code: "invalid_id" },
  ];

  it.each(PATH_CASES)("$method $path → $status $code", async ({ method, path, admin: asAdmin, status, code }) => {
    const response = await api.request(method, path, {
      key: asAdmin ? admin.key : caller.key,
      body: method === "POST" || method === "PATCH" ? { tier: "pro" } : undefined,
    });
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.error.length).toBeGreaterThan(10);
  });

  const cursorOf = (text: string) => Buffer.from(text, "utf8").toString("base64url");
  /** Query values that reach SQL: filters, the cursor (opaque, so anything may be sent), the wait. */
  const QUERY_CASES: Array<{ path: string; code: string }> = [
    { path: "/api/v1/scans?type=%00", code: "malformed_url" },
    { path: "/api/v1/scans?type=secrets%00", code: "malformed_url" },
    { path: "/api/v1/scans?label.project=%00", code: "malformed_url" },
    { path: "/api/v1/scans?label.project=web%00x", code: "malformed_url" },
    { path: "/api/v1/scans?status=%00", code: "malformed_url" },
    { path: `/api/v1/scans?cursor=${cursorOf("2026-01-01T00:00:00.000Z|\u0000")}`, code: "invalid_cursor" },
    { path: `/api/v1/scans?cursor=${cursorOf(`2026-01-01T00:00:00.000Z|${"-".repeat(36)}`)}`, code: "invalid_cursor" },
    { path: `/api/v1/scans?cursor=${cursorOf(`+275760-09-13T00:00:00.000Z|${SCAN}`)}`, code: "invalid_cursor" },
    { path: `/api/v1/scans/${SCAN}?wait=%00`, code: "malformed_url" },
    { path: "/api/v1/advisories/status?ecosystem=%00", code: "malformed_url" },
    { path: "/api/v1/usage?x=%00", code: "malformed_url" },
  ];

  it.each(QUERY_CASES)("GET $path → 400 $code", async ({ path, code }) => {
    const response = await api.request("GET", path, { key: caller.key });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe(code);
  });

  it("a value that validation lets through and Postgres refuses (SQLSTATE class 22) → 400 invalid_value", async () => {
    const refusals = await Promise.all(
      [
        api.db.selectFrom("scans").select("id").where("id", "=", "not-a-uuid").execute(),
        // A bound text parameter is cut at a NUL (Postgres reads it as a C string); jsonb refuses its escape outright.
        sql`SELECT ${JSON.stringify({ label: "a\u0000b" })}::jsonb`.execute(api.db),
        api.db
          .selectFrom("scans")
          .select("id")
          .where("created_at", ">", new Date(Date.UTC(300_000, 0, 1)))
          .execute(),
      ].map((query) =>
        query.then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    const answers = refusals.map((error) => {
      const known = toHttpError(error);
      return { status: known?.status, code: known?.code, message: known?.message };
    });
    expect(answers).toEqual([
      { status: 400, code: "invalid_value", message: expect.stringMatching(/not valid for its type/) },
      { status: 400, code: "invalid_value", message: expect.stringMatching(/NUL character/) },
      { status: 400, code: "invalid_value", message: expect.stringMatching(/^A value in the request /) },
    ]);
  });

  it("stores nothing and leaves the API answering", async () => {
    expect(await api.count("scans")).toBe(0);
    expect((await api.request("GET", "/api/v1/scans", { key: caller.key })).status).toBe(200);
  });
});
