import { hash, randomBytes } from "node:crypto";

const KEY_PREFIX = "sk_";
/** 32 random bytes: 256 bits, beyond any guessing. */
const KEY_BYTES = 32;
const VISIBLE_PREFIX_LENGTH = 11;

export interface GeneratedApiKey {
  /** Shown to the user once, never stored. */
  key: string;
  /** SHA-256 hex of the key: what the database keeps. */
  hash: string;
  /** The first characters, stored so users can tell their keys apart. */
  prefix: string;
}

/** The stored form of a key. A fast hash suffices: the key is high-entropy, so there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return hash("sha256", key, "hex");
}

/** A new random key (`sk_` + 43 base64url characters). */
export function generateApiKey(): GeneratedApiKey {
  const key = KEY_PREFIX + randomBytes(KEY_BYTES).toString("base64url");
  return { key, hash: hashApiKey(key), prefix: key.slice(0, VISIBLE_PREFIX_LENGTH) };
}

/** Stored form of an operator-chosen key (BOOTSTRAP_ADMIN_KEY). */
export function describeApiKey(key: string): GeneratedApiKey {
  return { key, hash: hashApiKey(key), prefix: key.slice(0, VISIBLE_PREFIX_LENGTH) };
}
