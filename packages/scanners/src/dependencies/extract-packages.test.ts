import { describe, expect, it } from "vitest";
import { LOCKFILE_FORMATS } from "./lockfiles/lockfile-registry.js";
import type { LockfileFormat } from "./lockfiles/lockfile-registry.js";
import { DependencyInputError } from "./dependency-input-error.js";
import { extractPackages } from "./extract-packages.js";
import { allOsvFixtures, fixtureText, withoutPlacement } from "./fixtures.fixture.js";
import { matchPackages } from "./match-packages.js";

// test/fixtures/lockfiles: one manifest (manifest.package.json) locked by real package managers; see its README.
const LOCKFILES: [file: string, format: LockfileFormat][] = [
  ["npm-v1.package-lock.json", "package-lock.json"],
  ["npm-v2.package-lock.json", "package-lock.json"],
  ["npm-v3.package-lock.json", "package-lock.json"],
  ["pnpm-v5.4.pnpm-lock.yaml", "pnpm-lock.yaml"],
  ["pnpm-v6.pnpm-lock.yaml", "pnpm-lock.yaml"],
  ["pnpm-v9.pnpm-lock.yaml", "pnpm-lock.yaml"],
  ["yarn-v1.yarn.lock", "yarn.lock"],
];

// What every package manager installed for the manifest: dev dependencies and the nested
// mkdirp/node_modules/minimist@0.0.8 included, the root project excluded.
const EXPECTED_PACKAGES = `@types/semver@7.5.0 accepts@1.3.8 array-flatten@1.1.1 async-function@1.0.0
async-generator-function@1.0.0 body-parser@1.20.1 bytes@3.1.2 call-bind-apply-helpers@1.0.2 call-bound@1.0.4
content-disposition@0.5.4 content-type@1.0.5 cookie@0.5.0 cookie-signature@1.0.6 debug@2.6.9 depd@2.0.0
destroy@1.2.0 dunder-proto@1.0.1 ee-first@1.1.1 encodeurl@1.0.4 es-define-property@1.0.1 es-errors@1.3.0
es-object-atoms@1.1.2 escape-html@1.0.3 etag@1.8.1 express@4.18.2 finalhandler@1.2.0 forwarded@0.2.0 fresh@0.5.2
function-bind@1.1.2 generator-function@2.0.1 get-intrinsic@1.3.1 get-proto@1.0.1 gopd@1.2.0 has-symbols@1.1.0
hasown@2.0.4 http-errors@2.0.0 iconv-lite@0.4.24 inherits@2.0.4 ipaddr.js@1.9.1 js-tokens@4.0.0 lodash@4.17.20
loose-envify@1.4.0 lru-cache@6.0.0 math-intrinsics@1.1.0 media-typer@0.3.0 merge-descriptors@1.0.1 methods@1.1.2
mime@1.6.0 mime-db@1.52.0 mime-types@2.1.35 minimist@0.0.8 minimist@1.2.5 mkdirp@0.5.1 ms@2.0.0 ms@2.1.3
negotiator@0.6.3 object-inspect@1.14.0 on-finished@2.4.1 parseurl@1.3.3 path-to-regexp@0.1.7 proxy-addr@2.0.8
qs@6.11.0 range-parser@1.2.1 raw-body@2.5.1 react@18.2.0 react-dom@18.2.0 safe-buffer@5.2.1 safer-buffer@2.1.2
scheduler@0.23.2 semver@7.5.1 send@0.18.0 serve-static@1.15.0 setprototypeof@1.2.0 side-channel@1.1.1
side-channel-list@1.0.1 side-channel-map@1.0.1 side-channel-weakmap@1.0.2 statuses@2.0.1 toidentifier@1.0.1
type-is@1.6.18 unpipe@1.0.0 utils-merge@1.0.1 vary@1.1.2 yallist@4.0.0`
  .split(/\s+/)
  .map((spec) => {
    const at = spec.lastIndexOf("@");
    return { ecosystem: "npm", name: spec.slice(0, at), version: spec.slice(at + 1) };
  });

