import { describe, expect, it } from "vitest";
import { ALPHABET, fakeTokens } from "./fake-token.fixture.js";
import { looksLikeCode } from "./looks-like-code.js";

describe("looksLikeCode", () => {
  it.each([
    "process.env.SECRET_TOKEN",
    "config.database.password",
    "GITHUB_TOKEN_SECRET_NAME",
    "my-secret-name-in-vault",
    "/run/secrets/db_password",
    "./certs/private_key.pem",
    "/*#__PURE__*/function",
    "isTokenOfTypeWithConditions",
    "AuthenticationMD5Password",
    "OpeningParenToken$1",
    "TSPrivateKeyword",
    "isEndOfFileToken",
    "getDatabasePassword",
  ])("recognises %s", (value) => {
    expect(looksLikeCode(value)).toBe(true);
  });

  it("does not mistake random credentials for code", () => {
    const fake = fakeTokens(3);
    for (const alphabet of [ALPHABET.alnum, ALPHABET.base64, ALPHABET.hex]) {
      for (let i = 0; i < 20; i += 1) expect(looksLikeCode(fake(alphabet, 32))).toBe(false);
    }
  });

  it("does not treat a lower-case-only value as an identifier", () => {
    expect(looksLikeCode("qwhdksuaoenxmzbvlpty")).toBe(false);
  });
});
