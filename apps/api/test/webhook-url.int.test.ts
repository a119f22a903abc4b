import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "./api-fixture.js";

let api: TestApi;
let permissive: TestApi;
let admin: { id: string; key: string };

beforeAll(async () => {
  [api, permissive] = await Promise.all([TestApi.start(), TestApi.start({ WEBHOOK_ALLOW_PRIVATE: "true" })]);
  admin = await api.createUser("business", "admin");
});
afterAll(() => Promise.all([api.close(), permissive.close()]));

async function storedUser(on: TestApi, id: string) {
  return on.db.selectFrom("users").select(["tier", "webhook_url", "webhook_secret"]).where("id", "=", id).executeTakeFirstOrThrow();
}

describe("PATCH /api/v1/admin/users/:id webhook_url", () => {
  it.each([
    ["http://127.0.0.1:6379/", "127.0.0.1 is a loopback address"],
    ["http://2130706433:8000/api/v1/admin/users", "127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "127.0.0.1 is a loopback address"],
    ["http://[::1]:8000/", "::1 is a loopback address"],
    ["http://[::ffff:127.0.0.1]/", "is a loopback address"],
    ["http://localhost:8000/hook", "localhost resolves to"],
    ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254 is a link-local address"],
    ["http://metadata.google.internal/computeMetadata/v1/", "cloud metadata service"],
    ["https://10.0.0.8/hooks", "10.0.0.8 is a private address"],
    ["https://192.168.1.20/hooks", "192.168.1.20 is a private address"],
    ["http://100.100.100.200/latest/meta-data/", "carrier-grade NAT"],
    ["http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"],
    ["https://user:password@hooks.example.com/", "must not contain credentials"],
  ])("refuses %s with 422 webhook_url_forbidden and changes nothing", async (url, because) => {
    const user = await api.createUser("free");
    const response = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, {
      key: admin.key,
      body: { tier: "pro", webhook_url: url },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("webhook_url_forbidden");
    expect(response.body.error).toContain(because);
    if (!because.includes("credentials")) expect(response.body.error).toContain("WEBHOOK_ALLOW_PRIVATE=true");
    expect(response.body.webhook_secret).toBeUndefined();
    // Nothing of the request was applied: not the URL, and not the tier sent with it.
    expect(await storedUser(api, user.id)).toEqual({ tier: "free", webhook_url: null, webhook_secret: null });
  });

  it("keeps a non-http scheme a 400 validation error", async () => {
    const user = await api.createUser("free");
    const response = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, {
      key: admin.key,
      body: { webhook_url: "gopher://127.0.0.1:6379/_FLUSHALL" },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("validation_failed");
  });

  it("accepts a public address, and a host that does not resolve yet (delivery checks it again)", async () => {
    const user = await api.createUser("free");
    for (const url of ["https://93.184.215.14/hooks/secapi", "https://hooks.nowhere.invalid/secapi"]) {
      const response = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { webhook_url: url } });
      expect(response.status).toBe(200);
      expect(response.body.webhook_url).toBe(url);
      expect(response.body.webhook_secret).toMatch(/^whsec_/);
      expect((await storedUser(api, user.id)).webhook_url).toBe(url);
    }
  });

  it("accepts loopback and private targets when WEBHOOK_ALLOW_PRIVATE=true, still refusing credentials", async () => {
    const permissiveAdmin = await permissive.createUser("business", "admin");
    const user = await permissive.createUser("free");
    for (const url of ["http://localhost:8000/hook", "http://127.0.0.1:9/", "http://10.0.0.8/hooks", "http://metadata.google.internal/"]) {
      const response = await permissive.request("PATCH", `/api/v1/admin/users/${user.id}`, {
        key: permissiveAdmin.key,
        body: { webhook_url: url },
      });
      expect(response.status).toBe(200);
      expect((await storedUser(permissive, user.id)).webhook_url).toBe(url);
    }
    const credentials = await permissive.request("PATCH", `/api/v1/admin/users/${user.id}`, {
      key: permissiveAdmin.key,
      body: { webhook_url: "http://user:pw@127.0.0.1/" },
    });
    expect(credentials.status).toBe(422);
    expect(credentials.body.code).toBe("webhook_url_forbidden");
  });

  it("removes a webhook with null without any check", async () => {
    const user = await api.createUser("free");
    await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { webhook_url: "https://93.184.215.14/h" } });
    const removed = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { webhook_url: null } });
    expect(removed.status).toBe(200);
    expect(await storedUser(api, user.id)).toMatchObject({ webhook_url: null, webhook_secret: null });
  });
});
