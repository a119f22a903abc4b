/** Helpers shared by the rpm-based OS ecosystems (Red Hat, Rocky Linux, AlmaLinux). */

/** The source package an rpm was built from, by its source rpm's file name: `openssl-3.0.7-25.el9_3.src.rpm` → `openssl`. */
export function rpmSourceName(sourceRpm: string): string | null {
  return /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(sourceRpm.trim())?.[1] ?? null;
}

/**
 * `[epoch:]version-release` from a purl: rpm purls carry the epoch as a qualifier (`epoch=1`), OSV's rpm-based
 * ecosystems write it in the version (`1:3.0.7-25.el9_3`); without it an epoch-1 package would order below every fix.
 */
export function rpmPurlVersion(version: string, qualifiers?: Readonly<Record<string, string>>): string {
  const epoch = qualifiers?.["epoch"]?.trim();
  return epoch === undefined || !/^\d+$/.test(epoch) || /^0+$/.test(epoch) || version.includes(":") ? version : `${epoch}:${version}`;
}

/**
 * The major release of a purl's `distro` qualifier (`rocky-9.3`, `almalinux-8`, `9.3` → `9`), if its prefix (when
 * there is one) is one of `prefixes`: a purl of another distribution must not match this one's advisories.
 */
export function rpmDistroMajor(distro: string | undefined, prefixes: readonly string[]): string | null {
  const match = /^(?:(.+)-)?(\d+)(?:\.\d+)*$/.exec(distro?.trim().toLowerCase() ?? "");
  if (match === null || (match[1] !== undefined && !prefixes.includes(match[1]))) return null;
  return match[2] ?? null;
}

/** The major release of an os-release `VERSION_ID` (`9.3` → `9`), null when it does not start with one. */
export function majorVersion(versionId: string): string | null {
  return /^(\d+)/.exec(versionId)?.[1] ?? null;
}

/** The source package a purl names: its `upstream` qualifier (a source rpm file name or a bare name), else its own name. */
export function rpmPurlSourceName(name: string, qualifiers?: Readonly<Record<string, string>>): string {
  const upstream = qualifiers?.["upstream"]?.trim();
  if (upstream === undefined || upstream === "") return name;
  return rpmSourceName(upstream) ?? (upstream.split("@")[0]?.trim() || name);
}
