import type { Severity } from "../scan-result.js";

/** One kind of credential the secrets scanner looks for, in the spirit of a gitleaks rule. */
export interface SecretRule {
  /** Stable kebab-case id, reported as `rule_id`. */
  readonly id: string;
  readonly description: string;
  readonly severity: Severity;
  /** Without the `g` flag, so `test()` on it keeps no state; the scanner compiles its own global copy. */
  readonly regex: RegExp;
  /** Lower-case; the regex only runs on a file whose lower-cased content contains one of them. */
  readonly keywords: readonly string[];
  /** Capture group holding the secret; the whole match when absent. */
  readonly secretGroup?: number;
  /** Shannon entropy (bits per character) the secret must reach. */
  readonly minEntropy?: number;
  /** True for a match that is not a credential, so it is not reported (gitleaks' per-rule allowlist). */
  readonly ignore?: (secret: string) => boolean;
  /** When two rules match overlapping text, the higher one is reported. */
  readonly specificity: number;
}
