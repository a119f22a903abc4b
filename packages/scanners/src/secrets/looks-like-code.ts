// Shapes of values that code and config assign to secret-named keys without being secrets:
// `config.db.password`, `GITHUB_TOKEN_NAME`, `/run/secrets/db_password`, `/*#__PURE__*/`.
const CODE_SHAPES = [
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/,
  /^[A-Za-z]+(?:[_-][A-Za-z]+)+$/,
  /^(?:~|\.{1,2})?\/[\w.-]+(?:\/[\w.-]+)*\/?$/,
  /^\/[*/]/,
];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const CAMEL_HUMP = /[a-z][A-Z]/;
const DIGIT = /[0-9]/g;
const WORD = /[A-Z]?[a-z]{2,}/g;
// Measured on random alphanumerics: about 2% of 16-character and 0.2% of 32-character strings
// pass as camel-case words, against every identifier in typescript-eslint and eslint-utils.
const MIN_WORD_COVERAGE = 0.75;
const MAX_IDENTIFIER_DIGITS = 2;

/** Whether `value` reads as code (a member path, identifier, file path or comment), not a credential. */
export function looksLikeCode(value: string): boolean {
  return CODE_SHAPES.some((shape) => shape.test(value)) || isCamelCaseWords(value);
}

// `isTokenOfTypeWithConditions`, `AuthenticationMD5Password`, `OpeningParenToken$1`.
function isCamelCaseWords(value: string): boolean {
  if (!IDENTIFIER.test(value) || !CAMEL_HUMP.test(value)) return false;
  if ((value.match(DIGIT)?.length ?? 0) > MAX_IDENTIFIER_DIGITS) return false;
  const inWords = (value.match(WORD) ?? []).reduce((sum, word) => sum + word.length, 0);
  return inWords >= value.length * MIN_WORD_COVERAGE;
}
