import { TIERS } from "@secapi/config";
import { changeUserTier, createUserWithKey } from "@secapi/core";
import type { User } from "@secapi/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiContext } from "../context.js";
import { uuidParam } from "../http/params.js";
import { parseOr400 } from "../http/validation.js";

const createUserSchema = z
  .object({
    email: z.email().max(320),
    tier: z.enum(TIERS),
    role: z.enum(["user", "admin"]).default("user"),
  })
  .strict();
const patchUserSchema = z.object({ tier: z.enum(TIERS) }).strict();

const userView = (user: User) => ({
  id: user.id,
  email: user.email,
  tier: user.tier,
  role: user.role,
  created_at: user.created_at.toISOString(),
});

/** Admin user management; mounted behind authenticate + requireAdmin. */
export function adminUsersRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post("/users", async (req, res) => {
    const body = parseOr400(createUserSchema, req.body, "request body");
    const { user, apiKey } = await createUserWithKey(ctx.db, body);
    res.status(201).location(`/api/v1/admin/users/${user.id}`).json({ ...userView(user), api_key: apiKey });
  });

  router.patch("/users/:id", async (req, res) => {
    const id = uuidParam(req.params.id);
    const body = parseOr400(patchUserSchema, req.body, "request body");
    const user = await changeUserTier(ctx.db, id, body.tier);
    ctx.kickRelay();
    res.json(userView(user));
  });

  return router;
}
