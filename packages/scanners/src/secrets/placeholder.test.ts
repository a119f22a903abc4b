import { describe, expect, it } from "vitest";
import { ALPHABET, fakeTokens } from "./fake-token.fixture.js";
import { isPlaceholder } from "./placeholder.js";

const fake = fakeTokens(11);

describe("isPlaceholder", () => {
  it.each(["${GITHUB_TOKEN}", "$GITHUB_TOKEN", "%API_KEY%", "<token>", "<YOUR_API_KEY>", "{{ secret }}", "{secret}"])(
    "treats the variable reference or template slot %s as a placeholder",
    (value) => {
      expect(isPlaceholder(value, `token: ${value}`)).toBe(true);
    },
  );

  it.each([
    "aaaaaaaaaaaaaaaaaaaa",
    "AKIAXXXXXXXXXXXXXXXX",
    "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "****************",
    "0000000000000000",
    "ghp_................................",
  ])("treats the masked value %s as a placeholder", (value) => {
    expect(isPlaceholder(value, value)).toBe(true);
  });

  it.each([
    "changeme",
    "CHANGE_ME",
    "your_api_key_here",
    "YOUR-TOKEN",
    "example-key-1",
    "dummy_secret_value",
    "placeholder",
    "[REDACTED]",
    "null",
    "None",
    "true",
    "false",
    "password",
    "replace-me-before-deploy",
    "1234567890abcdef",
  ])("treats the word %s as a placeholder", (value) => {
    expect(isPlaceholder(value, `secret = ${value}`)).toBe(true);
  });

  it("recognises the AWS documentation keys", () => {
    expect(isPlaceholder("AKIAIOSFODNN7EXAMPLE", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE")).toBe(true);
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    expect(isPlaceholder(secret, `aws_secret_access_key = ${secret}`)).toBe(true);
  });

  it("treats a value wrapped in a template on its line as a placeholder", () => {
    expect(isPlaceholder("vault_db_password_prod", "password: {{ vault_db_password_prod }}")).toBe(true);
    expect(isPlaceholder("SECRET_FROM_ENV", 'key = "${ SECRET_FROM_ENV }"')).toBe(true);
  });

  it("keeps random credentials", () => {
    for (const alphabet of [ALPHABET.alnum, ALPHABET.base64, ALPHABET.hex, ALPHABET.upperBase32]) {
      const secret = fake(alphabet, 32);
      expect(isPlaceholder(secret, `API_KEY=${secret}`)).toBe(false);
    }
    const token = "ghp_" + fake(ALPHABET.alnum, 36);
    expect(isPlaceholder(token, `"token": "${token}"`)).toBe(false);
  });

  it("keeps a weak but real password", () => {
    expect(isPlaceholder("hunter2!", "postgres://app:hunter2!@db/app")).toBe(false); // gitleaks:allow
  });
});
