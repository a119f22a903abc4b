/** The fields of one installed rpm that matching needs, from its header. */
export interface RpmHeaderFields {
  name: string;
  /** Absent for most packages (rpm orders a missing epoch as 0). */
  epoch?: number;
  version: string;
  release: string;
  /** `x86_64`, `noarch`…; absent in gpg-pubkey pseudo-packages. */
  arch?: string;
  /** `openssl-3.0.7-25.el9.src.rpm`: the source package it was built from. */
  sourceRpm?: string;
}

// rpm's tag numbers (lib/rpmtag.h) and data types (RPM_*_TYPE).
const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, arch: 1022, sourceRpm: 1044 } as const;
const INT32_TYPE = 4;
const STRING_TYPE = 6;
const I18NSTRING_TYPE = 9;
const ENTRY_BYTES = 16;
// rpm's own limits on an imported header (lib/header.c: hdrchkTags, hdrchkData).
const MAX_ENTRIES = 0xffff;
const MAX_DATA_BYTES = 256 * 1024 * 1024;

/**
 * Reads a header blob as rpm stores it in its database (lib/header.c `headerImport` without the lead magic): the
 * index entry count and data size (big-endian int32), the index entries (tag, type, offset, count), then the
 * data. Only the fields of RpmHeaderFields are read; every offset is checked against the blob. Null when the
 * blob is not a header or lacks a name, version or release.
 */
export function parseRpmHeader(blob: Uint8Array): RpmHeaderFields | null {
  if (blob.length < 8) return null;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const entries = view.getUint32(0);
  const dataBytes = view.getUint32(4);
  const dataStart = 8 + entries * ENTRY_BYTES;
  if (entries > MAX_ENTRIES || dataBytes > MAX_DATA_BYTES || dataStart + dataBytes > blob.length) return null;
  const data = blob.subarray(dataStart, dataStart + dataBytes);
  const found: Partial<Record<keyof typeof TAG, string | number>> = {};
  for (let index = 0; index < entries; index++) {
    const at = 8 + index * ENTRY_BYTES;
    const tag = view.getUint32(at);
    const field = (Object.keys(TAG) as (keyof typeof TAG)[]).find((name) => TAG[name] === tag);
    if (field === undefined) continue;
    const type = view.getUint32(at + 4);
    const offset = view.getUint32(at + 8);
    if (offset >= data.length) return null;
    if (type === INT32_TYPE) {
      if (offset + 4 > data.length) return null;
      found[field] = new DataView(data.buffer, data.byteOffset + offset, 4).getInt32(0);
    } else if (type === STRING_TYPE || type === I18NSTRING_TYPE) {
      const end = data.indexOf(0, offset);
      if (end < 0) return null;
      found[field] = Buffer.from(data.subarray(offset, end)).toString("utf8");
    }
  }
  const { name, version, release, epoch, arch, sourceRpm } = found;
  if (typeof name !== "string" || typeof version !== "string" || typeof release !== "string") return null;
  return {
    name,
    version,
    release,
    ...(typeof epoch === "number" && { epoch }),
    ...(typeof arch === "string" && { arch }),
    ...(typeof sourceRpm === "string" && { sourceRpm }),
  };
}

/** `[epoch:]version-release`, as rpm prints it and OSV's rpm-based ecosystems write versions. */
export function rpmEvr({ epoch, version, release }: RpmHeaderFields): string {
  return `${epoch === undefined ? "" : `${epoch}:`}${version}-${release}`;
}
