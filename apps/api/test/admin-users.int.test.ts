import { waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "./api-fixture.js";

let api: TestApi;
let admin: { id: string; key: string };

beforeAll(async () => {
  api = await TestApi.start();
  admin = await api.createUser("business", "admin");
});
afterAll(() => api.close());

describe("admin users", () => {
  it("creates a user whose key, shown once, works at once and is stored only as a hash", async () => {
    const created = await api.request("POST", "/api/v1/admin/users", {
      key: admin.key,
      body: { email: "Dev@Example.com", tier: "starter" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: "Dev@Example.com", tier: "starter", role: "user" });
    expect(created.body.api_key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(created.headers.get("location")).toBe(`/api/v1/admin/users/${created.body.id}`);
    expect((await api.request("GET", "/api/v1/scans", { key: created.body.api_key })).status).toBe(200);

    const stored = await api.db.selectFrom("api_keys").selectAll().where("user_id", "=", created.body.id).execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(created.body.api_key);
    expect(created.body.api_key.startsWith(stored[0]?.prefix ?? "x")).toBe(true);
  });

  it("refuses a second user with the same email in any case (409)", async () => {
    await api.request("POST", "/api/v1/admin/users", { key: admin.key, body: { email: "twin@example.com", tier: "free" } });
    const again = await api.request("POST", "/api/v1/admin/users", { key: admin.key, body: { email: "TWIN@example.com", tier: "free" } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("user_exists");
  });

  it("creates admins when asked, and they can use admin routes", async () => {
    const created = await api.request("POST", "/api/v1/admin/users", {
      key: admin.key,
      body: { email: "ops@example.com", tier: "pro", role: "admin" },
    });
    expect(created.body.role).toBe("admin");
    const patch = await api.request("PATCH", `/api/v1/admin/users/${created.body.id}`, {
      key: created.body.api_key,
      body: { tier: "business" },
    });
    expect(patch.status).toBe(200);
  });

  it("changes a tier, effective on the user's next request, and emits user.tier_changed once", async () => {
    const user = await api.createUser("free");
    const patch = await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { tier: "pro" } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ id: user.id, tier: "pro" });
    const principal = await api.db.selectFrom("users").select("tier").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(principal.tier).toBe("pro");

    const event = await waitFor(async () =>
      (await api.queues.events.getJobs(["waiting"])).find((j) => j.name === "user.tier_changed" && j.data.data.userId === user.id),
    );
    expect(event.data.data).toEqual({ userId: user.id, from: "free", to: "pro" });

    // Setting the same tier again changes nothing and emits nothing: by the time the event of a later change
    // has arrived, an event of that one would have too.
    await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { tier: "pro" } });
    await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { tier: "business" } });
    const changes = async () =>
      (await api.queues.events.getJobs(["waiting"])).filter((j) => j.name === "user.tier_changed" && j.data.data.userId === user.id);
    await waitFor(async () => (await changes()).some((j) => j.data.data.to === "business"), { what: "the later change's event" });
    expect((await changes()).map((j) => `${j.data.data.from}->${j.data.data.to}`).sort()).toEqual(["free->pro", "pro->business"]);
  });
});
