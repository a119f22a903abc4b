import yauzl from "yauzl";
import type { InstalledPackage } from "./installed-package-files.js";

/** Where Maven writes an artifact's coordinates into the jars it builds. */
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const NESTED_ARCHIVE = /\.(?:jar|war|ear)$/i;
/** pom.properties is a few lines; anything bigger is not one. */
const MAX_PROPERTIES_BYTES = 64 * 1024;
/** A jar inside a jar (Spring Boot `BOOT-INF/lib/`, `WEB-INF/lib/`) is read from memory, so it is bounded. */
export const MAX_NESTED_JAR_BYTES = 32 * 1024 * 1024;

/** The Maven artifacts a jar holds, and what it could not read (nested jars too big, unreadable zips). */
export interface JarContents {
  packages: InstalledPackage[];
  skipped: string[];
}

/**
 * Reads a jar/war/ear on disk: every `META-INF/maven/<group>/<artifact>/pom.properties` gives `group:artifact`
 * at its version, in the jar itself and in the jars it holds (one level: a fat jar's libraries, not theirs).
 * yauzl reads the central directory and checks each entry's size as it inflates, so a lying zip stops at the
 * bounds above. A jar that is not a readable zip yields no packages and a `skipped` note, never an error.
 */
export async function jarPackages(file: string): Promise<JarContents> {
  const contents: JarContents = { packages: [], skipped: [] };
  try {
    await readJar(await openZip((done) => yauzl.open(file, ZIP_OPTIONS, done)), "", 1, contents);
  } catch (error) {
    contents.skipped.push(`not a readable zip: ${(error as Error).message}`);
  }
  return contents;
}

const ZIP_OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false };

function openZip(open: (done: (error: Error | null, zip?: yauzl.ZipFile) => void) => void): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    open((error, zip) => (error || zip === undefined ? reject(error ?? new Error("no zip")) : resolve(zip)));
  });
}

async function readJar(zip: yauzl.ZipFile, prefix: string, nestingLeft: number, contents: JarContents): Promise<void> {
  try {
    for (let entry = await nextEntry(zip); entry !== null; entry = await nextEntry(zip)) {
      const name = entry.fileName;
      if (POM_PROPERTIES.test(name)) {
        if (entry.uncompressedSize > MAX_PROPERTIES_BYTES) continue;
        const pkg = mavenPackage((await readEntry(zip, entry)).toString("utf8"));
        if (pkg !== null) contents.packages.push(pkg);
      } else if (nestingLeft > 0 && NESTED_ARCHIVE.test(name)) {
        if (entry.uncompressedSize > MAX_NESTED_JAR_BYTES) {
          contents.skipped.push(`${prefix}${name}: nested archive larger than ${MAX_NESTED_JAR_BYTES} bytes, not read`);
          continue;
        }
        try {
          const bytes = await readEntry(zip, entry);
          await readJar(
            await openZip((done) => yauzl.fromBuffer(bytes, ZIP_OPTIONS, done)),
            `${prefix}${name}!/`,
            nestingLeft - 1,
            contents,
          );
        } catch (error) {
          contents.skipped.push(`${prefix}${name}: not a readable zip: ${(error as Error).message}`);
        }
      }
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: yauzl.Entry) => settle(() => resolve(entry));
    const onEnd = () => settle(() => resolve(null));
    const onError = (error: Error) => settle(() => reject(error));
    const settle = (then: () => void) => {
      zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
      then();
    };
    zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
    zip.readEntry();
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || stream === undefined) return reject(error ?? new Error(`cannot read ${entry.fileName}`));
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", reject);
      stream.on("end", () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** `groupId`, `artifactId`, `version` from a Java properties file (`key=value` or `key: value`, `#`/`!` comments). */
function mavenPackage(text: string): InstalledPackage | null {
  const properties = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^#!\s:=][^:=\s]*)\s*[:=]\s*(.*?)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) properties.set(match[1], match[2]);
  }
  const group = properties.get("groupId");
  const artifact = properties.get("artifactId");
  if (group === undefined || group === "" || artifact === undefined || artifact === "") return null;
  return { kind: "maven", name: `${group}:${artifact}`, version: properties.get("version") ?? "" };
}
