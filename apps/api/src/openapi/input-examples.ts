/** One example of a scan type's input, as OpenAPI's Example Object. */
export interface InputExample {
  summary: string;
  value: unknown;
}

const packageLock = JSON.stringify(
  {
    name: "web",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "web", version: "1.0.0", dependencies: { express: "4.17.1" }, devDependencies: { lodash: "4.17.20" } },
      "node_modules/express": { version: "4.17.1" },
      "node_modules/lodash": { version: "4.17.20", dev: true },
    },
  },
  null,
  2,
);

const cycloneDx = {
  bomFormat: "CycloneDX",
  specVersion: "1.5",
  components: [
    { type: "library", name: "lodash", version: "4.17.20", purl: "pkg:npm/lodash@4.17.20" },
    { type: "library", name: "flask", version: "2.0.1", purl: "pkg:pypi/flask@2.0.1" },
  ],
};

/**
 * Request examples for each scan type's input, by type name: what `/docs` pre-fills and what a client can copy.
 * The OpenAPI test parses every one with its type's schema and canonical form, so they cannot drift from what
 * the API accepts. A new scan type adds its entry at the end.
 */
export const INPUT_EXAMPLES: Readonly<Record<string, Readonly<Record<string, InputExample>>>> = {
  secrets: {
    secrets: {
      summary: "Files to search for leaked credentials",
      value: { files: [{ path: ".env", content: "AWS_ACCESS_KEY_ID=AKIAQ4ZTN7VWXB5RJ2LM\nTOKEN=${TOKEN}\n" }] },
    },
  },
  dependencies: {
    lockfile: {
      summary: "A lockfile's text with its format (the file's usual name)",
      value: { lockfile: packageLock, format: "package-lock.json" },
    },
    requirements: {
      summary: "A requirements.txt",
      value: { lockfile: "flask==2.0.1\nrequests==2.25.0\n", format: "requirements.txt" },
    },
    packages: {
      summary: "A package list",
      value: {
        packages: [
          { ecosystem: "npm", name: "lodash", version: "4.17.20" },
          { ecosystem: "PyPI", name: "flask", version: "2.0.1" },
        ],
      },
    },
  },
  sbom: {
    sbom: {
      summary: "A CycloneDX (or SPDX) SBOM, e.g. of an image (`syft IMAGE -o cyclonedx-json`)",
      value: { image: "ghcr.io/example/web:1.4.2", sbom: cycloneDx },
    },
  },
  image: {
    reference: {
      summary: "An image pulled from its registry by reference (a tag, or a digest for an exact image)",
      value: { image: "nginx:1.24" },
    },
  },
};
