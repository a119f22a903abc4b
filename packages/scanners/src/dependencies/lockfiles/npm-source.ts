import type { UncheckedKind } from "../unchecked-kind.js";

/** Where a dependency comes from when that is not the npm registry, and why it is therefore not checked. */
export interface NonRegistrySource {
  kind: Extract<UncheckedKind, "git" | "path" | "url" | "workspace">;
  reason: string;
}

// One sentence per source, the same in every npm-family lockfile, so the same dependency reads the same.
export const NPM_SOURCES = {
  git: { kind: "git", reason: "installed from a git repository, not from the registry; advisories are matched by registry version" },
  directory: { kind: "path", reason: "installed from a local directory (file:), not from the registry" },
  tarball: { kind: "path", reason: "installed from a local tarball (file:), not from the registry" },
  url: { kind: "url", reason: "installed from a tarball URL that is not a registry download" },
  workspace: { kind: "workspace", reason: "a link to a folder of the project (workspace or link:), the project's own code" },
} as const satisfies Record<string, NonRegistrySource>;

// Git URLs and npm's hosted-git shortcuts (`github:x/y`, `x/y#ref`); a version or range never holds a "/".
const GIT_SPEC = /^(?:git\+|git:\/\/|ssh:\/\/|git@|(?:github|gitlab|bitbucket|gist):)|^[\w.-]+\/[\w.-]+(?:#.*)?$/i;
// The archives git hosts serve for one commit: pnpm and yarn record GitHub dependencies as these.
const GIT_HOST_TARBALL = /^https?:\/\/(?:codeload\.github\.com\/|gitlab\.com\/[^#?]*\/-\/archive\/|bitbucket\.org\/[^#?]*\/get\/)/i;
// npm reads a spec starting with a path as a file: dependency.
const LOCAL_PATH = /^(?:file:|\.{0,2}\/|~\/)/i;

/**
 * What a lockfile value (a version, a spec, a `resolved` URL) says about where `name` comes from: null for
 * the registry (a version, a range, or a registry download), else the non-registry source.
 *
 * A registry download is `…/<name>/-/<basename>-<version>.tgz` on any host: mirrors and private registries
 * (Verdaccio, Nexus, Artifactory) serve the registry's packages under that path; any other tarball URL is not
 * the registry's package of that name.
 */
export function nonRegistrySource(value: string, name: string): NonRegistrySource | null {
  if (/^(?:link|workspace|portal):/i.test(value)) return NPM_SOURCES.workspace;
  if (LOCAL_PATH.test(value)) return /\.(?:tgz|tar\.gz|tar)$/i.test(withoutFragment(value)) ? NPM_SOURCES.tarball : NPM_SOURCES.directory;
  if (GIT_SPEC.test(value) || GIT_HOST_TARBALL.test(value)) return NPM_SOURCES.git;
  if (/^https?:\/\//i.test(value)) return isRegistryDownload(value, name) ? null : NPM_SOURCES.url;
  return null;
}

/** `value` without its `#fragment` (yarn appends `#<sha1>` to a tarball URL; for git the fragment is the commit). */
export function withoutFragment(value: string): string {
  return value.replace(/[?#].*$/s, "");
}

function isRegistryDownload(url: string, name: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return false;
  }
  const basename = name.slice(name.lastIndexOf("/") + 1);
  return path.endsWith(".tgz") && path.includes(`/${name}/-/${basename}-`);
}
