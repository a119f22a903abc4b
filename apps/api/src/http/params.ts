import { z } from "zod";
import { badRequest } from "./http-error.js";

const uuid = z.uuid();

/** A path id that must be a UUID: anything else is a 400, never a database error. */
export function uuidParam(value: string | undefined, name = "id"): string {
  if (value === undefined || !uuid.safeParse(value).success) {
    throw badRequest("invalid_id", `${name} must be a UUID`);
  }
  return value;
}
