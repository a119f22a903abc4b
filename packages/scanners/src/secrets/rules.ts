import { looksLikeCode } from "./looks-like-code.js";
import type { SecretRule } from "./secret-rule.js";

/**
 * Source of `<key name containing keyPattern> <assignment> <value>` with the value in group 1:
 * `KEY=v`, `export KEY=v`, `key: v`, `"key": "v"`, `key := v`, `key => v`, `env['KEY'] = v`.
 * Every quantifier is bounded, so a failed attempt costs a fixed number of steps.
 */
function assigned(keyPattern: string, valuePattern: string): string {
  return String.raw`(?:${keyPattern})[\w.-]{0,40}["'\]]{0,2}\s{0,5}(?::=|=>|=|:)\s{0,5}["'\x60]?(${valuePattern})`;
}

/** `word|WORD|Word`: the usual spellings of a key name, for rules whose value must stay case-sensitive. */
function anyCase(word: string): string {
  return `${word}|${word.toUpperCase()}|${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}

const HEX = "[0-9a-f]";
const UUID = `${HEX}{8}-${HEX}{4}-${HEX}{4}-${HEX}{4}-${HEX}{12}`;

// Characters a generic secret value may hold; `{`, `}`, `<`, `>`, `(`, `:` and `&` are left out so
// templates, calls, URLs and query strings stop the value instead of becoming one.
const GENERIC_VALUE = String.raw`[\w.~+/=!@#$%^*-]{16,256}`;
const GENERIC_VALUE_END = String.raw`(?=[\s"'\x60,;)\]}&]|$)`;

const SPECIFICITY = {
  privateKey: 100,
  prefixedToken: 90,
  keyedToken: 75,
  jwt: 40,
  generic: 0,
} as const;

// Tokens whose alphabet includes "-" start where a run of token characters starts, not after a "-"
// inside one: otherwise text like "eyJ-eyJ-eyJ-…" makes every prefix rescan the same long run.

/** Every rule the secrets scanner runs, modelled on gitleaks' default rules. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: "aws-access-key-id",
    description: "AWS access key ID",
    severity: "critical",
    regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/,
    keywords: ["akia", "asia", "abia", "acca"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key",
    severity: "critical",
    regex: new RegExp(assigned(String.raw`aws[_.-]?secret|secret[_.-]?access[_.-]?key`, "[A-Za-z0-9/+]{40}") + "(?![A-Za-z0-9/+=])", "i"),
    keywords: ["secret"],
    secretGroup: 1,
    minEntropy: 4,
    specificity: SPECIFICITY.keyedToken,
  },
  {
    id: "github-pat",
    description: "GitHub personal access token (classic)",
    severity: "critical",
    regex: /\bghp_[0-9A-Za-z]{36}\b/,
    keywords: ["ghp_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "github-fine-grained-pat",
    description: "GitHub fine-grained personal access token",
    severity: "critical",
    regex: /\bgithub_pat_[0-9A-Za-z_]{82}\b/,
    keywords: ["github_pat_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "github-oauth",
    description: "GitHub OAuth access token",
    severity: "high",
    regex: /\bgho_[0-9A-Za-z]{36}\b/,
    keywords: ["gho_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "github-app-token",
    description: "GitHub App user-to-server or server-to-server token",
    severity: "high",
    regex: /\bgh[us]_[0-9A-Za-z]{36}\b/,
    keywords: ["ghu_", "ghs_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "github-refresh-token",
    description: "GitHub refresh token",
    severity: "high",
    regex: /\bghr_[0-9A-Za-z]{36}\b/,
    keywords: ["ghr_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "gitlab-pat",
    description: "GitLab personal access token",
    severity: "critical",
    regex: /(?<![0-9A-Za-z_-])glpat-[0-9A-Za-z_-]{20}(?![0-9A-Za-z_-])/,
    keywords: ["glpat-"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "slack-bot-token",
    description: "Slack bot token",
    severity: "high",
    regex: /\bxoxb-[0-9]{10,13}-[0-9]{10,13}-[0-9A-Za-z]{24,34}\b/,
    keywords: ["xoxb-"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "slack-user-token",
    description: "Slack user or enterprise token",
    severity: "high",
    regex: /\bxox[pe](?:-[0-9]{10,13}){3}-[0-9A-Za-z]{28,34}\b/,
    keywords: ["xoxp-", "xoxe-"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "slack-webhook-url",
    description: "Slack incoming webhook URL",
    severity: "high",
    regex: /\bhttps?:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[0-9A-Za-z]{24}\b/,
    keywords: ["hooks.slack.com"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "stripe-secret-key",
    description: "Stripe live secret key",
    severity: "critical",
    regex: /\bsk_live_[0-9A-Za-z]{24,99}\b/,
    keywords: ["sk_live_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "stripe-restricted-key",
    description: "Stripe live restricted key",
    severity: "high",
    regex: /\brk_live_[0-9A-Za-z]{24,99}\b/,
    keywords: ["rk_live_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "stripe-test-key",
    description: "Stripe test-mode secret or restricted key",
    severity: "medium",
    regex: /\b[rs]k_test_[0-9A-Za-z]{24,99}\b/,
    keywords: ["sk_test_", "rk_test_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "gcp-api-key",
    description: "Google Cloud API key",
    severity: "critical",
    regex: /(?<![0-9A-Za-z_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/,
    keywords: ["aiza"],
    minEntropy: 3.5,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "npm-access-token",
    description: "npm access token",
    severity: "high",
    regex: /\bnpm_[0-9A-Za-z]{36}\b/,
    keywords: ["npm_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "private-key",
    description: "Private key (PEM or PGP armour)",
    severity: "critical",
    // The body may not contain "--", so a BEGIN without an END gives up at the next armour line
    // instead of scanning the rest of the file.
    regex:
      /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-(?!-)){64,65536}-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/,
    keywords: ["private key"],
    specificity: SPECIFICITY.privateKey,
  },
  {
    id: "jwt",
    description: "JSON Web Token",
    severity: "medium",
    regex: /(?<![0-9A-Za-z_-])eyJ[0-9A-Za-z_-]{14,2000}\.ey[0-9A-Za-z_-]{14,8000}\.[0-9A-Za-z_-]{16,1000}(?![0-9A-Za-z_-])/,
    keywords: ["eyj"],
    minEntropy: 3.5,
    specificity: SPECIFICITY.jwt,
  },
  {
    id: "sendgrid-api-token",
    description: "SendGrid API key",
    severity: "high",
    regex: /(?<![0-9A-Za-z_-])SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}(?![0-9A-Za-z_-])/,
    keywords: ["sg."],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "twilio-api-key",
    description: "Twilio API key",
    severity: "high",
    regex: /\bSK[0-9a-fA-F]{32}\b/,
    keywords: ["sk"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "mailgun-api-key",
    description: "Mailgun private API key",
    severity: "high",
    regex: new RegExp(assigned(anyCase("mailgun"), `key-${HEX}{32}|${HEX}{32}-${HEX}{8}-${HEX}{8}`) + String.raw`(?![\w-])`),
    keywords: ["mailgun"],
    secretGroup: 1,
    minEntropy: 3,
    specificity: SPECIFICITY.keyedToken,
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key",
    severity: "high",
    regex:
      /(?<![0-9A-Za-z_-])(?:sk-(?:proj|svcacct|admin)-(?:[0-9A-Za-z_-]{74}|[0-9A-Za-z_-]{58})T3BlbkFJ(?:[0-9A-Za-z_-]{74}|[0-9A-Za-z_-]{58})|sk-[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20})(?![0-9A-Za-z_-])/,
    keywords: ["t3blbkfj"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "anthropic-api-key",
    description: "Anthropic API or admin key",
    severity: "high",
    regex: /(?<![0-9A-Za-z_-])sk-ant-(?:api03|admin01)-[0-9A-Za-z_-]{93}AA(?![0-9A-Za-z_-])/,
    keywords: ["sk-ant-"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "azure-storage-account-key",
    description: "Azure Storage account key in a connection string",
    severity: "critical",
    regex: /\bAccountKey=([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/i,
    keywords: ["accountkey="],
    secretGroup: 1,
    minEntropy: 4,
    specificity: SPECIFICITY.keyedToken,
  },
  {
    id: "heroku-api-key",
    description: "Heroku API key",
    severity: "high",
    regex: new RegExp(assigned(anyCase("heroku"), UUID) + String.raw`(?![\w-])`),
    keywords: ["heroku"],
    secretGroup: 1,
    minEntropy: 3,
    specificity: SPECIFICITY.keyedToken,
  },
  {
    id: "heroku-api-key-v2",
    description: "Heroku API key (HRKU- format)",
    severity: "high",
    regex: /(?<![0-9A-Za-z_-])HRKU-AA[0-9A-Za-z_-]{58}(?![0-9A-Za-z_-])/,
    keywords: ["hrku-aa"],
    minEntropy: 4,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "pypi-upload-token",
    description: "PyPI upload token",
    severity: "high",
    regex: /(?<![0-9A-Za-z_-])pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,1000}(?![0-9A-Za-z_-])/,
    keywords: ["pypi-ageichlwas5vcmc"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "shopify-access-token",
    description: "Shopify access token (admin, custom app or private app)",
    severity: "high",
    regex: /\bshp(?:at|ca|pa)_[0-9a-fA-F]{32}\b/,
    keywords: ["shpat_", "shpca_", "shppa_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "shopify-shared-secret",
    description: "Shopify app shared secret",
    severity: "high",
    regex: /\bshpss_[0-9a-fA-F]{32}\b/,
    keywords: ["shpss_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "digitalocean-pat",
    description: "DigitalOcean personal access token",
    severity: "critical",
    regex: /\bdop_v1_[0-9a-f]{64}\b/,
    keywords: ["dop_v1_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "digitalocean-access-token",
    description: "DigitalOcean OAuth access token",
    severity: "high",
    regex: /\bdoo_v1_[0-9a-f]{64}\b/,
    keywords: ["doo_v1_"],
    minEntropy: 3,
    specificity: SPECIFICITY.prefixedToken,
  },
  {
    id: "database-url-password",
    description: "Database or broker URL with an inline password",
    severity: "critical",
    regex: /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?):\/\/[^\s:@/'"`]{0,100}:([^\s@/'"`]{1,200})@[\w.[-]/i,
    keywords: ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp"],
    secretGroup: 1,
    specificity: SPECIFICITY.keyedToken,
  },
  {
    id: "generic-api-key",
    description: "High-entropy value assigned to a key, token, secret or password",
    severity: "medium",
    regex: new RegExp(
      assigned(String.raw`api[_-]?key|secret|token|passw(?:or)?d|auth|credential|private[_-]?key`, GENERIC_VALUE) + GENERIC_VALUE_END,
      "i",
    ),
    keywords: [
      "api_key",
      "api-key",
      "apikey",
      "secret",
      "token",
      "password",
      "passwd",
      "auth",
      "credential",
      "private_key",
      "private-key",
      "privatekey",
    ],
    secretGroup: 1,
    minEntropy: 3.5,
    ignore: looksLikeCode,
    specificity: SPECIFICITY.generic,
  },
];
