import { controlParagraphs } from "./control-paragraphs.js";
import { type LockfileContent, imageLockfileFormat, readImageLockfile } from "./image-lockfiles.js";

/** A package an image's package database or metadata lists, before it is named for its ecosystem and release. */
export interface InstalledPackage {
  /**
   * `os` packages are named with the image's release (`12/openssl`); language packages stand alone. `go` comes
   * from a binary's build info and `maven` from a jar's pom.properties (language-binaries.ts), not from a path.
   */
  kind: "dpkg" | "apk" | "rpm" | "npm" | "pypi" | "go" | "maven";
  name: string;
  /**
   * rpm only: the source package it was built from (by its source rpm), for ecosystems whose advisories name
   * source packages. dpkg and apk packages are already named by their source package.
   */
  source?: string;
  /** Empty when the metadata gives none (reported as unchecked). */
  version: string;
}

/**
 * What one metadata file of the image says. `unread-database`: a package database in a format not read (rpm's
 * BerkeleyDB and ndb); while visible in the image it stands for all the packages it lists, as one unchecked entry.
 * `lockfile`: an application's lockfile, whose packages are already named for their ecosystem.
 */
export type PackageFileContent =
  | { type: "os-release"; text: string }
  | { type: "packages"; packages: InstalledPackage[] }
  | { type: "unread-database"; reason: string }
  | LockfileContent;

/** Which metadata a file of the image is, by its path (no leading `/`); undefined for every other file. */
export type PackageFileKind = "os-release" | "dpkg" | "apk" | "npm" | "pypi" | "lockfile" | RpmDatabaseKind;

/** rpm's package databases: SQLite (rpm ≥ 4.16), BerkeleyDB (older rpm), ndb (SUSE's own format). */
export type RpmDatabaseKind = "rpm-sqlite" | "rpm-bdb" | "rpm-ndb";

// rpm's database directory: `/var/lib/rpm`, or `/usr/lib/sysimage/rpm` (Fedora 36+, SUSE; `/var/lib/rpm` links there).
const RPM_DATABASE = /^(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/(rpmdb\.sqlite|Packages|Packages\.db)$/;
const RPM_DATABASE_KINDS: Record<string, RpmDatabaseKind> = { "rpmdb.sqlite": "rpm-sqlite", Packages: "rpm-bdb", "Packages.db": "rpm-ndb" };

const NPM_PACKAGE_JSON = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/;
const PYTHON_METADATA = /(?:^|\/)[^/]+\.dist-info\/METADATA$/;

/** The kind of metadata at `path`, if the analysis reads it. */
export function packageFileKind(path: string): PackageFileKind | undefined {
  if (path === "etc/os-release" || path === "usr/lib/os-release") return "os-release";
  if (path === "var/lib/dpkg/status" || /^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path)) return "dpkg";
  if (path === "lib/apk/db/installed") return "apk";
  const rpmDatabase = RPM_DATABASE.exec(path)?.[1];
  if (rpmDatabase !== undefined) return RPM_DATABASE_KINDS[rpmDatabase];
  if (NPM_PACKAGE_JSON.test(path)) return "npm";
  if (PYTHON_METADATA.test(path)) return "pypi";
  if (imageLockfileFormat(path) !== undefined) return "lockfile";
  return undefined;
}

/** Whether `kind` is one of rpm's package databases (binary files, read by layer-summary.ts, not as text). */
export function isRpmDatabaseKind(kind: PackageFileKind): kind is RpmDatabaseKind {
  return kind === "rpm-sqlite" || kind === "rpm-bdb" || kind === "rpm-ndb";
}

/** Reads one text metadata file found at `path`; malformed content yields no packages rather than failing the image. */
export function readPackageFile(kind: Exclude<PackageFileKind, RpmDatabaseKind>, text: string, path: string): PackageFileContent {
  switch (kind) {
    case "os-release":
      return { type: "os-release", text };
    case "dpkg":
      return { type: "packages", packages: dpkgPackages(text) };
    case "apk":
      return { type: "packages", packages: apkPackages(text) };
    case "npm":
      return { type: "packages", packages: npmPackage(text) };
    case "pypi":
      return { type: "packages", packages: pythonPackage(text) };
    case "lockfile": {
      const definition = imageLockfileFormat(path);
      // packageFileKind said "lockfile" for this path, so it has a format.
      if (definition === undefined) throw new TypeError(`not an image lockfile: ${path}`);
      return readImageLockfile(definition, path, text);
    }
  }
}

/**
 * Installed dpkg packages, named by source package (OSV's Debian advisories are per source package) with the
 * source version when `Source:` gives one (`openssl (3.0.11-1)`, binNMUs), else the binary version.
 * `status.d/*` files (distroless) hold one paragraph without `Status:`; they count as installed.
 */
function dpkgPackages(text: string): InstalledPackage[] {
  return controlParagraphs(text).flatMap((fields) => {
    const status = fields.get("Status");
    const binary = fields.get("Package");
    if (binary === undefined || (status !== undefined && status !== "install ok installed")) return [];
    const source = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(fields.get("Source") ?? "");
    return [{ kind: "dpkg" as const, name: source?.[1] ?? binary, version: source?.[2] ?? fields.get("Version") ?? "" }];
  });
}

/** apk's installed database: `P:` name, `V:` version, `o:` origin (the source package OSV's Alpine advisories name). */
function apkPackages(text: string): InstalledPackage[] {
  return text.split(/\r?\n\s*\r?\n/).flatMap((block) => {
    const fields = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const match = /^([A-Za-z]):(.*)$/.exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined && !fields.has(match[1])) fields.set(match[1], match[2].trim());
    }
    const name = fields.get("o") ?? fields.get("P");
    return name === undefined || name === "" ? [] : [{ kind: "apk" as const, name, version: fields.get("V") ?? "" }];
  });
}

function npmPackage(text: string): InstalledPackage[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof manifest !== "object" || manifest === null) return [];
  const { name, version } = manifest as { name?: unknown; version?: unknown };
  return typeof name === "string" && name !== "" ? [{ kind: "npm", name, version: typeof version === "string" ? version : "" }] : [];
}

/** Core metadata headers (RFC 822 style) up to the first blank line: `Name:`, `Version:`. */
function pythonPackage(text: string): InstalledPackage[] {
  const headers = text.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const field = (key: string) => new RegExp(`^${key}:[ \\t]*(.*)$`, "im").exec(headers)?.[1]?.trim();
  const name = field("Name");
  return name === undefined || name === "" ? [] : [{ kind: "pypi", name, version: field("Version") ?? "" }];
}
