import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./redis-server.js";
import { waitFor } from "./wait-for.js";

const run = promisify(execFile);

const BINARIES = { registry: "/usr/bin/docker-registry", umoci: "umoci", skopeo: "skopeo" } as const;

/** Why the registry tests cannot run here (a binary missing), or undefined when they can. */
export function missingRegistryTools(): string | undefined {
  const missing = Object.entries(BINARIES)
    .filter(([, binary]) => !(binary.startsWith("/") ? existsSync(binary) : onPath(binary)))
    .map(([name]) => name);
  return missing.length === 0
    ? undefined
    : `registry tests skipped: ${missing.join(", ")} not installed (Debian packages docker-registry, umoci, skopeo; .ci/run installs them)`;
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir !== "" && existsSync(join(dir, binary)));
}

/**
 * A CNCF distribution registry (Debian's `docker-registry`) of the test's own: a free loopback port, a temp
 * config and storage dir, plain HTTP, stopped by PID and its dir removed by `stop()`.
 */
export class TestRegistry {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** `127.0.0.1:<port>`: the registry part of an image reference. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  static async start(): Promise<TestRegistry> {
    const dir = await mkdtemp(join(tmpdir(), "secapi-registry-"));
    const port = await freePort();
    const config = [
      "version: 0.1",
      "log:",
      "  level: error",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n");
    await writeFile(join(dir, "config.yml"), config);
    const child = spawn(BINARIES.registry, ["serve", join(dir, "config.yml")], { stdio: "ignore" });
    const registry = new TestRegistry(child, dir, port);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
          return (await fetch(`${registry.url}/v2/`).catch(() => undefined))?.ok;
        },
        { what: `docker-registry on ${port}`, timeoutMs: 30_000 },
      );
    } catch (error) {
      await registry.stop();
      throw error;
    }
    return registry;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid !== undefined) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      process.kill(this.child.pid, "SIGKILL");
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Copies an OCI layout image (`oci:<dir>:<tag>`) to `<repository>:<tag>` here, as OCI or Docker v2 schema 2. */
  async push(source: string, target: string, format: "oci" | "v2s2" = "oci"): Promise<void> {
    await run(BINARIES.skopeo, [
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      "--format",
      format,
      source,
      `docker://${this.host}/${target}`,
    ]);
  }

  /** Writes `<repository>@<digest>` (or a tag) as a `docker save` archive: what `docker save` would give. */
  async saveArchive(image: string, file: string): Promise<void> {
    await run(BINARIES.skopeo, [
      "copy",
      "--quiet",
      "--src-tls-verify=false",
      `docker://${this.host}/${image}`,
      `docker-archive:${file}:${image.split("@")[0]}`,
    ]);
  }

  /** A manifest as stored: its bytes, digest and size (what an index entry names). */
  async manifest(repository: string, reference: string): Promise<{ bytes: Buffer; digest: string; mediaType: string; json: unknown }> {
    const accept = [
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
    ].join(", ");
    const response = await fetch(`${this.url}/v2/${repository}/manifests/${reference}`, { headers: { accept } });
    if (!response.ok) throw new Error(`manifest ${repository}:${reference}: HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      bytes,
      digest: response.headers.get("docker-content-digest") ?? "",
      mediaType: response.headers.get("content-type") ?? "",
      json: JSON.parse(bytes.toString("utf8")),
    };
  }

  /**
   * Pushes an image made of ready layer blobs (e.g. `tar -czf` outputs), streamed from disk, with a minimal
   * linux/amd64 config: a fast way to a big image. Returns the manifest's digest.
   */
  async pushLayers(repository: string, tag: string, layerFiles: string[]): Promise<string> {
    const layers = [];
    for (const file of layerFiles) {
      const digest = await fileDigest(file);
      const { size } = await stat(file);
      await this.uploadBlob(repository, digest, size, () => createReadStream(file));
      layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest, size });
    }
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const configDigest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
    await this.uploadBlob(repository, configDigest, config.length, () => config);
    const manifest = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers,
    };
    return this.putManifest(repository, tag, manifest.mediaType, JSON.stringify(manifest));
  }

  /**
   * Unlinks blob `digest` from `repository` only (the registry keeps it for other repositories), leaving the
   * repository's manifests naming a blob it no longer holds.
   */
  async unlinkBlob(repository: string, digest: string): Promise<void> {
    const response = await fetch(`${this.url}/v2/${repository}/blobs/${digest}`, { method: "DELETE" });
    if (response.status !== 202)
      throw new Error(`DELETE blob ${digest} in ${repository}: HTTP ${response.status} ${await response.text()}`);
  }

  /** A monolithic blob upload (POST, then PUT with the digest). */
  private async uploadBlob(repository: string, digest: string, size: number, body: () => NodeJS.ReadableStream | Buffer): Promise<void> {
    const started = await fetch(`${this.url}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    const location = started.headers.get("location");
    if (started.status !== 202 || location === null) throw new Error(`blob upload to ${repository}: HTTP ${started.status}`);
    const target = new URL(location, this.url);
    target.searchParams.set("digest", digest);
    const content = body();
    const done = await fetch(target, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      body: Buffer.isBuffer(content) ? content : (content as unknown as ReadableStream),
      duplex: "half",
    } as RequestInit);
    if (done.status !== 201) throw new Error(`blob ${digest} upload to ${repository}: HTTP ${done.status} ${await done.text()}`);
  }

  /** PUTs a manifest or index (e.g. a multi-platform index of manifests pushed before); returns its digest. */
  async putManifest(repository: string, reference: string, mediaType: string, body: string): Promise<string> {
    const response = await fetch(`${this.url}/v2/${repository}/manifests/${reference}`, {
      method: "PUT",
      headers: { "content-type": mediaType },
      body,
    });
    if (!response.ok) throw new Error(`PUT manifest ${repository}:${reference}: HTTP ${response.status} ${await response.text()}`);
    return response.headers.get("docker-content-digest") ?? "";
  }
}

