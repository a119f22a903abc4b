/** `<release>/<package>`: the name an OS package of one distribution release is matched and tagged by. */
export function releaseSlashName(release: string, name: string): string {
  return `${release}/${name}`;
}

/**
 * The source package a purl's `upstream` qualifier names (`openssl`, or `glibc@2.36-9`), else its own name:
 * OSV lists Debian and Alpine advisories by source package, SBOM tools list the binary packages built from it.
 */
export function sourcePackageName(name: string, qualifiers: Readonly<Record<string, string>> | undefined): string {
  const upstream = qualifiers?.["upstream"]?.split("@")[0]?.trim();
  return upstream === undefined || upstream === "" ? name : upstream;
}
