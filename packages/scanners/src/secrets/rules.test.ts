import { describe, expect, it } from "vitest";
import type { Severity } from "../scan-result.js";
import { ALPHABET, fakeTokens } from "./fake-token.fixture.js";
import { SECRET_RULES } from "./rules.js";
import { scanSecrets } from "./scan-secrets.js";

const fake = fakeTokens(0x5ec4a1);
const { alnum, base64, base64url, digits, hex, upperBase32 } = ALPHABET;
const upperAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function jwt(): string {
  const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = segment({ alg: "HS256", typ: "JWT" });
  const payload = segment({ sub: fake(digits, 8), name: "Jo Bloggs", iat: 1718000000 });
  return `${header}.${payload}.${fake(base64url, 43)}`;
}

interface RuleCase {
  id: string;
  severity: Severity;
  path: string;
  secret: string;
  /** Text around the secret: `before + secret + after`. */
  before: string;
  after: string;
  line: number;
  column: number;
  /** Files in which this rule must report nothing. */
  negatives: string[];
}

const uuid = (): string => [8, 4, 4, 4, 12].map((n) => fake(hex, n)).join("-");
const openaiBody = fake(base64url, 74);
const pem = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  ...Array.from({ length: 6 }, () => fake(base64, 70)),
  "-----END OPENSSH PRIVATE KEY-----",
].join("\n");

