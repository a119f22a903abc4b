import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { InMemoryLayerSummaryStore, analyzeImageReference } from "@secapi/scanners";
import type { AnalyzeImageReferenceOptions } from "@secapi/scanners";
import { TestRegistry, missingRegistryTools } from "@secapi/testing";

/**
 * Pulling and analysing a ~200 MB image (a Debian-like base with a dpkg status and many files, a node_modules
 * layer, a small app layer) from a registry on loopback, with an empty layer summary store (cold) and after
 * another image sharing all but the top layer was analysed (warm: only the top layer is downloaded and read).
 * Target: warm / cold < 0.2. Peak RSS and heap are sampled during each analysis.
 */

const run = promisify(execFile);
const TARGET_RATIO = 0.2;

async function writeTree(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** A gzipped layer tar of `files` (incompressible filler makes its compressed size what it says). */
async function layer(work: string, name: string, files: Record<string, string | Buffer>): Promise<string> {
  const tree = join(work, `${name}-tree`);
  await writeTree(tree, files);
  const blob = join(work, `${name}.tar.gz`);
  await run("tar", ["-C", tree, "-I", "gzip -1", "-cf", blob, "."]);
  await rm(tree, { recursive: true, force: true });
  return blob;
}

function baseFiles(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = { "etc/os-release": "ID=debian\nVERSION_ID=12\n" };
  const paragraphs: string[] = [];
  for (let i = 0; i < 400; i++) {
    paragraphs.push(
      `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}.0-1\nDescription: filler\n long text ${"x".repeat(200)}\n`,
    );
  }
  files["var/lib/dpkg/status"] = paragraphs.join("\n");
  // 1,500 files of 80 KB: 120 MB.
  for (let i = 0; i < 1500; i++) files[`usr/lib/x86_64-linux-gnu/lib${i}.so.1`] = randomBytes(80 * 1024);
  return files;
}

function nodeModulesFiles(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < 3000; i++) {
    files[`app/node_modules/mod${i}/package.json`] = JSON.stringify({ name: `mod${i}`, version: `1.0.${i}` });
    files[`app/node_modules/mod${i}/index.js`] = randomBytes(25 * 1024);
  }
  return files;
}

async function timed(analyse: () => Promise<unknown>): Promise<{ ms: number; peakRss: number; peakHeap: number }> {
  global.gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  try {
    await analyse();
  } finally {
    clearInterval(sampler);
  }
  sample();
  return { ms: performance.now() - started, peakRss, peakHeap };
}

export default async function imageLayerCacheBench(): Promise<void> {
  console.log("\n## Image pull: layer summary cache, cold vs warm\n");
  const missing = missingRegistryTools();
  if (missing !== undefined) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const work = await mkdtemp(join(tmpdir(), "secapi-image-bench-"));
  const registry = await TestRegistry.start();
  try {
    const base = await layer(work, "base", baseFiles());
    const modules = await layer(work, "modules", nodeModulesFiles());
    const topA = await layer(work, "top-a", {
      "app/server.js": randomBytes(512 * 1024),
      "app/node_modules/a/package.json": '{"name":"a","version":"1.0.0"}',
    });
    const topB = await layer(work, "top-b", {
      "app/server.js": randomBytes(512 * 1024),
      "app/node_modules/b/package.json": '{"name":"b","version":"2.0.0"}',
    });
    await registry.pushLayers("bench/app", "a", [base, modules, topA]);
    await registry.pushLayers("bench/app", "b", [base, modules, topB]);
    const sizes = await Promise.all([base, modules, topB].map(async (file) => (await stat(file)).size));
    const total = sizes.reduce((a, b) => a + b, 0);

    const jobDir = join(work, "job");
    await mkdir(jobDir);
    const options = (store: InMemoryLayerSummaryStore): AnalyzeImageReferenceOptions => ({
      workDir: jobDir,
      maxBytes: 2 ** 31,
      allowedRegistries: [registry.host],
      insecureRegistries: [registry.host],
      dockerConfig: join(work, "no-docker-config.json"),
      layerStore: store,
    });
    const imageB = `${registry.host}/bench/app:b`;
    const cold = await timed(() => analyzeImageReference(imageB, options(new InMemoryLayerSummaryStore())));
    const warmStore = new InMemoryLayerSummaryStore();
    await analyzeImageReference(`${registry.host}/bench/app:a`, options(warmStore));
    const warm = await timed(() => analyzeImageReference(imageB, options(warmStore)));

    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `image: ${mb(total)} MB compressed in 3 layers (top layer ${mb(sizes[2] ?? 0)} MB), 400 dpkg packages, 3,002 npm packages\n`,
    );
    console.log("| analysis of image b | time ms | peak RSS MB | peak heap MB |");
    console.log("|---|---:|---:|---:|");
    console.log(`| cold (empty layer store) | ${cold.ms.toFixed(0)} | ${mb(cold.peakRss)} | ${mb(cold.peakHeap)} |`);
    console.log(
      `| warm (image a, sharing all but the top layer, analysed first) | ${warm.ms.toFixed(0)} | ${mb(warm.peakRss)} | ${mb(warm.peakHeap)} |`,
    );
    const ratio = warm.ms / cold.ms;
    console.log(`\nwarm / cold = ${ratio.toFixed(3)} (target < ${TARGET_RATIO}: ${ratio < TARGET_RATIO ? "met" : "NOT met"})`);
  } finally {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}
