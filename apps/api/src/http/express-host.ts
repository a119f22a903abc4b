import http from "node:http";
import express, { type Express } from "express";

type HostClasses = http.ServerOptions<typeof http.IncomingMessage, typeof http.ServerResponse>;

const hostClasses = new WeakMap<Express, HostClasses>();

/**
 * An express app whose requests and responses can be constructed with express's prototypes already in
 * place (serve it with `serveExpressApp`).
 *
 * Express hands every request to `app.handle`, which moves `req` and `res` onto its own prototypes with
 * `Object.setPrototypeOf`. Changing the prototype of a live object gives it a new hidden class, so every
 * inline cache in node's HTTP code and in the router that sees those objects goes megamorphic: measured
 * here, that swap cost more CPU per request than all of SecAPI's own work on a cache hit (docs/PERFORMANCE.md).
 * When node's server constructs them from subclasses whose prototypes are the app's, the swap finds the
 * prototype already set and changes nothing. Served any other way (`app.listen`, a test's own server), the
 * app behaves exactly as usual.
 */
export function createExpressApp(): Express {
  const app = express();
  class ExpressRequest extends http.IncomingMessage {}
  class ExpressResponse extends http.ServerResponse {}
  // Done once, at start: request -> ExpressRequest.prototype -> the app's request -> express's -> node's.
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  app.request = ExpressRequest.prototype as unknown as Express["request"];
  app.response = ExpressResponse.prototype as unknown as Express["response"];
  hostClasses.set(app, { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse as typeof http.ServerResponse });
  return app;
}

/**
 * An HTTP server for `app` (not yet listening) that constructs requests and responses of the app's own classes;
 * `options` are node's (timeouts).
 */
export function serveExpressApp(app: Express, options: http.ServerOptions = {}): http.Server {
  return http.createServer({ ...options, ...hostClasses.get(app) }, app);
}
