import { SCAN_TYPES, type ScanTypeDefinition, resolveScanType } from "@secapi/core";
import { deleteScanForUser, findScanForUser, listScansForUser } from "@secapi/db";
import { createEvent, eventMessage, writeOutbox } from "@secapi/events";
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { ApiContext } from "../context.js";
import { badRequest, notFound, unprocessable } from "../http/http-error.js";
import { uuidParam } from "../http/params.js";
import { parseOr400 } from "../http/validation.js";
import { principalOf } from "../middleware/authenticate.js";
import { decodeCursor, encodeCursor } from "../scans/list-cursor.js";
import { scanView } from "@secapi/core";
import { submitScan } from "../scans/submit-scan.js";

/** DESIGN.md: `?wait=N` holds a poll for at most 30 s. */
export const MAX_WAIT_SECONDS = 30;

const envelopeSchema = z.object({ type: z.string().min(1), input: z.unknown() }).strict();
const getQuerySchema = z.object({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).optional() });
const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  status: z.enum(["queued", "running", "completed", "failed"]).optional(),
  type: z.string().max(64).optional(),
});
const idempotencyKeySchema = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

function scanTypeOr400(name: string): ScanTypeDefinition {
  const type = resolveScanType(name);
  if (!type) {
    throw badRequest("unknown_scan_type", `Unknown scan type "${name}"; supported: ${Object.keys(SCAN_TYPES).join(", ")}`);
  }
  return type;
}

function idempotencyKeyOf(req: Request): string | undefined {
  const header = req.get("Idempotency-Key");
  return header === undefined ? undefined : parseOr400(idempotencyKeySchema, header, "Idempotency-Key header");
}

/** Scan submission, polling, listing and deletion (DESIGN.md "HTTP API"). */
export function scansRouter(ctx: ApiContext): Router {
  const router = Router();

  async function respondToSubmission(req: Request, res: Response, type: ScanTypeDefinition, input: unknown) {
    const hint = type.missingInputHint?.(input);
    if (hint) throw unprocessable("sbom_required", hint);
    const validInput = parseOr400(type.inputSchema, input, `${type.name} input`);
    const outcome = await submitScan(ctx.db, ctx.config.scanInputKey, {
      principal: principalOf(req),
      type,
      canonicalInput: type.canonicalize(validInput),
      idempotencyKey: idempotencyKeyOf(req),
    });
    if (!outcome.replayed) ctx.kickRelay();
    res.set(outcome.headers);
    if (outcome.replayed) res.set("Idempotent-Replayed", "true");
    res.status(outcome.status).json(outcome.body);
  }

  router.post("/scans", async (req, res) => {
    const envelope = parseOr400(envelopeSchema, req.body, "request body");
    await respondToSubmission(req, res, scanTypeOr400(envelope.type), envelope.input);
  });

  router.post("/scan/:type", async (req, res) => {
    await respondToSubmission(req, res, scanTypeOr400(req.params.type ?? ""), req.body);
  });

  router.get("/scans", async (req, res) => {
    const query = parseOr400(listQuerySchema, req.query, "query");
    if (query.type !== undefined) scanTypeOr400(query.type);
    const principal = principalOf(req);
    const rows = await listScansForUser(ctx.db, principal.userId, {
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      status: query.status,
      scanType: query.type === undefined ? undefined : resolveScanType(query.type)?.name,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    res.json({
      items: page.map((row) => scanView(row, { summary: row.summary })),
      next_cursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
    });
  });

  router.get("/scans/:id", async (req, res) => {
    const id = uuidParam(req.params.id);
    const { wait = 0 } = parseOr400(getQuerySchema, req.query, "query");
    const { userId } = principalOf(req);
    let scan = await findScanForUser(ctx.db, id, userId);
    if (!scan) throw notFound("Scan");

    // Wake on the run's notification, or every second to re-check (a notification can be lost).
    const deadline = Date.now() + wait * 1000;
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    const inFlight = () => scan?.status === "queued" || scan?.status === "running";
    while (inFlight() && scan.job_id && Date.now() < deadline && ctx.scanWaiter.open) {
      await ctx.scanWaiter.wait(scan.job_id, Math.min(1000, deadline - Date.now()), abort.signal);
      if (abort.signal.aborted) return;
      scan = await findScanForUser(ctx.db, id, userId);
      if (!scan) throw notFound("Scan");
    }

    if (inFlight()) res.set("Retry-After", "1");
    res.json(scanView(scan, { result: scan.result }));
  });

  router.delete("/scans/:id", async (req, res) => {
    const id = uuidParam(req.params.id);
    const { userId } = principalOf(req);
    const deleted = await ctx.db.transaction().execute(async (tx) => {
      const row = await deleteScanForUser(tx, id, userId);
      if (row) await writeOutbox(tx, [eventMessage(createEvent("scan.deleted", { scanId: id, userId }))]);
      return row;
    });
    if (!deleted) throw notFound("Scan");
    ctx.kickRelay();
    res.status(204).end();
  });

  return router;
}
