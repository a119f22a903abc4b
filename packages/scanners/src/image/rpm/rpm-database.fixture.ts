import { loadSqlJs } from "./rpm-database.js";
import type { RpmHeaderFields } from "./rpm-header.js";
import { rpmHeaderBlob } from "./rpm-header.fixture.js";

/** An `rpmdb.sqlite` made with sql.js, with rpm's own `Packages` schema, holding a header blob per package (and `extra` raw blobs). */
export async function rpmSqliteDatabase(packages: RpmHeaderFields[], extra: Buffer[] = []): Promise<Buffer> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    db.run("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
    for (const blob of [...packages.map(rpmHeaderBlob), ...extra]) db.run("INSERT INTO Packages (blob) VALUES (?)", [blob]);
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
}