// Verified by hand against the fixture advisories' ranges.
const EXPECTED_FINDINGS = [
  ["express", "4.18.2", "GHSA-qw6h-vgh9-j6wx", "medium", "4.20.0"],
  ["express", "4.18.2", "GHSA-rv95-896h-c2vc", "medium", "4.19.2"],
  ["lodash", "4.17.20", "GHSA-29mw-wpgm-hmr9", "medium", "4.17.21"],
  ["lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm", "high", "4.17.21"],
  ["minimist", "0.0.8", "GHSA-vh95-rmgr-6w4m", "medium", "0.2.1"],
  ["minimist", "0.0.8", "GHSA-xvch-5gv4-984h", "critical", "0.2.4"],
  ["minimist", "1.2.5", "GHSA-xvch-5gv4-984h", "critical", "1.2.6"],
  ["semver", "7.5.1", "GHSA-c2qf-rxjj-qqgw", "medium", "7.5.2"],
];

// The same project with a dependency from every kind of source (odd-sources.manifest.*.json), locked by each
// tool; registry-host.*: an alias served by a second registry, which pnpm keys by its host.
const ODD_SOURCES: [file: string, format: LockfileFormat, missing: string[]][] = [
  // npm 6 knows no workspaces.
  ["odd-sources.npm-v1.package-lock.json", "package-lock.json", ["ms@2.1.3", "ws-a", "linked"]],
  ["odd-sources.npm-v2.package-lock.json", "package-lock.json", ["linked"]],
  ["odd-sources.npm-v3.package-lock.json", "package-lock.json", ["linked"]],
  // Made without the git dependencies (see the README).
  ["odd-sources.pnpm-v5.4.pnpm-lock.yaml", "pnpm-lock.yaml", ["git-noversion", "git-versioned"]],
  ["odd-sources.pnpm-v6.pnpm-lock.yaml", "pnpm-lock.yaml", ["git-noversion", "git-versioned"]],
  ["odd-sources.pnpm-v9.pnpm-lock.yaml", "pnpm-lock.yaml", []],
  // yarn 1 keeps workspaces out of the lockfile and refuses a git package without a version.
  ["odd-sources.yarn-v1.yarn.lock", "yarn.lock", ["ws-a", "git-noversion"]],
];

const GIT_REPOS = "git+file:///tmp/lf-fx/git";
const ODD_PACKAGES = ["left-pad@1.3.0", "minimist@0.0.8", "minimist@1.2.5", "ms@2.1.3"];
const ODD_UNCHECKED = [
  [
    "git-noversion",
    `${GIT_REPOS}/git-noversion.git#b9130cd2dda3bc229335a426c2492817e7956198`,
    "git",
    "installed from a git repository, not from the registry; advisories are matched by registry version",
  ],
  [
    "git-versioned",
    `${GIT_REPOS}/git-versioned.git#1cd52b6b8b49ed7daff0d38081437fefdfe1034f`,
    "git",
    "installed from a git repository, not from the registry; advisories are matched by registry version",
  ],
  ["linked", "link:linked", "workspace", "a link to a folder of the project (workspace or link:), the project's own code"],
  ["local-dir", "file:local-dir", "path", "installed from a local directory (file:), not from the registry"],
  ["lodash", "file:vendor/lodash-4.17.20.tgz", "path", "installed from a local tarball (file:), not from the registry"],
  ["semver", "http://127.0.0.1:8765/forks/semver-7.5.1.tgz", "url", "installed from a tarball URL that is not a registry download"],
  ["ws-a", "link:packages/ws-a", "workspace", "a link to a folder of the project (workspace or link:), the project's own code"],
];

