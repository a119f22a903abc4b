/**
 * Why a dependency was not checked, as a stable code a client can act on (`UncheckedEntry.kind`);
 * `UncheckedEntry.reason` says the same for a person.
 *
 * - `no_version`: the input gives no version (a lockfile entry without one, a purl without `@version`).
 * - `git`: installed from a git repository; its version is whatever that commit says, not a registry release.
 * - `path`: installed from the local disk (`file:` directory or tarball, a path in requirements.txt).
 * - `url`: installed from a URL that is not a registry download (a tarball on a web server).
 * - `workspace`: a link to a folder of the project (`link:`, `workspace:`, npm workspaces): the project's own code.
 * - `unpinned`: a range or bare name, not one version (`flask>=2`, `foo==1.*`).
 * - `invalid_version`: a version the ecosystem's rules cannot read (`latest`, `1.0-foo` for npm).
 * - `unsupported_ecosystem`: an SBOM component whose purl type (or, for a shared type, namespace) has no supported ecosystem (`pkg:hex/…`, `pkg:rpm/fedora/…`).
 * - `no_purl`: an SBOM component without a purl (components are matched by purl).
 * - `malformed_entry`: one entry of an otherwise valid input cannot be read (wrong type, unreadable key or purl).
 * - `sdk`: a package that ships with an SDK (Flutter's `flutter`, `flutter_test`): versioned with the SDK, not a registry release.
 *
 * @example
 * { ecosystem: "npm", name: "forked", spec: "forked@git+ssh://git@github.com/x/forked.git#0123abc", kind: "git", reason: "…" }
 */
export const UNCHECKED_KINDS = [
  "no_version",
  "git",
  "path",
  "url",
  "workspace",
  "unpinned",
  "invalid_version",
  "unsupported_ecosystem",
  "no_purl",
  "malformed_entry",
  "sdk",
] as const;

/** One of UNCHECKED_KINDS. */
export type UncheckedKind = (typeof UNCHECKED_KINDS)[number];
