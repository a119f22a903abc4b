import { createRequire } from "node:module";
import initSqlJs from "sql.js";
import type { SqlJsStatic } from "sql.js";
import { parseRpmHeader } from "./rpm-header.js";
import type { RpmHeaderFields } from "./rpm-header.js";

/** What an rpm database lists: its packages, and how many header blobs could not be read. */
export interface RpmDatabaseContents {
  packages: RpmHeaderFields[];
  unreadable: number;
}

let sqlJs: Promise<SqlJsStatic> | undefined;

/** sql.js (SQLite compiled to WebAssembly: no native build), loaded once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  const wasm = createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
  sqlJs ??= initSqlJs({ locateFile: () => wasm });
  return sqlJs;
}

/**
 * The packages of an rpm SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: RHEL 9, Fedora 33+, Rocky and Alma 9): each
 * row of its `Packages` table is one installed package's header blob. The database is read in memory (the caller
 * bounds its size); gpg-pubkey entries (imported signing keys, not software) are left out.
 *
 * @throws Error when the bytes are not a SQLite database with a `Packages` table.
 */
export async function readRpmSqliteDatabase(bytes: Uint8Array): Promise<RpmDatabaseContents> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(bytes);
  try {
    const packages: RpmHeaderFields[] = [];
    let unreadable = 0;
    const rows = db.prepare("SELECT blob FROM Packages ORDER BY hnum");
    try {
      while (rows.step()) {
        const [blob] = rows.get();
        const header = blob instanceof Uint8Array ? parseRpmHeader(blob) : null;
        if (header === null) unreadable++;
        else if (header.name !== "gpg-pubkey") packages.push(header);
      }
    } finally {
      rows.free();
    }
    return { packages, unreadable };
  } finally {
    db.close();
  }
}
