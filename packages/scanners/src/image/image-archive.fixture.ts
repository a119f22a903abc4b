import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

/** One entry of a synthetic tar: a file with content, or a directory / symlink. */
export interface FixtureEntry {
  path: string;
  content?: string | Buffer;
  type?: "file" | "directory" | "symlink";
  linkname?: string;
  /** Permission bits (tar's default 0644; executables 0755). */
  mode?: number;
}

/** The bytes of a tar holding `entries`, in order. */
export async function tarBytes(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk);
  })();
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const type = entry.type ?? "file";
      const header = {
        name: entry.path,
        type,
        ...(entry.linkname !== undefined && { linkname: entry.linkname }),
        ...(entry.mode !== undefined && { mode: entry.mode }),
      };
      const content = type === "file" ? Buffer.from(entry.content ?? "") : undefined;
      pack.entry(header, content, (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export const gzip = (bytes: Buffer): Buffer => gzipSync(bytes);

/** A zstd frame of raw (stored) blocks: valid zstd that needs no compressor, which Node 20 lacks. */
export function zstdStored(bytes: Buffer): Buffer {
  const BLOCK = 128 * 1024;
  // Frame header: no checksum, no content size; window descriptor 0x38 = 2^17 bytes, the largest block.
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += BLOCK) {
    const block = bytes.subarray(offset, offset + BLOCK);
    const last = offset + BLOCK >= bytes.length ? 1 : 0;
    const header = (block.length << 3) | last; // block type 0: raw
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), block);
  }
  return Buffer.concat(parts);
}

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

const CONFIG = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });

/** A legacy `docker save` archive (manifest.json, `<id>.json`, `<n>/layer.tar`) of layer blobs, bottom first. */
export async function dockerSaveArchive(layers: Buffer[]): Promise<{ archive: Buffer; configDigest: string }> {
  const configDigest = sha256(CONFIG);
  const configName = `${configDigest.slice(7)}.json`;
  const layerNames = layers.map((_, i) => `layer${i}/layer.tar`);
  const manifest = JSON.stringify([{ Config: configName, RepoTags: ["fixture:latest"], Layers: layerNames }]);
  const archive = await tarBytes([
    ...layers.flatMap((layer, i) => [
      { path: `layer${i}`, type: "directory" as const },
      { path: layerNames[i] ?? "", content: layer },
    ]),
    { path: configName, content: CONFIG },
    { path: "manifest.json", content: manifest },
  ]);
  return { archive, configDigest };
}

/** An OCI image layout archive (oci-layout, index.json, blobs/sha256/…) of layer blobs, bottom first. */
export async function ociLayoutArchive(
  layers: Buffer[],
  options: { corruptBlob?: boolean; omitLayerBlobs?: boolean } = {},
): Promise<{ archive: Buffer; manifestDigest: string }> {
  const layerDescriptors = layers.map((layer) => ({
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: sha256(layer),
    size: layer.length,
  }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(CONFIG), size: CONFIG.length },
    layers: layerDescriptors,
  });
  const manifestDigest = sha256(manifest);
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest, size: manifest.length }],
  });
  const blob = (digest: string, content: string | Buffer) => ({ path: `blobs/sha256/${digest.slice(7)}`, content });
  const archive = await tarBytes([
    { path: "oci-layout", content: JSON.stringify({ imageLayoutVersion: "1.0.0" }) },
    { path: "index.json", content: index },
    blob(manifestDigest, manifest),
    blob(sha256(CONFIG), CONFIG),
    ...(options.omitLayerBlobs === true
      ? []
      : layers.map((layer) => blob(sha256(layer), options.corruptBlob === true ? Buffer.concat([layer, Buffer.from("x")]) : layer))),
  ]);
  return { archive, manifestDigest };
}

/** The archive as a stream of small chunks, as a request body arrives. */
export async function* chunked(bytes: Buffer, size = 4096): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
