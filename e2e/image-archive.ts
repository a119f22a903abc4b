import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

/** One entry of a synthetic tar: a file with content, or a directory / symlink. */
export interface TarEntry {
  path: string;
  content?: string | Buffer;
  type?: "file" | "directory" | "symlink";
  linkname?: string;
}

/** The bytes of a tar holding `entries`, in order (names as given: `../` and absolute paths included). */
export async function tarBytes(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const type = entry.type ?? "file";
      const header = { name: entry.path, type, ...(entry.linkname !== undefined && { linkname: entry.linkname }) };
      pack.entry(header, type === "file" ? Buffer.from(entry.content ?? "") : undefined, (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export const gzip = (bytes: Buffer): Buffer => gzipSync(bytes);

const CONFIG = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });

/**
 * A `docker save` archive (manifest.json, `<config>.json`, `layerN/layer.tar`) of layer blobs, bottom first; `extra`
 * entries are added to the outer tar, `layerPaths` replaces where the manifest says the layers are.
 */
export async function dockerSaveArchive(
  layers: Buffer[],
  options: { extra?: TarEntry[]; layerPaths?: string[] } = {},
): Promise<{ archive: Buffer; imageId: string; layerDigests: string[] }> {
  const imageId = sha256(CONFIG);
  const configName = `${imageId.slice("sha256:".length)}.json`;
  const layerPaths = options.layerPaths ?? layers.map((_, i) => `layer${i}/layer.tar`);
  const manifest = JSON.stringify([{ Config: configName, RepoTags: ["e2e/debian-app:1"], Layers: layerPaths }]);
  const archive = await tarBytes([
    ...layers.map((layer, i) => ({ path: layerPaths[i] ?? "", content: layer })),
    ...(options.extra ?? []),
    { path: configName, content: CONFIG },
    { path: "manifest.json", content: manifest },
  ]);
  return { archive, imageId, layerDigests: layers.map((layer) => sha256(layer)) };
}

/** dpkg `status` paragraphs of installed packages. */
export function dpkgStatus(packages: { name: string; version: string; source?: string }[]): string {
  return packages
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: install ok installed\n${p.source === undefined ? "" : `Source: ${p.source}\n`}Version: ${p.version}\n`,
    )
    .join("\n");
}

export const DEBIAN_12_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
