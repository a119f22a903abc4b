import { type Dispatcher, EnvHttpProxyAgent } from "undici";

/** Proxies for registry requests, as `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` name them. */
export interface RegistryProxy {
  /** For `https://` registries (and their token services and blob storage); `httpProxy` when unset. */
  httpsProxy?: string;
  /** For plain-HTTP registries (`IMAGE_REGISTRY_INSECURE`). */
  httpProxy?: string;
  /** Comma list of hosts (`example.com`, `.example.com`, `host:port`, `*`) reached directly. */
  noProxy?: string;
}

/**
 * A dispatcher that sends each request through the proxy of its scheme (a CONNECT tunnel) unless `noProxy` names
 * its host; undefined when no proxy is set (requests go direct). Only the values given are used, never the
 * process environment: the caller's configuration read it. Close it when done.
 */
export function registryDispatcher(proxy: RegistryProxy | undefined): Dispatcher | undefined {
  if (!proxy?.httpsProxy && !proxy?.httpProxy) return undefined;
  // Empty strings, not undefined: undici would read the environment for a missing value.
  return new EnvHttpProxyAgent({ httpProxy: proxy.httpProxy ?? "", httpsProxy: proxy.httpsProxy ?? "", noProxy: proxy.noProxy ?? "" });
}