const cases: RuleCase[] = [
  {
    id: "aws-access-key-id",
    severity: "critical",
    path: ".env",
    secret: "AKIA" + fake(upperBase32, 16),
    before: "# AWS\nAWS_ACCESS_KEY_ID=",
    after: "\n",
    line: 2,
    column: 19,
    negatives: [
      "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
      "key = AKIAXXXXXXXXXXXXXXXX\n",
      `id = AKIA${fake(upperBase32, 15)}\n`,
      `id = AKIA${fake(upperBase32, 15)}1\n`,
      `id = akia${fake(upperBase32, 16).toLowerCase()}\n`,
    ],
  },
  {
    id: "aws-secret-access-key",
    severity: "critical",
    path: "home/.aws/credentials",
    secret: fake(base64, 40),
    before: "[default]\nregion = eu-west-1\naws_secret_access_key = ",
    after: "\n",
    line: 3,
    column: 25,
    negatives: [
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
      `checksum = ${fake(base64, 40)}\n`,
      `aws_secret_access_key = ${fake(base64, 41)}\n`,
      `aws_secret_access_key = ${fake(hex, 40)}\n`,
    ],
  },
  {
    id: "github-pat",
    severity: "critical",
    path: "config/ci.yaml",
    secret: "ghp_" + fake(alnum, 36),
    before: "github:\n  token: ",
    after: "\n",
    line: 2,
    column: 10,
    negatives: [
      `token: ghp_${fake(alnum, 35)}\n`,
      `token: ghp_${"a1B2".repeat(9)}\n`,
      `token: ghp_${"x".repeat(36)}\n`,
      `const prefix = "ghp_";\n`,
    ],
  },
  {
    id: "github-fine-grained-pat",
    severity: "critical",
    path: "scripts/release.sh",
    secret: `github_pat_${fake(alnum, 22)}_${fake(alnum, 59)}`,
    before: '#!/bin/sh\nexport GH_TOKEN="',
    after: '"\n',
    line: 2,
    column: 18,
    negatives: [`export GH_TOKEN="github_pat_${fake(alnum, 81)}"\n`, "if (token.startsWith('github_pat_')) {}\n"],
  },
  {
    id: "github-oauth",
    severity: "high",
    path: "session.json",
    secret: "gho_" + fake(alnum, 36),
    before: '{"access_token": "',
    after: '", "scope": "repo"}',
    line: 1,
    column: 19,
    negatives: [`{"access_token": "gho_${fake(alnum, 20)}-${fake(alnum, 15)}"}`],
  },
  {
    id: "github-app-token",
    severity: "high",
    path: "app/installation.py",
    secret: "ghs_" + fake(alnum, 36),
    before: 'import os\n\ninstallation_token = "',
    after: '"\n',
    line: 3,
    column: 23,
    negatives: [`installation_token = "ghs_${fake(alnum, 40)}"\n`, `installation_token = "ghx_${fake(alnum, 36)}"\n`],
  },
  {
    id: "github-refresh-token",
    severity: "high",
    path: "auth.toml",
    secret: "ghr_" + fake(alnum, 36),
    before: '[github]\nrefresh_token = "',
    after: '"\n',
    line: 2,
    column: 18,
    negatives: [`refresh_token = "ghr_${"X".repeat(36)}"\n`],
  },
  {
    id: "gitlab-pat",
    severity: "critical",
    path: ".gitlab-ci.yml",
    secret: "glpat-" + fake(base64url, 20),
    before: 'script:\n  - curl --header "PRIVATE-TOKEN: ',
    after: '" https://gitlab.internal/api/v4/projects\n',
    line: 2,
    column: 35,
    negatives: [`PRIVATE-TOKEN: glpat-${fake(alnum, 19)}\n`, `PRIVATE-TOKEN: glpat-${fake(alnum, 21)}\n`],
  },
  {
    id: "slack-bot-token",
    severity: "high",
    path: "src/notify.js",
    secret: `xoxb-${fake(digits, 12)}-${fake(digits, 13)}-${fake(alnum, 24)}`,
    before: 'const slack = new WebClient("',
    after: '");\n',
    line: 1,
    column: 30,
    negatives: ['const slack = new WebClient("xoxb-123-456-abcdef");\n'],
  },
  {
    id: "slack-user-token",
    severity: "high",
    path: ".env",
    secret: `xoxp-${fake(digits, 11)}-${fake(digits, 11)}-${fake(digits, 13)}-${fake(hex, 32)}`,
    before: "SLACK_USER_TOKEN=",
    after: "\n",
    line: 1,
    column: 18,
    negatives: [`SLACK_USER_TOKEN=xoxp-${fake(digits, 11)}-${fake(digits, 11)}-${fake(hex, 32)}\n`],
  },
  {
    id: "slack-webhook-url",
    severity: "high",
    path: "alerts.yaml",
    secret: `https://hooks.slack.com/services/T${fake(upperAlnum, 10)}/B${fake(upperAlnum, 10)}/${fake(alnum, 24)}`,
    before: "alerting:\n  webhook_url: ",
    after: "\n",
    line: 2,
    column: 16,
    negatives: [
      "webhook_url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
      "webhook_url: https://hooks.slack.com/services/<team>/<channel>/<token>\n",
    ],
  },
  {
    id: "stripe-secret-key",
    severity: "critical",
    path: "config/initializers/stripe.rb",
    secret: "sk_live_" + fake(alnum, 24),
    before: "Stripe.api_key = '",
    after: "'\n",
    line: 1,
    column: 19,
    negatives: [`Stripe.api_key = 'sk_live_${fake(alnum, 23)}'\n`, "Stripe.api_key = 'sk_live_...'\n"],
  },
  {
    id: "stripe-restricted-key",
    severity: "high",
    path: ".env.production",
    secret: "rk_live_" + fake(alnum, 99),
    before: "STRIPE_RESTRICTED_KEY=",
    after: "\n",
    line: 1,
    column: 23,
    negatives: [`STRIPE_RESTRICTED_KEY=rk_live_${fake(alnum, 100)}\n`],
  },
  {
    id: "stripe-test-key",
    severity: "medium",
    path: "fixtures/stripe.json",
    secret: "sk_test_" + fake(alnum, 32),
    before: '{\n  "stripe": {\n    "secretKey": "',
    after: '"\n  }\n}\n',
    line: 3,
    column: 19,
    negatives: [`{"publishableKey": "pk_test_${fake(alnum, 32)}"}\n`],
  },
  {
    id: "gcp-api-key",
    severity: "critical",
    path: "web/firebase.ts",
    secret: "AIza" + fake(base64url, 35),
    before: 'export const firebaseConfig = {\n  apiKey: "',
    after: '",\n};\n',
    line: 2,
    column: 12,
    negatives: [`apiKey: "AIza${fake(base64url, 34)}"\n`, `apiKey: "AIza${"0".repeat(35)}"\n`],
  },
  {
    id: "npm-access-token",
    severity: "high",
    path: ".npmrc",
    secret: "npm_" + fake(alnum, 36),
    before: "//registry.npmjs.org/:_authToken=",
    after: "\n",
    line: 1,
    column: 34,
    negatives: [`//registry.npmjs.org/:_authToken=npm_${fake(alnum, 35)}\n`, "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"],
  },
  {
    id: "private-key",
    severity: "critical",
    path: "deploy/id_ed25519",
    secret: pem,
    before: "",
    after: "\n",
    line: 1,
    column: 1,
    negatives: [
      'if (pem.startsWith("-----BEGIN RSA PRIVATE KEY-----")) return true;\n',
      `-----BEGIN PUBLIC KEY-----\n${fake(base64, 64)}\n-----END PUBLIC KEY-----\n`,
      "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n",
    ],
  },
  {
    id: "jwt",
    severity: "medium",
    path: "docs/request.http",
    secret: jwt(),
    before: "GET /api/me HTTP/1.1\nAuthorization: Bearer ",
    after: "\n",
    line: 2,
    column: 23,
    negatives: ["Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.\n"],
  },
  {
    id: "sendgrid-api-token",
    severity: "high",
    path: ".env",
    secret: `SG.${fake(base64url, 22)}.${fake(base64url, 43)}`,
    before: "SENDGRID_API_KEY=",
    after: "\n",
    line: 1,
    column: 18,
    negatives: [`SENDGRID_API_KEY=SG.${fake(base64url, 21)}.${fake(base64url, 43)}\n`],
  },
  {
    id: "twilio-api-key",
    severity: "high",
    path: "settings.yaml",
    secret: "SK" + fake(hex, 32),
    before: "twilio:\n  api_key_sid: ",
    after: "\n",
    line: 2,
    column: 16,
    negatives: [`api_key_sid: SK${fake(hex, 31)}\n`, `TASK${fake(hex, 32)}\n`, `sid: SK${fake(hex, 31)}g\n`],
  },
  {
    id: "mailgun-api-key",
    severity: "high",
    path: ".env",
    secret: "key-" + fake(hex, 32),
    before: "MAILGUN_DOMAIN=mg.acme.dev\nMAILGUN_API_KEY=",
    after: "\n",
    line: 2,
    column: 17,
    negatives: [`cache_key = "key-${fake(hex, 32)}"\n`, `MAILGUN_API_KEY=key-${fake(hex, 31)}\n`],
  },
  {
    id: "openai-api-key",
    severity: "high",
    path: ".env.local",
    secret: `sk-proj-${openaiBody}T3BlbkFJ${fake(base64url, 74)}`,
    before: "OPENAI_API_KEY=",
    after: "\n",
    line: 1,
    column: 16,
    negatives: [`OPENAI_API_KEY=sk-proj-${fake(base64url, 156)}\n`],
  },
  {
    id: "anthropic-api-key",
    severity: "high",
    path: "agent/client.py",
    secret: `sk-ant-api03-${fake(base64url, 93)}AA`,
    before: 'import anthropic\n\nclient = anthropic.Anthropic(api_key="',
    after: '")\n',
    line: 3,
    column: 39,
    negatives: [`client = anthropic.Anthropic(api_key="sk-ant-api03-${fake(base64url, 90)}AA")\n`],
  },
  {
    id: "azure-storage-account-key",
    severity: "critical",
    path: "local.settings.json",
    secret: fake(base64, 86) + "==",
    before: '{\n  "Values": {\n    "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=',
    after: ';EndpointSuffix=core.windows.net"\n  }\n}\n',
    line: 3,
    column: 88,
    negatives: [
      '"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${STORAGE_KEY}"\n',
      `"conn": "AccountName=acme;AccountKey=${fake(base64, 60)}=="\n`,
    ],
  },
  {
    id: "heroku-api-key",
    severity: "high",
    path: ".env",
    secret: uuid(),
    before: "HEROKU_APP=acme\nHEROKU_API_KEY=",
    after: "\n",
    line: 2,
    column: 16,
    negatives: [`request_id = "${uuid()}"\n`, 'HEROKU_API_KEY="12345678-ABCD-ABCD-ABCD-1234567890AB"\n'],
  },
  {
    id: "heroku-api-key-v2",
    severity: "high",
    path: "deploy.yaml",
    secret: "HRKU-AA" + fake(base64url, 58),
    before: "env:\n  HEROKU_API_KEY: ",
    after: "\n",
    line: 2,
    column: 19,
    negatives: [`HEROKU_API_KEY: HRKU-AA${fake(base64url, 57)}\n`],
  },
  {
    id: "pypi-upload-token",
    severity: "high",
    path: ".pypirc",
    secret: "pypi-AgEIcHlwaS5vcmc" + fake(base64url, 140), // gitleaks:allow (a prefix, not a token)
    before: "[pypi]\nusername = __token__\npassword = ",
    after: "\n",
    line: 3,
    column: 12,
    negatives: [`password = pypi-AgEIcHlwaS5vcmc${fake(base64url, 40)}\n`],
  },
  {
    id: "shopify-access-token",
    severity: "high",
    path: "shopify.app.toml",
    secret: "shpat_" + fake(hex, 32),
    before: '[access]\nadmin_token = "',
    after: '"\n',
    line: 2,
    column: 16,
    negatives: [`admin_token = "shpat_${fake("ghijklmnopqrstuvwxyz", 32)}"\n`],
  },
  {
    id: "shopify-shared-secret",
    severity: "high",
    path: ".env",
    secret: "shpss_" + fake(hex, 32),
    before: "SHOPIFY_API_SECRET=",
    after: "\n",
    line: 1,
    column: 20,
    negatives: [`SHOPIFY_API_SECRET=shpss_${fake(hex, 33)}\n`],
  },
  {
    id: "digitalocean-pat",
    severity: "critical",
    path: "infra/main.tf",
    secret: "dop_v1_" + fake(hex, 64),
    before: 'provider "digitalocean" {\n  token = "',
    after: '"\n}\n',
    line: 2,
    column: 12,
    negatives: [`token = "dop_v1_${fake(hex, 64).toUpperCase()}"\n`],
  },
  {
    id: "digitalocean-access-token",
    severity: "high",
    path: "oauth-callback.log",
    secret: "doo_v1_" + fake(hex, 64),
    before: "received access token ",
    after: " for team 42\n",
    line: 1,
    column: 23,
    negatives: [`received access token doo_v1_${fake(hex, 63)} for team 42\n`],
  },
  {
    id: "database-url-password",
    severity: "critical",
    path: "docker-compose.yml",
    secret: fake(alnum, 20),
    before: "services:\n  api:\n    environment:\n      DATABASE_URL: postgres://app:",
    after: "@db.internal:5432/app\n",
    line: 4,
    column: 36,
    negatives: [
      "DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app\n",
      "DATABASE_URL: postgres://postgres@127.0.0.1:5432/secapi\n",
      "DATABASE_URL: postgres://user:password@localhost:5432/app\n",
      "see https://example.org/docs for postgres setup\n",
    ],
  },
  {
    id: "generic-api-key",
    severity: "medium",
    path: "config/production.yaml",
    secret: fake(alnum, 32),
    before: "vendor:\n  url: https://api.vendor.io\n  api_key: ",
    after: "\n",
    line: 3,
    column: 12,
    negatives: [
      "password: changeme\n",
      "api_key: ${API_KEY}\n",
      "api_key: <YOUR_API_KEY>\n",
      "api_key: your_api_key_here_please\n",
      "secret: hunter2hunter2hunter2\n",
      "const token = process.env.SECRET_TOKEN_VALUE;\n",
      "password = getDatabasePassword()\n",
      "AUTH_PROVIDER=GOOGLE_OAUTH_PROVIDER\n",
      "secret_file: /run/secrets/db_password\n",
      `api_key: ${fake(alnum, 15)}\n`,
      `api_key: ${fake(alnum, 24)} # gitleaks:allow\n`,
    ],
  },
];

