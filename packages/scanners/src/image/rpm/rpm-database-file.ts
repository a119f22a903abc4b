import { rpmSourceName } from "../../dependencies/ecosystems/rpm-distro.js";
import type { UncheckedEntry } from "../../dependencies/package-set.js";
import type { InstalledPackage, PackageFileContent, RpmDatabaseKind } from "../installed-package-files.js";
import { readRpmSqliteDatabase } from "./rpm-database.js";
import { rpmEvr } from "./rpm-header.js";

/** What an rpm database file of a layer says: its packages or why they are not read, and notes for `unchecked`. */
export interface RpmDatabaseFileSummary {
  /** Null when the file could not be read at all (it still hides lower layers' database). */
  content: PackageFileContent | null;
  unchecked: UncheckedEntry[];
}

const UNREAD_FORMATS: Record<Exclude<RpmDatabaseKind, "rpm-sqlite">, string> = {
  "rpm-bdb": "rpm BerkeleyDB database (rpm < 4.16: RHEL, CentOS, Rocky and AlmaLinux 8 and older) not read",
  "rpm-ndb": "rpm ndb database (SUSE) not read",
};

/** The reason a database format that is not read gives; its bytes are never needed. */
export function unreadRpmDatabase(kind: Exclude<RpmDatabaseKind, "rpm-sqlite">): PackageFileContent {
  return { type: "unread-database", reason: `${UNREAD_FORMATS[kind]}: the image's rpm packages are not checked` };
}

/**
 * The installed packages of an `rpmdb.sqlite` (already bounded in size by the caller), each with the source
 * package its source rpm names; a database that does not read, or headers that do not, are noted, not fatal.
 */
export async function rpmSqliteFileSummary(path: string, bytes: Uint8Array): Promise<RpmDatabaseFileSummary> {
  let contents;
  try {
    contents = await readRpmSqliteDatabase(bytes);
  } catch {
    const reason = "not a readable rpm SQLite database: the image's rpm packages are not checked";
    return { content: null, unchecked: [{ ecosystem: "rpm", name: path, spec: `/${path}`, kind: "malformed_entry", reason }] };
  }
  const packages = contents.packages.map((header): InstalledPackage => {
    const source = header.sourceRpm === undefined ? null : rpmSourceName(header.sourceRpm);
    return { kind: "rpm", name: header.name, version: rpmEvr(header), ...(source !== null && { source }) };
  });
  const unchecked: UncheckedEntry[] =
    contents.unreadable === 0
      ? []
      : [
          {
            ecosystem: "rpm",
            name: path,
            spec: `/${path}`,
            kind: "malformed_entry",
            reason: `${contents.unreadable} package header(s) of the rpm database could not be read`,
          },
        ];
  return { content: { type: "packages", packages }, unchecked };
}
