import { describe, expect, it } from "vitest";
import { packageFileKind } from "../installed-package-files.js";
import { rpmSqliteFileSummary, unreadRpmDatabase } from "./rpm-database-file.js";
import { rpmSqliteDatabase } from "./rpm-database.fixture.js";

describe("rpm database files", () => {
  it("are found in /var/lib/rpm and /usr/lib/sysimage/rpm, by format", () => {
    expect(packageFileKind("var/lib/rpm/rpmdb.sqlite")).toBe("rpm-sqlite");
    expect(packageFileKind("usr/lib/sysimage/rpm/rpmdb.sqlite")).toBe("rpm-sqlite");
    expect(packageFileKind("var/lib/rpm/Packages")).toBe("rpm-bdb");
    expect(packageFileKind("var/lib/rpm/Packages.db")).toBe("rpm-ndb");
    expect(packageFileKind("usr/lib/sysimage/rpm/Packages.db")).toBe("rpm-ndb");
    expect(packageFileKind("var/lib/rpm/rpmdb.sqlite-shm")).toBeUndefined();
    expect(packageFileKind("opt/var/lib/rpm/rpmdb.sqlite")).toBeUndefined();
  });

  it("list an rpmdb.sqlite's packages with their source package and [epoch:]version-release", async () => {
    const database = await rpmSqliteDatabase([
      {
        name: "openssl-libs",
        epoch: 1,
        version: "3.0.7",
        release: "25.el9_3",
        arch: "x86_64",
        sourceRpm: "openssl-3.0.7-25.el9_3.src.rpm",
      },
      { name: "no-source", version: "1.0", release: "1" },
    ]);
    expect(await rpmSqliteFileSummary("var/lib/rpm/rpmdb.sqlite", database)).toEqual({
      content: {
        type: "packages",
        packages: [
          { kind: "rpm", name: "openssl-libs", version: "1:3.0.7-25.el9_3", source: "openssl" },
          { kind: "rpm", name: "no-source", version: "1.0-1" },
        ],
      },
      unchecked: [],
    });
  });

  it("note what they cannot read", async () => {
    expect(await rpmSqliteFileSummary("var/lib/rpm/rpmdb.sqlite", Buffer.from("SQLite format 3\0 but not really"))).toMatchObject({
      content: null,
      unchecked: [{ ecosystem: "rpm", kind: "malformed_entry", name: "var/lib/rpm/rpmdb.sqlite" }],
    });
    expect(unreadRpmDatabase("rpm-bdb")).toEqual({
      type: "unread-database",
      reason:
        "rpm BerkeleyDB database (rpm < 4.16: RHEL, CentOS, Rocky and AlmaLinux 8 and older) not read: the image's rpm packages are not checked",
    });
  });
});
