const PEM_HEADER = /^-----BEGIN [A-Z0-9 _-]{1,100}-----/;
const MAX_KEPT = 4;
const MAX_STARS = 12;

/**
 * A display form of `secret` that never contains it: at most its first 4 characters (a quarter of
 * a short one), then up to 12 `*`. A PEM block keeps only its public BEGIN line.
 */
export function redact(secret: string): string {
  const pemHeader = PEM_HEADER.exec(secret)?.[0];
  if (pemHeader !== undefined) return `${pemHeader}****`;
  const kept = Math.min(MAX_KEPT, Math.floor(secret.length / 4));
  return secret.slice(0, kept) + "*".repeat(Math.min(MAX_STARS, secret.length - kept));
}
