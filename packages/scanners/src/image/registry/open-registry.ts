import { type OutboundProxy, proxyDispatcher } from "@secapi/toolkit";
import { normalizeRegistry } from "../image-reference.js";
import type { ImageReference } from "../image-reference.js";
import { dockerConfigPath, readDockerCredentials } from "./docker-config.js";
import { RegistryClient } from "./registry-client.js";
import { DEFAULT_REGISTRY_TIMEOUTS } from "./registry-http.js";
import type { RegistryTimeouts } from "./registry-http.js";

/** How a registry is reached: the same for a pull and for a tag's lookup at submission. */
export interface RegistryAccessOptions {
  /** `IMAGE_REGISTRY_INSECURE`: registries reached over plain HTTP. */
  insecureRegistries?: readonly string[];
  /** Docker config file with `auths` logins. Default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
  dockerConfig?: string;
  /** Per request: until headers arrive, and between body chunks. */
  timeouts?: Partial<RegistryTimeouts>;
  /** `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`: every request (token, manifests, blobs, redirects) goes through it. */
  proxy?: OutboundProxy;
}

/**
 * A client for the reference's repository with the login of the Docker config file (read now, so a new login
 * needs no restart), plain HTTP for an insecure registry, and the proxy; `close` ends the proxy's connections.
 */
export async function openRegistry(
  ref: Pick<ImageReference, "registry" | "repository">,
  options: RegistryAccessOptions,
): Promise<{ client: RegistryClient; close: () => Promise<void> }> {
  const insecure = (options.insecureRegistries ?? []).some((host) => normalizeRegistry(host.trim()) === ref.registry);
  const logins = await readDockerCredentials(options.dockerConfig ?? dockerConfigPath());
  const credentials = logins.get(ref.registry);
  const dispatcher = proxyDispatcher(options.proxy);
  const client = new RegistryClient(ref, {
    insecure,
    ...(credentials !== undefined && { credentials }),
    timeouts: { ...DEFAULT_REGISTRY_TIMEOUTS, ...options.timeouts },
    ...(dispatcher !== undefined && { dispatcher }),
  });
  // A proxy's connections are this client's own.
  return { client, close: async () => void (await dispatcher?.destroy()) };
}
