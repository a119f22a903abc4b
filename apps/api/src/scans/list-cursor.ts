import { z } from "zod";
import { badRequest } from "../http/http-error.js";

const uuid = z.uuid();
// A cursor names a scan's created_at: after 1970 and before 10000 (a Date reaches further than a Postgres timestamp).
const LATEST_TIME = Date.UTC(10_000, 0, 1);

export interface ListCursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of the last item's (created_at, id). */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

export function decodeCursor(value: string): ListCursor {
  const [time, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const createdAt = new Date(time ?? "");
  const ms = createdAt.getTime();
  if (rest.length > 0 || !id || !uuid.safeParse(id).success || !(ms >= 0 && ms < LATEST_TIME)) {
    throw badRequest("invalid_cursor", "cursor is not one this API returned");
  }
  return { createdAt, id };
}