/** One layer of a test image: files to write (path → content) and paths to delete (whiteouts). */
export interface TestLayer {
  files?: Record<string, string | Buffer>;
  remove?: string[];
  /** Paths among `files` written with mode 0755 (executables). */
  executable?: string[];
}

/**
 * Builds an OCI image layout with umoci: one layer per TestLayer, each made by unpacking the image so far,
 * changing its rootfs and repacking (a deleted path becomes a whiteout); `from` starts from another tag of the same
 * layout, sharing its layers. Returns `oci:<dir>:<tag>` for `push`.
 */
export async function buildOciImage(
  dir: string,
  layers: TestLayer[],
  { tag = "latest", from, os = "linux", architecture = "amd64" }: { tag?: string; from?: string; os?: string; architecture?: string } = {},
): Promise<string> {
  const layout = join(dir, "layout");
  const image = `${layout}:${tag}`;
  if (!existsSync(layout)) await run(BINARIES.umoci, ["init", "--layout", layout]);
  if (from === undefined) {
    await run(BINARIES.umoci, ["new", "--image", image]);
    await run(BINARIES.umoci, ["config", "--image", image, "--os", os, "--architecture", architecture]);
  } else {
    // The new image starts as `from`: its layers are the same blobs (same digests).
    await run(BINARIES.umoci, ["tag", "--image", `${layout}:${from}`, tag]);
  }
  for (const [index, layer] of layers.entries()) {
    const bundle = join(dir, `bundle-${tag}-${index}`);
    await run(BINARIES.umoci, ["unpack", "--rootless", "--image", image, bundle]);
    const rootfs = join(bundle, "rootfs");
    for (const path of layer.remove ?? []) await rm(join(rootfs, path), { recursive: true, force: true });
    for (const [path, content] of Object.entries(layer.files ?? {})) {
      await mkdir(dirname(join(rootfs, path)), { recursive: true });
      await writeFile(join(rootfs, path), content, { mode: layer.executable?.includes(path) === true ? 0o755 : 0o644 });
    }
    await run(BINARIES.umoci, ["repack", "--image", image, bundle]);
    await rm(bundle, { recursive: true, force: true });
  }
  return `oci:${layout}:${tag}`;
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}
