import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { InputKey } from "@secapi/db";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealedInputError extends Error {
  readonly code = "sealed_input_invalid";
  constructor(message: string) {
    super(message);
    this.name = "SealedInputError";
  }
}

function associatedData(key: InputKey): Buffer {
  return Buffer.from(`${key.scanType}\0${key.ownerId ?? ""}\0${key.inputHash}`, "utf8");
}

/**
 * Encrypts a scan input (AES-256-GCM) for the time it waits in Postgres, so a secret submitted for
 * scanning is never stored in clear. The input key is authenticated too: a sealed blob cannot be
 * replayed as another user's or another input's.
 */
export function sealInput(secretKey: Buffer, key: InputKey, input: unknown): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secretKey, iv);
  cipher.setAAD(associatedData(key));
  const body = Buffer.concat([cipher.update(JSON.stringify(input), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Decrypts what sealInput produced; throws SealedInputError if the key is wrong or the blob was altered. */
export function openInput(secretKey: Buffer, key: InputKey, sealed: Buffer): unknown {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
    throw new SealedInputError("sealed input has an unknown format");
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", secretKey, iv);
  decipher.setAAD(associatedData(key));
  decipher.setAuthTag(tag);
  try {
    const text = Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(text.toString("utf8"));
  } catch {
    throw new SealedInputError("sealed input cannot be opened with this SCAN_INPUT_KEY");
  }
}
