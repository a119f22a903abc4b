import { createRequire } from "node:module";
import express, { Router } from "express";
import { openApiDocument } from "./openapi-document.js";

const require = createRequire(import.meta.url);
// The package's entry point evaluates the whole 1.5 MB browser bundle in Node; only its location is needed.
const swaggerAssetsPath = (require("swagger-ui-dist/absolute-path.js") as () => string)();

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SecAPI — API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });</script>
</body>
</html>`;

/** `GET /openapi.json` (OpenAPI 3.1) and `GET /docs` (Swagger UI, its assets served from npm, no CDN). */
export function docsRouter(): Router {
  const router = Router();
  const document = openApiDocument();
  router.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  router.get("/docs", (_req, res) => {
    res.type("html").send(PAGE);
  });
  router.use("/docs/assets", express.static(swaggerAssetsPath, { index: false, maxAge: "1d" }));
  return router;
}
