import { type Dispatcher, EnvHttpProxyAgent } from "undici";

/** Proxies for outbound HTTP (image pulls, the advisory feed), as `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` name them. */
export interface OutboundProxy {
  /** For `https://` URLs; `httpProxy` when unset. */
  httpsProxy?: string;
  /** For `http://` URLs (a plain-HTTP registry or feed mirror). */
  httpProxy?: string;
  /** Comma list of hosts (`example.com`, `.example.com`, `host:port`, `*`) reached directly. */
  noProxy?: string;
}

/**
 * A dispatcher that sends each request through the proxy of its scheme (a CONNECT tunnel) unless `noProxy` names
 * its host; undefined when no proxy is set (requests go direct). Only the values given are used, never the
 * process environment: the caller's configuration read it. Give it to undici's `fetch`/`request` (Node's own
 * `fetch` bundles another undici), and close it when done.
 *
 * @example
 * const dispatcher = proxyDispatcher(config.proxy);
 * const response = await fetch(url, { ...(dispatcher && { dispatcher }) });
 */
export function proxyDispatcher(proxy: OutboundProxy | undefined): Dispatcher | undefined {
  if (!proxy?.httpsProxy && !proxy?.httpProxy) return undefined;
  // Empty strings, not undefined: undici would read the environment for a missing value.
  return new EnvHttpProxyAgent({ httpProxy: proxy.httpProxy ?? "", httpsProxy: proxy.httpsProxy ?? "", noProxy: proxy.noProxy ?? "" });
}
