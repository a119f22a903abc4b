import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jarPackages } from "./jar-packages.js";
import { jarBytes } from "./language-binaries.fixture.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "secapi-jar-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(bytes: Buffer) {
  const file = join(dir, "app.jar");
  await writeFile(file, bytes);
  return jarPackages(file);
}

describe("jarPackages", () => {
  it("reads pom.properties of a jar", async () => {
    const contents = await read(jarBytes([["org.apache.logging.log4j", "log4j-core", "2.14.1"]]));
    expect(contents).toEqual({
      packages: [{ kind: "maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1" }],
      skipped: [],
    });
  });

  it("reads the jars inside a fat jar, one level deep (stored, as Spring Boot writes them)", async () => {
    const innermost = jarBytes([["com.example", "too-deep", "1.0"]]);
    const library = jarBytes([["com.fasterxml.jackson.core", "jackson-databind", "2.13.0"]], { "lib/inner.jar": innermost });
    const fat = jarBytes([["com.example", "app", "0.1.0"]], { "BOOT-INF/lib/jackson-databind-2.13.0.jar": library }, 0);
    const contents = await read(fat);
    expect(contents.packages).toEqual([
      { kind: "maven", name: "com.example:app", version: "0.1.0" },
      { kind: "maven", name: "com.fasterxml.jackson.core:jackson-databind", version: "2.13.0" },
    ]);
    expect(contents.skipped).toEqual([]);
  });

  it("notes an unreadable jar or nested jar instead of throwing", async () => {
    expect((await read(Buffer.from("not a zip at all"))).skipped).toEqual([expect.stringContaining("not a readable zip")]);
    const broken = jarBytes([["com.example", "app", "1"]], { "WEB-INF/lib/broken.jar": Buffer.from("PK\x03\x04garbage") });
    const contents = await read(broken);
    expect(contents.packages).toEqual([{ kind: "maven", name: "com.example:app", version: "1" }]);
    expect(contents.skipped).toEqual([expect.stringContaining("WEB-INF/lib/broken.jar: not a readable zip")]);
    const truncated = jarBytes([["com.example", "app", "1"]]);
    expect((await read(truncated.subarray(0, truncated.length - 30))).packages).toEqual([]);
  });

  it("skips pom.properties without coordinates and keeps one without a version for the unchecked list", async () => {
    const bytes = jarBytes([], {
      "META-INF/maven/g/a/pom.properties": Buffer.from("# nothing\n"),
      "META-INF/maven/g/b/pom.properties": Buffer.from("groupId = g\nartifactId: b\n"),
    });
    expect((await read(bytes)).packages).toEqual([{ kind: "maven", name: "g:b", version: "" }]);
  });
});
