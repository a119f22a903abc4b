import { describe, expect, it } from "vitest";
import { readRpmSqliteDatabase } from "./rpm-database.js";
import { rpmSqliteDatabase } from "./rpm-database.fixture.js";
import { parseRpmHeader, rpmEvr } from "./rpm-header.js";
import { rpmHeaderBlob } from "./rpm-header.fixture.js";

const opensslLibs = {
  name: "openssl-libs",
  epoch: 1,
  version: "3.0.7",
  release: "25.el9_3",
  arch: "x86_64",
  sourceRpm: "openssl-3.0.7-25.el9_3.src.rpm",
};
const bash = { name: "bash", version: "5.1.8", release: "6.el9_1", arch: "x86_64", sourceRpm: "bash-5.1.8-6.el9_1.src.rpm" };

describe("rpm headers", () => {
  it("reads name, epoch, version, release, arch and source rpm by tag", () => {
    expect(parseRpmHeader(rpmHeaderBlob(opensslLibs))).toEqual(opensslLibs);
    expect(parseRpmHeader(rpmHeaderBlob(bash))).toEqual(bash);
    expect(rpmEvr(opensslLibs)).toBe("1:3.0.7-25.el9_3");
    expect(rpmEvr(bash)).toBe("5.1.8-6.el9_1");
  });

  it("refuses blobs whose counts or offsets point outside them, and headers without a version", () => {
    const blob = rpmHeaderBlob(bash);
    expect(parseRpmHeader(blob.subarray(0, blob.length - 1))).toBeNull();
    expect(parseRpmHeader(Buffer.from([0, 0, 0, 1]))).toBeNull();
    const huge = Buffer.from(blob);
    huge.writeUInt32BE(0x7fffffff, 0);
    expect(parseRpmHeader(huge)).toBeNull();
    const farOffset = Buffer.from(blob);
    farOffset.writeUInt32BE(0xffff, 8 + 16 + 8);
    expect(parseRpmHeader(farOffset)).toBeNull();
    // The third entry (after SUMMARY and NAME) is VERSION: renumbered, the header has no version.
    const unversioned = Buffer.from(blob);
    unversioned.writeUInt32BE(1005, 8 + 2 * 16);
    expect(parseRpmHeader(unversioned)).toBeNull();
  });
});

describe("readRpmSqliteDatabase", () => {
  it("lists the packages of an rpmdb.sqlite, without gpg-pubkey, counting unreadable blobs", async () => {
    const database = await rpmSqliteDatabase(
      [opensslLibs, bash, { name: "gpg-pubkey", version: "fd431d51", release: "4ae0493b" }],
      [Buffer.from("not a header")],
    );
    expect(await readRpmSqliteDatabase(database)).toEqual({ packages: [opensslLibs, bash], unreadable: 1 });
  });

  it("fails on bytes that are not an rpm SQLite database", async () => {
    await expect(readRpmSqliteDatabase(Buffer.from("Berkeley DB or anything else"))).rejects.toThrow();
  });
});