describe("extractPackages", () => {
  describe.each(ODD_SOURCES)("%s", (file, format, missing) => {
    // Read inside each test: a parser that refuses the file fails the tests, not the collection.
    const extract = () => extractPackages({ lockfile: fixtureText(`lockfiles/${file}`), format });

    it("checks the registry packages (aliases as the real package) and reports every other source as unchecked", () => {
      expect(withoutPlacement(extract())).toEqual({
        packages: ODD_PACKAGES.filter((spec) => !missing.includes(spec)).map((spec) => {
          const at = spec.lastIndexOf("@");
          return { ecosystem: "npm", name: spec.slice(0, at), version: spec.slice(at + 1) };
        }),
        unchecked: ODD_UNCHECKED.filter(([name]) => !missing.includes(name ?? "")).map(([name, where, kind, reason]) => ({
          ecosystem: "npm",
          name,
          spec: `${name}@${where}`,
          kind,
          reason,
        })),
      });
    });

    it("finds the aliased and the direct minimist, and nothing for the local lodash and the URL semver", () => {
      const { result } = matchPackages(extract(), allOsvFixtures());
      expect(result.findings.map((f) => [f.package, f.version, f.id])).toEqual([
        ["minimist", "0.0.8", "GHSA-vh95-rmgr-6w4m"],
        ["minimist", "0.0.8", "GHSA-xvch-5gv4-984h"],
        ["minimist", "1.2.5", "GHSA-xvch-5gv4-984h"],
      ]);
    });
  });

  it.each(["registry-host.pnpm-v5.2.pnpm-lock.yaml", "registry-host.pnpm-v5.4.pnpm-lock.yaml", "registry-host.pnpm-v6.pnpm-lock.yaml"])(
    "%s: checks a package keyed by another registry's host, and its tarball there, as the registry package",
    (file) => {
      const set = extractPackages({ lockfile: fixtureText(`lockfiles/${file}`), format: "pnpm-lock.yaml" });
      expect(withoutPlacement(set)).toEqual({
        packages: [
          { ecosystem: "npm", name: "left-pad", version: "1.3.0" },
          { ecosystem: "npm", name: "minimist", version: "1.2.5" },
        ],
        unchecked: [],
      });
    },
  );

  describe.each(LOCKFILES)("%s", (file, format) => {
    const set = extractPackages({ lockfile: fixtureText(`lockfiles/${file}`), format });

    it("gives the exact installed package set", () => {
      expect(withoutPlacement(set)).toEqual({ packages: EXPECTED_PACKAGES, unchecked: [] });
    });

    it("gives the expected findings against the OSV fixtures", () => {
      const { result, tags } = matchPackages(set, allOsvFixtures());
      expect(result.findings.map((f) => [f.package, f.version, f.id, f.severity, f.fixed_in])).toEqual(EXPECTED_FINDINGS);
      expect(result.summary).toEqual({ critical: 2, high: 1, medium: 5, low: 0, unknown: 0, total: 8 });
      expect(tags).toHaveLength(82);
      expect(tags).toContain("pkg:npm/@types/semver");
    });
  });

  // Placement (direct, dev, path) is part of the set, and formats show it differently (yarn classic not at all).
  it("gives every lockfile format the same packages and unchecked entries", () => {
    const texts = LOCKFILES.map(([file, format]) =>
      JSON.stringify(withoutPlacement(extractPackages({ lockfile: fixtureText(`lockfiles/${file}`), format }))),
    );
    expect(new Set(texts).size).toBe(1);
  });

  it("matches a requirements.txt against the PyPI advisories", () => {
    const set = extractPackages({ lockfile: fixtureText("lockfiles/requirements.txt"), format: "requirements.txt" });
    expect(set.packages.map((p) => `${p.name}==${p.version}`)).toEqual([
      "cryptography==41.0.7",
      "django==4.2.1",
      "jinja2==3.1.2",
      "pyyaml==5.3.1",
      "requests==2.30.0",
      "urllib3==1.26.16",
      "zope-interface==6.0",
    ]);
    const { result } = matchPackages(set, allOsvFixtures());
    expect(result.findings.map((f) => [f.package, f.version, f.id, f.fixed_in])).toEqual([
      ["cryptography", "41.0.7", "GHSA-3ww4-gg4f-jr7f", "42.0.0"],
      ["django", "4.2.1", "GHSA-jh3w-4vvf-mjgr", "4.2.3"],
      ["jinja2", "3.1.2", "GHSA-h5c8-rqwp-cp95", "3.1.3"],
      ["jinja2", "3.1.2", "GHSA-h75v-3vvj-5mfj", "3.1.4"],
      ["pyyaml", "5.3.1", "GHSA-8q59-q68h-6hv4", "5.4"],
      ["requests", "2.30.0", "GHSA-j8r2-6x86-q33q", "2.31.0"],
      ["urllib3", "1.26.16", "GHSA-34jh-p97f-mpxf", "1.26.19"],
      ["urllib3", "1.26.16", "GHSA-v845-jxx5-vc9f", "1.26.17"],
    ]);
    expect(result.unchecked.map((u) => u.name)).toEqual(["flask", "gunicorn", "localpkg", "mypkg", "numpy", "pip-tools"]);
  });

  it("canonicalises an explicit package list", () => {
    const set = extractPackages({
      packages: [
        { ecosystem: "PyPI", name: "Jinja2", version: "3.1.2" },
        { ecosystem: "npm", name: "lodash", version: "4.17.20" },
        { ecosystem: "PyPI", name: "jinja2", version: "3.1.2" },
      ],
    });
    expect(set).toEqual({
      packages: [
        { ecosystem: "PyPI", name: "jinja2", version: "3.1.2" },
        { ecosystem: "npm", name: "lodash", version: "4.17.20" },
      ],
      unchecked: [],
    });
  });

  // Many texts × every parser, some deeply nested: allow for a loaded machine rather than the default 5 s.
  it("answers any text in any format with a package set or a DependencyInputError, never another error", { timeout: 60_000 }, () => {
    const deepV1 = `{"lockfileVersion": 1, "dependencies": ${'{"a": {"version": "1.0.0", "dependencies": '.repeat(5_000)}{}${"}}".repeat(5_000)}}`;
    const texts = [
      ...["null", "[]", "{}", "123", '"text"', "\u0000\u0001", "[".repeat(10_000) + "]".repeat(10_000), deepV1],
      ...['{"lockfileVersion": 3, "packages": null}', '{"lockfileVersion": 2, "packages": {"node_modules/a": {"version": 5}}}'],
      ...['{"lockfileVersion": 1, "dependencies": {"a": null}}', '{"lockfileVersion": "3"}'],
      ...["lockfileVersion: '9.0'\npackages:\n  a@1.0.0: null\n", "lockfileVersion: '9.0'\npackages:\n  ? [a]\n  : 1\n", "---\n---\n"],
      ...["lockfileVersion: []\n", "lockfileVersion: '6.0'\npackages:\n  /a@: {}\n", "a@^1:\n  version:\n    x y\n", '@:\n  version "1"\n'],
      ...[
        "",
        "# only a comment\n",
        '{"lockfileVersion": 2, "dependencies": {"a": 5, "b": {"dependencies": 1}}}',
        '{"lockfileVersion": 3, "packages": {"node_modules/a": {"link": true}}}',
      ],
      ...[
        "lockfileVersion: 5.4\npackages:\n  example.com: {}\n  /: {}\n  file:: null\nimporters: [1]\n",
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: {a: 1, b: [link:x]}\n",
      ],
      ...['a:\n  version "1"\n  resolved 5\n', '"@":\n  resolved "https://%zz"\n', 'a@npm::\n  version "1"\n'],
      ...["==1.0", "[extra]==1", "-", "\\", "foo==", "foo @", " @ url"],
      ...[...LOCKFILES, ...ODD_SOURCES].map(([file]) => fixtureText(`lockfiles/${file}`)),
      fixtureText("lockfiles/requirements.txt"),
    ];
    for (const format of LOCKFILE_FORMATS) {
      for (const lockfile of texts) {
        try {
          extractPackages({ lockfile, format });
        } catch (error) {
          expect([format, lockfile.slice(0, 40), error]).toEqual([format, lockfile.slice(0, 40), expect.any(DependencyInputError)]);
        }
      }
    }
  });

  it("lists Debian and Alpine packages by release and name, and one without its release as unchecked", () => {
    const set = extractPackages({
      packages: [
        { ecosystem: "Debian", name: "12/OpenSSL", version: "3.0.11-1~deb12u2" },
        { ecosystem: "Alpine", name: "openssl", version: "3.1.4-r5" },
      ],
    });
    expect(set.packages).toEqual([{ ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2" }]);
    expect(set.unchecked).toEqual([
      expect.objectContaining({ ecosystem: "Alpine", name: "openssl", spec: "openssl@3.1.4-r5", kind: "malformed_entry" }),
    ]);
  });
});
