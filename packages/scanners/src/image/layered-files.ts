import type { PackageFileContent } from "./installed-package-files.js";

/** A metadata file that is visible in the image so far, with the layer that wrote it. */
export interface LayeredFile {
  content: PackageFileContent;
  layerIndex: number;
  layerDigest: string;
  /** For package lists: the layer that first listed each package (`name@version`), kept while it stays listed. */
  introducedIn: Map<string, string>;
}

/**
 * The union filesystem of the layers read so far, restricted to the metadata files the analysis reads. Later
 * layers replace files, whiteouts (`.wh.<name>`) delete a path and all below it, an opaque marker
 * (`.wh..wh..opq`) hides everything lower layers put in its directory.
 */
export class LayeredFiles {
  private readonly files = new Map<string, LayeredFile>();
  /** How many stored files lie below each directory: a removal under no stored file is skipped without a scan. */
  private readonly filesBelow = new Map<string, number>();

  /** A whiteout (`.wh.<name>`) of layer `layerIndex`: lower layers' `path` and all below it are gone. */
  remove(path: string, layerIndex: number): void {
    this.removeBelow(path, layerIndex, true);
  }

  /** An opaque directory (`.wh..wh..opq`) of layer `layerIndex`: lower layers' content below `dir` is gone. */
  hideDirectory(dir: string, layerIndex: number): void {
    this.removeBelow(dir, layerIndex, false);
  }

  set(path: string, content: PackageFileContent, layerIndex: number, layerDigest: string): void {
    const lower = this.files.get(path);
    this.removeBelow(path, layerIndex, false);
    const introducedIn = new Map<string, string>();
    if (content.type === "packages" || content.type === "lockfile") {
      for (const pkg of content.packages) {
        const key = `${pkg.name}@${pkg.version}`;
        introducedIn.set(key, lower?.introducedIn.get(key) ?? layerDigest);
      }
    }
    if (!this.files.has(path)) this.countBelow(path, 1);
    this.files.set(path, { content, layerIndex, layerDigest, introducedIn });
  }

  get(path: string): LayeredFile | undefined {
    return this.files.get(path);
  }

  /** The visible files, in path order (results do not depend on tar entry order). */
  entries(): [string, LayeredFile][] {
    return [...this.files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private removeBelow(path: string, layerIndex: number, includingPath: boolean): void {
    if (path !== "" && !this.filesBelow.has(path) && !(includingPath && this.files.has(path))) return;
    const prefix = path === "" ? "" : `${path}/`;
    for (const [key, file] of this.files) {
      if (file.layerIndex >= layerIndex) continue;
      if ((includingPath && key === path) || key.startsWith(prefix)) {
        this.files.delete(key);
        this.countBelow(key, -1);
      }
    }
  }

  private countBelow(path: string, delta: 1 | -1): void {
    for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
      const dir = path.slice(0, slash);
      const count = (this.filesBelow.get(dir) ?? 0) + delta;
      if (count === 0) this.filesBelow.delete(dir);
      else this.filesBelow.set(dir, count);
    }
  }
}
