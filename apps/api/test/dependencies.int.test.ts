import { readFileSync } from "node:fs";
import { REPO_ROOT, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, type TestUser } from "./api-fixture.js";

const FIXTURES = `${REPO_ROOT}packages/scanners/test/fixtures`;
const fixture = (path: string) => readFileSync(`${FIXTURES}/${path}`, "utf8");
const advisory = (id: string) => JSON.parse(fixture(`osv/${id}.json`));

let api: TestApi;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  ({ api, admin, user } = await TestApi.startWithUsers("pro"));
});
afterAll(() => api.close());

describe("dependency and SBOM submissions", () => {
  it("accepts a real package-lock and queues a shared (not per-user) run", async () => {
    const response = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "dependencies", input: { lockfile: fixture("lockfiles/npm-v3.package-lock.json"), format: "package-lock.json" } },
    });
    expect(response.status).toBe(202);
    const row = await api.db.selectFrom("scans").selectAll().where("id", "=", response.body.id).executeTakeFirstOrThrow();
    expect(row.owner_scoped).toBe(false);
    expect(row.job_id?.startsWith(`dependencies-${row.input_hash}-`)).toBe(true);
  });

  it("gives the same input hash to the same dependencies in any order, and to formats that tell the same of them", async () => {
    const hashOf = async (input: unknown) => {
      const response = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "dependencies", input } });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
      return (await api.db.selectFrom("scans").select("input_hash").where("id", "=", response.body.id).executeTakeFirstOrThrow())
        .input_hash;
    };
    // A lockfile's entries in another order (package-lock's packages object reversed): one address.
    const lock = JSON.parse(fixture("lockfiles/npm-v3.package-lock.json")) as { packages: Record<string, unknown> };
    const reversed = { ...lock, packages: Object.fromEntries(Object.entries(lock.packages).reverse()) };
    expect(await hashOf({ lockfile: JSON.stringify(reversed), format: "package-lock.json" })).toBe(
      await hashOf({ lockfile: fixture("lockfiles/npm-v3.package-lock.json"), format: "package-lock.json" }),
    );
    // package-lock.json and npm-shrinkwrap.json are one format under two names.
    expect(await hashOf({ lockfile: fixture("lockfiles/npm-v3.package-lock.json"), format: "npm-shrinkwrap.json" })).toBe(
      await hashOf({ lockfile: fixture("lockfiles/npm-v3.package-lock.json"), format: "package-lock.json" }),
    );
    // A package list in any order and spelling; yarn classic (which tells nothing of direct, dev or path) like a list.
    const packages = [
      { ecosystem: "npm", name: "lodash", version: "4.17.20" },
      { ecosystem: "PyPI", name: "Jinja2", version: "3.1.2" },
    ];
    expect(await hashOf({ packages })).toBe(await hashOf({ packages: [{ ...packages[1], name: "jinja2" }, packages[0]] }));
  });

  it("accepts an SBOM on /scan/docker and /scan/sbom", async () => {
    const sbom = JSON.parse(fixture("sbom/npm.cyclonedx-1.5.json"));
    for (const route of ["docker", "image", "sbom"]) {
      const response = await api.request("POST", `/api/v1/scan/${route}`, { key: user.key, body: { image: "nginx:1.24", sbom } });
      expect(response.status, route).toBe(202);
      expect(response.body.type).toBe("sbom");
    }
  });

  it("takes an image without an SBOM as an image scan, and only an SBOM with an image as an sbom scan", async () => {
    const before = await api.count("scans");
    const misspelt = await api.request("POST", "/api/v1/scan/docker", { key: user.key, body: { image: "nginx:1.24", bom: {} } });
    expect(misspelt.status).toBe(400);
    const emptyReference = await api.request("POST", "/api/v1/scan/image", { key: user.key, body: { image: "" } });
    expect(emptyReference.status).toBe(400);
    expect(await api.count("scans")).toBe(before);
  });

  it.each([
    [{ lockfile: "{ nope", format: "package-lock.json" }, 422, "lockfile_malformed"],
    [{ lockfile: "lockfileVersion: '99.0'\npackages: {}\n", format: "pnpm-lock.yaml" }, 422, undefined],
    [{ lockfile: "{}", format: "Podfile.lock" }, 422, "unsupported_format"],
    [{ packages: [{ ecosystem: "npm", name: "lodash" }] }, 400, "validation_failed"],
    [{ packages: [{ ecosystem: "Hex", name: "x", version: "1" }] }, 422, "unsupported_ecosystem"],
  ])("refuses unusable input %j with %i", async (input, status, code) => {
    const before = await api.count("scans");
    const response = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "dependencies", input } });
    expect(response.status).toBe(status);
    if (code) expect(response.body.code).toBe(code);
    expect(response.body.error.length).toBeGreaterThan(10);
    expect(await api.count("scans")).toBe(before);
  });

  it("refuses a malformed SBOM with 422", async () => {
    const response = await api.request("POST", "/api/v1/scan/sbom", {
      key: user.key,
      body: { sbom: { bomFormat: "CycloneDX", components: "x" } },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toMatch(/^sbom_/);
  });
});

describe("POST /api/v1/admin/advisories", () => {
  it("stores an array of advisories and emits advisories.updated with the package names", async () => {
    const response = await api.request("POST", "/api/v1/admin/advisories", {
      key: admin.key,
      body: [advisory("GHSA-35jh-r3h4-6jhm"), advisory("GHSA-j8r2-6x86-q33q")],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: 2, imported: 2, unchanged: 0 });
    const events = await waitFor(async () => {
      const jobs = (await api.queues.events.getJobs(["waiting"])).filter((j) => j.name === "advisories.updated");
      return jobs.length >= 2 ? jobs : undefined;
    });
    const byEcosystem = Object.fromEntries(events.map((j) => [j.data.data.ecosystem, j.data.data.packages]));
    expect(byEcosystem).toEqual({ npm: ["lodash", "lodash-es"], PyPI: ["requests"] });
  });

  it("stores nothing if any advisory is invalid (422 naming it)", async () => {
    const response = await api.request("POST", "/api/v1/admin/advisories", {
      key: admin.key,
      body: [advisory("GHSA-72xf-g2v4-qvf3"), { id: "BROKEN-1", modified: "yesterday", affected: 7 }],
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("advisory_invalid");
    expect(response.body.issues).toEqual([expect.objectContaining({ source: "[1]" })]);
    const stored = await api.db.selectFrom("advisories").select("id").where("id", "=", "GHSA-72xf-g2v4-qvf3").execute();
    expect(stored).toEqual([]);
  });

  it("refuses a non-array body (400) and non-admins (403)", async () => {
    expect((await api.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: { id: "x" } })).status).toBe(400);
    expect((await api.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: [] })).status).toBe(400);
    expect((await api.request("POST", "/api/v1/admin/advisories", { key: user.key, body: [advisory("GHSA-72xf-g2v4-qvf3")] })).status).toBe(
      403,
    );
  });
});
