import { badRequest } from "../http/http-error.js";

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
  if (rest.length > 0 || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw badRequest("invalid_cursor", "cursor is not one this API returned");
  }
  return { createdAt, id };
}
