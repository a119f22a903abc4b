import type { RpmHeaderFields } from "./rpm-header.js";

/**
 * A header blob as rpm writes it into rpmdb.sqlite (big-endian index of tag, type, offset, count; then the data):
 * the fields given plus an unrelated tag (SUMMARY, 1004) first, so the parser has to look entries up by tag.
 */
export function rpmHeaderBlob(fields: RpmHeaderFields): Buffer {
  const entries: [tag: number, type: number, value: string | number][] = [[1004, 6, `${fields.name} summary`]];
  entries.push([1000, 6, fields.name], [1001, 6, fields.version], [1002, 6, fields.release]);
  if (fields.epoch !== undefined) entries.push([1003, 4, fields.epoch]);
  if (fields.arch !== undefined) entries.push([1022, 6, fields.arch]);
  if (fields.sourceRpm !== undefined) entries.push([1044, 6, fields.sourceRpm]);
  const index = Buffer.alloc(entries.length * 16);
  const data: Buffer[] = [];
  let size = 0;
  for (const [i, [tag, type, value]] of entries.entries()) {
    // INT32 data is 4-byte aligned in a real header.
    if (type === 4 && size % 4 !== 0) {
      data.push(Buffer.alloc(4 - (size % 4)));
      size += 4 - (size % 4);
    }
    const bytes = typeof value === "number" ? Buffer.alloc(4) : Buffer.from(`${value}\0`, "utf8");
    if (typeof value === "number") bytes.writeInt32BE(value);
    index.writeUInt32BE(tag, i * 16);
    index.writeUInt32BE(type, i * 16 + 4);
    index.writeUInt32BE(size, i * 16 + 8);
    index.writeUInt32BE(1, i * 16 + 12);
    data.push(bytes);
    size += bytes.length;
  }
  const counts = Buffer.alloc(8);
  counts.writeUInt32BE(entries.length, 0);
  counts.writeUInt32BE(size, 4);
  return Buffer.concat([counts, index, ...data]);
}
