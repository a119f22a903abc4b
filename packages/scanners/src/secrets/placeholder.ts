// Variable references and template slots: the real value lives elsewhere.
const TEMPLATE_VALUES = [
  /^\$\{[^}]*\}$/,
  /^\$[A-Za-z_][A-Za-z0-9_]*$/,
  /^%[A-Za-z_][A-Za-z0-9_]*%$/,
  /^<[^<>]*>$/,
  /^\{\{[^{}]*\}\}$/,
  /^\{[^{}]*\}$/,
];

// The secret sits inside `${…}`, `{{ … }}` or `<…>` on its line.
const OPENS_TEMPLATE = /(?:\$\{|\{\{|<)\s*$/;
const CLOSES_TEMPLATE = /^\s*(?:\}|>)/;

// Fragments that only documentation, samples and fixtures put in a credential ("authpassword",
// "your_api_key_here"); AWS's own documentation keys end in EXAMPLE / EXAMPLEKEY.
const PLACEHOLDER_FRAGMENTS = new RegExp(
  [
    "example",
    "passw(?:or)?d",
    "change[_-]?me",
    "replace[_-]?me",
    "your[_-]?(?:own[_-]?)?(?:api[_-]?)?(?:key|token|secret)",
    "dummy",
    "placeholder",
    "redacted",
    "fake[_-]?(?:key|token|secret)",
    "not[_-]?a[_-]?real",
  ].join("|"),
  "i",
);

// Whole values that are words, not credentials.
const PLACEHOLDER_WORDS = new Set(["null", "nil", "none", "undefined", "true", "false", "empty", "pass", "secret", "token"]);

const SAME_CHARACTER = /^([\s\S])\1*$/;
// "1234567…", "abcdefg…": typed by a person, vanishingly rare in a random credential.
const SEQUENTIAL_RUN = 7;
const MASK_CHARACTERS = /[xX*.0]/g;

/** Whether `secret`, found on `line`, is a placeholder or sample rather than a real credential. */
export function isPlaceholder(secret: string, line: string): boolean {
  if (secret.length === 0 || SAME_CHARACTER.test(secret)) return true;
  if (PLACEHOLDER_WORDS.has(secret.toLowerCase())) return true;
  if (TEMPLATE_VALUES.some((pattern) => pattern.test(secret))) return true;
  if (PLACEHOLDER_FRAGMENTS.test(secret)) return true;
  if (isMostlyMask(secret) || hasSequentialRun(secret)) return true;
  return isInsideTemplate(secret, line);
}

function isMostlyMask(secret: string): boolean {
  const masked = secret.match(MASK_CHARACTERS)?.length ?? 0;
  return masked * 2 > secret.length;
}

function hasSequentialRun(secret: string): boolean {
  let run = 1;
  for (let i = 1; i < secret.length; i += 1) {
    run = secret.charCodeAt(i) === secret.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= SEQUENTIAL_RUN) return true;
  }
  return false;
}

function isInsideTemplate(secret: string, line: string): boolean {
  const at = line.indexOf(secret);
  if (at === -1) return false;
  return OPENS_TEMPLATE.test(line.slice(0, at)) && CLOSES_TEMPLATE.test(line.slice(at + secret.length));
}
