import { describe, expect, it, vi } from "vitest";
import { ALPHABET, fakeTokens } from "./fake-token.fixture.js";
import { scanSecrets } from "./scan-secrets.js";

const fake = fakeTokens(0xc0ffee);
const { alnum, base64, digits, hex, upperBase32 } = ALPHABET;

const awsKeyId = (): string => "AKIA" + fake(upperBase32, 16);
const githubPat = (): string => "ghp_" + fake(alnum, 36);

function scanOne(path: string, content: string) {
  return scanSecrets({ files: [{ path, content }] }).findings;
}

describe("scanSecrets", () => {
  describe("overlapping rules", () => {
    it("reports a GitHub token assigned to GITHUB_TOKEN once, as the GitHub rule", () => {
      const findings = scanOne(".env", `GITHUB_TOKEN=${githubPat()}\n`);
      expect(findings).toEqual([expect.objectContaining({ rule_id: "github-pat", line: 1, column: 14 })]);
    });

    it("prefers a JWT over the generic rule for a bearer token in an auth variable", () => {
      const header = Buffer.from('{"alg":"RS256","typ":"JWT"}').toString("base64url");
      const payload = Buffer.from('{"sub":"42","exp":1900000000}').toString("base64url");
      const token = `${header}.${payload}.${fake(ALPHABET.base64url, 86)}`;
      const findings = scanOne("test.sh", `AUTH_TOKEN='${token}'`);
      expect(findings.map((f) => [f.rule_id, f.column])).toEqual([["jwt", 13]]);
    });

    it("prefers the database rule when a secret-named key holds a URL with a password", () => {
      const password = fake(alnum, 24);
      const findings = scanOne("app.env", `REDIS_AUTH_URL=redis://:${password}@cache.internal:6379/0\n`);
      expect(findings.map((f) => [f.rule_id, f.column])).toEqual([["database-url-password", 25]]);
    });

    it("reports the AWS rule, not the generic one, for an AWS secret key", () => {
      const findings = scanOne("creds", `AWS_SECRET_ACCESS_KEY=${fake(base64, 40)}\n`);
      expect(findings.map((f) => f.rule_id)).toEqual(["aws-secret-access-key"]);
    });

    it("reports two different secrets on one line separately", () => {
      const line = `creds = {"id": "${awsKeyId()}", "token": "${githubPat()}"}`;
      expect(scanOne("x.py", line).map((f) => [f.rule_id, f.column])).toEqual([
        ["aws-access-key-id", 17],
        ["github-pat", 50],
      ]);
    });
  });

  describe("private keys", () => {
    const body = (lines: number): string[] => Array.from({ length: lines }, () => fake(base64, 64));

    it.each(["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""])("reports a %sPRIVATE KEY block once, on its BEGIN line", (kind) => {
      const pem = [`-----BEGIN ${kind}PRIVATE KEY-----`, ...body(5), `-----END ${kind}PRIVATE KEY-----`];
      const findings = scanOne("keys/server.pem", ["# server key", ...pem, ""].join("\n"));
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ rule_id: "private-key", line: 2, column: 1, severity: "critical" });
      expect(findings[0]?.redacted).toBe(`-----BEGIN ${kind}PRIVATE KEY-----****`);
    });

    it("reports a PGP private key block with armour headers", () => {
      const block = [
        "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        "Version: GnuPG v2",
        "",
        ...body(8),
        `=${fake(base64, 4)}`,
        "-----END PGP PRIVATE KEY BLOCK-----",
      ].join("\r\n");
      expect(scanOne("key.asc", block).map((f) => [f.rule_id, f.line])).toEqual([["private-key", 1]]);
    });

    it("reports a legacy encrypted PEM with Proc-Type and DEK-Info headers", () => {
      const block = [
        "-----BEGIN RSA PRIVATE KEY-----",
        "Proc-Type: 4,ENCRYPTED",
        `DEK-Info: AES-128-CBC,${fake(hex, 32).toUpperCase()}`,
        "",
        ...body(4),
        "-----END RSA PRIVATE KEY-----",
      ].join("\n");
      expect(scanOne("id_rsa", block).map((f) => f.rule_id)).toEqual(["private-key"]);
    });

    it("reports a JSON-escaped key (a service account file) once, as a private key", () => {
      const pem = `-----BEGIN PRIVATE KEY-----\\n${body(4).join("\\n")}\\n-----END PRIVATE KEY-----\\n`;
      const json = `{\n  "type": "service_account",\n  "private_key_id": "${fake(hex, 40)}",\n  "private_key": "${pem}"\n}\n`;
      const findings = scanOne("sa.json", json);
      expect(findings.map((f) => [f.rule_id, f.line, f.column])).toEqual([
        ["generic-api-key", 3, 22],
        ["private-key", 4, 19],
      ]);
    });
  });

  describe("database URLs", () => {
    it.each([
      ["postgresql://app:", "@db:5432/app"],
      ["mysql://root:", "@127.0.0.1:3306/shop"],
      ["mongodb+srv://svc:", "@cluster0.mongodb.net/prod"],
      ["rediss://default:", "@cache.internal:6380"],
      ["amqp://guest:", "@rabbit:5672/%2f"],
    ])("reports the password in %s…", (prefix, suffix) => {
      const password = fake(alnum, 18);
      const findings = scanOne("cfg.txt", `url = ${prefix}${password}${suffix}\n`);
      expect(findings).toEqual([expect.objectContaining({ rule_id: "database-url-password", line: 1, column: 7 + prefix.length })]);
      expect(findings[0]?.redacted).toBe(password.slice(0, 4) + "*".repeat(12));
    });
  });

  describe("placeholders and allow comments", () => {
    it("reports nothing for a .env template", () => {
      const env = [
        "GITHUB_TOKEN=${GITHUB_TOKEN}",
        "STRIPE_KEY=$STRIPE_KEY",
        "API_KEY=<YOUR_API_KEY>",
        "SECRET={{ secret }}",
        "PASSWORD=changeme",
        "AUTH_TOKEN=your_api_key_here",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "STRIPE_SECRET=sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "DB_PASSWORD=********************",
        "WINDOWS_TOKEN=%API_TOKEN%",
        "SECRET_KEY=null",
        "DATABASE_URL=postgres://app:<password>@db/app",
        "",
      ].join("\n");
      expect(scanOne(".env.example", env)).toEqual([]);
    });

    it.each(["# gitleaks:allow", "// secapi:allow"])("honours an inline %s on the same line only", (comment) => {
      const content = `token = "${githubPat()}" ${comment}\ntoken2 = "${githubPat()}"\n`;
      expect(scanOne("a.ts", content).map((f) => f.line)).toEqual([2]);
    });
  });

  describe("positions", () => {
    it("handles CRLF line endings", () => {
      const key = awsKeyId();
      const content = `line one\r\nline two\r\n  aws_access_key_id: ${key}\r\napi_key=${fake(alnum, 32)}\r\n`;
      const findings = scanOne("crlf.yaml", content);
      expect(findings.map((f) => [f.rule_id, f.line, f.column])).toEqual([
        ["aws-access-key-id", 3, 22],
        ["generic-api-key", 4, 9],
      ]);
      // The generic value stops before the \r, so its fingerprint matches the LF version of the file.
      const lf = scanOne("crlf.yaml", content.replaceAll("\r\n", "\n"));
      expect(lf.map((f) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint));
    });

    it("counts columns in UTF-16 code units after non-ASCII text", () => {
      const content = `# clés 🔑\nconst clé = "😀 ${githubPat()}";\n`;
      const [finding] = scanOne("i18n.js", content);
      // `const clé = "` is 13 units, the emoji 2 more, then a space.
      expect(finding).toMatchObject({ rule_id: "github-pat", line: 2, column: 17 });
    });

    it("finds a secret at the very start and at the very end of a file without a trailing newline", () => {
      const content = `${awsKeyId()} first\nmiddle\nlast ${githubPat()}`;
      expect(scanOne("edge.txt", content).map((f) => [f.rule_id, f.line, f.column])).toEqual([
        ["aws-access-key-id", 1, 1],
        ["github-pat", 3, 6],
      ]);
    });

    it("returns nothing for empty and whitespace-only files", () => {
      const result = scanSecrets({
        files: [
          { path: "empty", content: "" },
          { path: "blank", content: "\n\r\n  \n" },
        ],
      });
      expect(result).toEqual({
        summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 },
        findings: [],
      });
    });
  });

  describe("several files", () => {
    it("sorts findings by path, then line, then column, and summarises them", () => {
      const result = scanSecrets({
        files: [
          { path: "src/b.ts", content: `const a = "${githubPat()}";\nconst b = "${awsKeyId()}";\n` },
          { path: ".env", content: `X=1\nSTRIPE=sk_test_${fake(alnum, 30)}\nAWS=${awsKeyId()} GH=${githubPat()}\n` },
          { path: "src/a.ts", content: `const k = "${awsKeyId()}";\n` },
        ],
      });
      expect(result.findings.map((f) => [f.path, f.line, f.column, f.rule_id])).toEqual([
        [".env", 2, 8, "stripe-test-key"],
        [".env", 3, 5, "aws-access-key-id"],
        [".env", 3, 29, "github-pat"],
        ["src/a.ts", 1, 12, "aws-access-key-id"],
        ["src/b.ts", 1, 12, "github-pat"],
        ["src/b.ts", 2, 12, "aws-access-key-id"],
      ]);
      expect(result.summary).toEqual({ critical: 5, high: 0, medium: 1, low: 0, unknown: 0, total: 6 });
    });

    it("gives the same secret a fingerprint that is stable across scans but differs per path and rule", () => {
      const token = githubPat();
      const files = [
        { path: "a.env", content: `T=${token}\n` },
        { path: "b.env", content: `T=${token}\n` },
      ];
      const first = scanSecrets({ files }).findings;
      const second = scanSecrets({ files: [...files].reverse() }).findings;
      expect(second.map((f) => f.fingerprint)).toEqual(first.map((f) => f.fingerprint));
      expect(first[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(first[0]?.fingerprint).not.toBe(first[1]?.fingerprint);
      expect(first.map((f) => f.redacted)).toEqual([token.slice(0, 4) + "*".repeat(12), token.slice(0, 4) + "*".repeat(12)]);
    });
  });

  it("never writes to the console", () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(() => undefined),
    );
    scanOne("a", `token=${githubPat()}\npassword=${fake(base64, 30)}\n`);
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });

  it("stays linear on a long single line (minified code) with many matches", () => {
    const line = (bytes: number) => {
      const parts: string[] = [];
      for (let size = 0; size < bytes; size += parts.at(-1)?.length ?? 0) parts.push(`token="${fake(alnum, 32)}";`);
      return parts;
    };
    // The fastest of a few runs: a loaded machine only ever makes a run slower.
    const fastest = (content: string, runs: number) => {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        scanOne("bundle.min.js", content);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const parts = line(1_000_000);
    const quarter = fastest(line(250_000).join(""), 3);
    const whole = fastest(parts.join(""), 2);
    console.log(
      `[secrets] one long line: 250 KB in ${quarter.toFixed(0)} ms, 1 MB in ${whole.toFixed(0)} ms (${(whole / quarter).toFixed(1)}x)`,
    );
    // Four times the input: about four times the time (quadratic would be sixteen).
    expect(whole).toBeLessThan(quarter * 10);
    const findings = scanOne("bundle.min.js", parts.join(""));
    // A few random values fall under the generic entropy threshold; nearly all must be found.
    expect(findings.length).toBeGreaterThan(parts.length * 0.99);
    expect(findings.every((f) => f.line === 1 && f.rule_id === "generic-api-key")).toBe(true);
  }, 60_000);

  // Its speed is measured by `pnpm bench secrets` (a timing target fails no build on a loaded machine).
  it("scans about 5 MB of mixed text and still finds exactly a planted key", () => {
    const samples = [
      "const token = await getToken(request.headers.authorization);",
      "password: ${DB_PASSWORD}  # from the vault",
      "The secret to good APIs is small, typed pieces; see the auth section below.",
      'logger.info({ user: id, event: "login" }, "user signed in");',
      "DATABASE_URL=postgres://app@db.internal:5432/app",
      `checksum=${fake(hex, 40)}  sk_${fake(alnum, 10)} eyJ${fake(alnum, 12)}`,
      `  "integrity": "sha512-${fake(base64, 86)}==",`,
      "-----BEGIN CERTIFICATE----- (public, not a private key)",
      `id=${fake(digits, 20)} aws region eu-west-1 AKIA${fake("0189", 16)}`,
      "ümlaut → 测试 — emoji 🔐 and tabs\tand\tcarriage returns\r",
    ];
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 5 * 1024 * 1024; i += 1) {
      const line = samples[i % samples.length] ?? "";
      lines.push(line);
      size += line.length + 1;
    }
    const planted = awsKeyId();
    const plantedLine = Math.floor(lines.length / 2);
    lines[plantedLine - 1] = `aws_access_key_id = ${planted}`;
    const content = lines.join("\n");

    const started = performance.now();
    const findings = scanOne("big.log", content);
    const elapsed = performance.now() - started;

    console.log(`[secrets] ${(content.length / 1e6).toFixed(1)} MB of mixed text in ${elapsed.toFixed(0)} ms`);
    expect(content.length).toBeGreaterThan(5_000_000);
    expect(findings).toEqual([expect.objectContaining({ rule_id: "aws-access-key-id", line: plantedLine, column: 21 })]);
  }, 60_000);
});
