import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { normalizeRegistry } from "../image-reference.js";

/** A registry login. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * The file where credentials are read: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (what
 * `docker login`, podman, skopeo, crane and CI actions already write).
 */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
}

/**
 * Logins by registry (`docker.io`, `ghcr.io`, `host:port`) from a Docker config file's `auths` entries: `auth`
 * (base64 `user:password`) or `username` + `password`. Keys may be URLs (`https://index.docker.io/v1/`).
 * `credsStore`/`credHelpers` (external programs) are not run. A missing or unreadable file means anonymous pulls.
 */
export async function readDockerCredentials(path: string): Promise<Map<string, RegistryCredentials>> {
  const logins = new Map<string, RegistryCredentials>();
  let config: unknown;
  try {
    config = JSON.parse(await readFile(path, "utf8"));
  } catch {
    return logins;
  }
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (typeof auths !== "object" || auths === null) return logins;
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const login = loginOf(entry);
    if (login !== undefined) logins.set(registryOfKey(key), login);
  }
  return logins;
}

function loginOf(entry: unknown): RegistryCredentials | undefined {
  const { auth, username, password } = (entry ?? {}) as { auth?: unknown; username?: unknown; password?: unknown };
  if (typeof auth === "string" && auth !== "") {
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof username === "string" && typeof password === "string") return { username, password };
  return undefined;
}

/** `https://index.docker.io/v1/` → `docker.io`; `ghcr.io` stays. */
function registryOfKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, "").split("/")[0] ?? "";
  return normalizeRegistry(host);
}
