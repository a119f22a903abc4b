/** An error with an HTTP status and a stable snake_case code; rendered as `{error, code, ...details}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) => new HttpError(400, code, message, details);
export const unauthorized = (message = "A valid API key is required (Authorization: Bearer <key> or X-API-Key)") =>
  new HttpError(401, "unauthorized", message, {}, { "WWW-Authenticate": 'Bearer realm="secapi"' });
export const forbidden = (message = "This route is for administrators") => new HttpError(403, "forbidden", message);
export const notFound = (what = "Resource") => new HttpError(404, "not_found", `${what} not found`);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new HttpError(422, code, message, details);
export const unavailable = (code: string, message: string) => new HttpError(503, code, message, {}, { "Retry-After": "5" });
