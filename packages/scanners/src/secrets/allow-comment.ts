// Same marker gitleaks honours, so files already annotated for gitleaks need no change.
const ALLOW_COMMENT = /\b(?:gitleaks|secapi):allow\b/;

/** Whether the line carries an inline `gitleaks:allow` / `secapi:allow` marker. */
export function hasAllowComment(line: string): boolean {
  return ALLOW_COMMENT.test(line);
}
