import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dockerConfigPath, readDockerCredentials } from "./docker-config.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "secapi-docker-config-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("readDockerCredentials", () => {
  it("reads auths entries by registry: auth (base64 user:password, colons kept in the password) or username/password", async () => {
    const file = join(dir, "config.json");
    await writeFile(
      file,
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: base64("hubuser:hub:pass") },
          "ghcr.io": { auth: base64("gh:token") },
          "http://localhost:5000": { username: "local", password: "pw" },
          "quay.io": { identitytoken: "not-used" },
          "bad.example": { auth: base64("no-colon") },
        },
        credsStore: "desktop",
      }),
    );
    const logins = await readDockerCredentials(file);
    expect(Object.fromEntries(logins)).toEqual({
      "docker.io": { username: "hubuser", password: "hub:pass" },
      "ghcr.io": { username: "gh", password: "token" },
      "localhost:5000": { username: "local", password: "pw" },
    });
  });

  it("means anonymous pulls when the file is missing or not JSON", async () => {
    expect((await readDockerCredentials(join(dir, "missing.json"))).size).toBe(0);
    await writeFile(join(dir, "broken.json"), "{not json");
    expect((await readDockerCredentials(join(dir, "broken.json"))).size).toBe(0);
  });

  it("finds the file in $DOCKER_CONFIG, else ~/.docker", () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: "/etc/secapi/docker" })).toBe("/etc/secapi/docker/config.json");
    expect(dockerConfigPath({})).toMatch(/\.docker\/config\.json$/);
  });
});