function findingsOf(path: string, content: string) {
  return scanSecrets({ files: [{ path, content }] }).findings;
}

describe("SECRET_RULES", () => {
  it("has at least 24 rules with unique kebab-case ids", () => {
    expect(SECRET_RULES.length).toBeGreaterThanOrEqual(24);
    const ids = SECRET_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it("has lower-case keywords and non-global regexes", () => {
    for (const rule of SECRET_RULES) {
      expect(rule.keywords.length).toBeGreaterThan(0);
      for (const keyword of rule.keywords) expect(keyword).toBe(keyword.toLowerCase());
      expect(rule.regex.global).toBe(false);
    }
  });

  it("ranks the generic rule below every other rule", () => {
    const generic = SECRET_RULES.find((rule) => rule.id === "generic-api-key");
    for (const rule of SECRET_RULES) {
      if (rule !== generic) expect(rule.specificity).toBeGreaterThan(generic?.specificity ?? Infinity);
    }
  });

  it("has a test case for every rule", () => {
    expect(cases.map((c) => c.id).sort()).toEqual(SECRET_RULES.map((rule) => rule.id).sort());
  });
});

describe.each(cases)("rule $id", (c) => {
  const content = c.before + c.secret + c.after;

  it("reports a realistic secret once, where it is", () => {
    const findings = findingsOf(c.path, content);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule_id: c.id,
      path: c.path,
      line: c.line,
      column: c.column,
      severity: c.severity,
    });
    expect(SECRET_RULES.find((rule) => rule.id === c.id)?.severity).toBe(c.severity);
  });

  it("never puts the secret in the redacted form", () => {
    const [finding] = findingsOf(c.path, content);
    const redacted = finding?.redacted ?? "";
    expect(redacted).not.toBe("");
    expect(redacted).not.toContain(c.secret);
    // A PEM block keeps its public BEGIN line; the key material is what must not leak.
    const material = c.id === "private-key" ? c.secret.split("\n").slice(1, -1).join("\n") : c.secret;
    for (let i = 0; i + 8 <= material.length; i += 1) expect(redacted).not.toContain(material.slice(i, i + 8));
  });

  it.each(c.negatives)("does not report %j", (negative) => {
    expect(findingsOf(c.path, negative).filter((f) => f.rule_id === c.id)).toEqual([]);
  });
});
