import { TIERS } from "@secapi/config";
import {
  UserNotFoundError,
  WebhookHostUnresolvedError,
  WebhookTargetForbiddenError,
  changeUserTier,
  createUserWithKey,
  generateWebhookSecret,
  resolveWebhookTarget,
  userAndPrincipalTags,
} from "@secapi/core";
import { type User, updateUserWebhook } from "@secapi/db";
import { type Request, Router } from "express";
import { z } from "zod";
import type { ApiContext } from "../context.js";
import { jsonBodyOf } from "../middleware/json-body.js";
import { unprocessable } from "../http/http-error.js";
import { uuidParam } from "../http/params.js";
import { parseOr400 } from "../http/validation.js";

const createUserSchema = z
  .object({
    email: z.email().max(320),
    tier: z.enum(TIERS),
    role: z.enum(["user", "admin"]).default("user"),
  })
  .strict();
const webhookUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2048)
  .nullable();
const patchUserSchema = z
  .object({ tier: z.enum(TIERS).optional(), webhook_url: webhookUrl.optional() })
  .strict()
  .refine((body) => body.tier !== undefined || body.webhook_url !== undefined, "send tier and/or webhook_url");

const userView = (user: User) => ({
  id: user.id,
  email: user.email,
  tier: user.tier,
  role: user.role,
  webhook_url: user.webhook_url,
  created_at: user.created_at.toISOString(),
});

/**
 * Refuses (422) a webhook URL that is, or resolves to, an address SecAPI must not call. The scan-worker checks
 * again at every delivery (DNS may change); a host that does not resolve now is accepted and judged then.
 */
async function checkWebhookUrl(ctx: ApiContext, req: Request, url: string): Promise<void> {
  try {
    await resolveWebhookTarget(url, { allowPrivate: ctx.config.webhookAllowPrivate });
  } catch (error) {
    if (error instanceof WebhookTargetForbiddenError) throw unprocessable(error.code, error.message);
    if (!(error instanceof WebhookHostUnresolvedError)) throw error;
    req.log.info({ reason: error.message }, "webhook host does not resolve yet; deliveries will check it");
  }
}

/** Admin user management; mounted behind authenticate + requireAdmin. */
export function adminUsersRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post("/users", async (req, res) => {
    const body = parseOr400(createUserSchema, jsonBodyOf(req), "request body");
    const { user, apiKey } = await createUserWithKey(ctx.db, body);
    res
      .status(201)
      .location(`/api/v1/admin/users/${user.id}`)
      .json({ ...userView(user), api_key: apiKey });
  });

  router.patch("/users/:id", async (req, res) => {
    const id = uuidParam(req.params.id);
    const body = parseOr400(patchUserSchema, jsonBodyOf(req), "request body");
    if (body.webhook_url) await checkWebhookUrl(ctx, req, body.webhook_url);
    let user = body.tier === undefined ? undefined : await changeUserTier(ctx.db, id, body.tier);
    let webhookSecret: string | undefined;
    if (body.webhook_url !== undefined) {
      webhookSecret = body.webhook_url === null ? undefined : generateWebhookSecret();
      user = await updateUserWebhook(ctx.db, id, body.webhook_url === null ? null : { url: body.webhook_url, secret: webhookSecret ?? "" });
      if (!user) throw new UserNotFoundError(id);
    }
    ctx.kickRelay();
    // The user's next request must see the change: drop their cached principal now rather than wait for
    // the cache-worker to act on the event (which still covers a cache Redis that is down right now).
    await ctx.cache
      .invalidateTags(userAndPrincipalTags(id))
      .catch((error: unknown) => req.log.warn({ err: error }, "could not invalidate the user's cached principal"));
    // The signing secret is shown once, when the URL is set; setting the URL again rotates it.
    res.json({ ...userView(user as User), ...(webhookSecret && { webhook_secret: webhookSecret }) });
  });

  return router;
}
