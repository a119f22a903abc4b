/** A `WWW-Authenticate` challenge: its scheme (lower-cased) and parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Reads `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"` (and `Basic
 * realm="…"`). Only the first challenge is read: registries send one.
 */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (match?.[1] === undefined) return undefined;
  const params: Record<string, string> = {};
  const param = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  const rest = match[2] ?? "";
  for (let found = param.exec(rest); found !== null && found[0] !== ""; found = param.exec(rest)) {
    const key = (found[1] as string).toLowerCase();
    params[key] = found[2] !== undefined ? found[2].replace(/\\(.)/g, "$1") : (found[3] ?? "");
  }
  return { scheme: match[1].toLowerCase(), params };
}
