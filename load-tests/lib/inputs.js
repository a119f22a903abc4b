// Scan inputs: a fixed universe of dependency lists, chosen with a Zipf distribution (a few lockfiles are
// submitted very often, most rarely, as in CI fleets), and secrets files. Deterministic: list i is the same in
// every VU, so popular lists really repeat across users (cache hits, coalescing).

/** mulberry32: a small seeded PRNG (k6 has no seedable Math.random). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Packages with advisories in packages/scanners/test/fixtures/osv (vulnerable and fixed versions both), and
// common ones without: a list mixes both, so results carry findings when those advisories are imported.
const POOL = [
  ["npm", "lodash", ["4.17.11", "4.17.20", "4.17.21"]],
  ["npm", "minimist", ["0.2.0", "1.2.5", "1.2.8"]],
  ["npm", "qs", ["6.2.3", "6.5.2", "6.11.2"]],
  ["npm", "express", ["4.17.1", "4.19.2", "4.21.0"]],
  ["npm", "axios", ["0.21.1", "1.5.0", "1.7.2"]],
  ["npm", "follow-redirects", ["1.14.8", "1.15.6"]],
  ["npm", "jsonwebtoken", ["8.5.1", "9.0.2"]],
  ["npm", "lodash-es", ["4.17.15", "4.17.21"]],
  ["npm", "react", ["17.0.2", "18.2.0", "18.3.1"]],
  ["npm", "react-dom", ["17.0.2", "18.2.0"]],
  ["npm", "typescript", ["4.9.5", "5.4.5", "5.6.3"]],
  ["npm", "zod", ["3.22.4", "3.23.8"]],
  ["npm", "debug", ["2.6.9", "4.3.4"]],
  ["npm", "chalk", ["4.1.2", "5.3.0"]],
  ["npm", "commander", ["9.5.0", "12.1.0"]],
  ["npm", "semver", ["5.7.1", "7.5.4", "7.6.2"]],
  ["npm", "uuid", ["8.3.2", "9.0.1"]],
  ["npm", "ms", ["2.1.2", "2.1.3"]],
  ["npm", "tslib", ["2.6.2", "2.6.3"]],
  ["npm", "pg", ["8.11.3", "8.12.0"]],
  ["PyPI", "Django", ["3.2.19", "4.2.2", "4.2.3"]],
  ["PyPI", "requests", ["2.28.2", "2.31.0"]],
  ["PyPI", "urllib3", ["1.26.16", "2.0.5", "2.2.2"]],
  ["PyPI", "Jinja2", ["3.1.2", "3.1.4"]],
  ["PyPI", "PyYAML", ["5.3.1", "6.0.1"]],
  ["PyPI", "cryptography", ["41.0.7", "42.0.5"]],
  ["PyPI", "numpy", ["1.26.4", "2.0.0"]],
  ["PyPI", "flask", ["2.3.3", "3.0.3"]],
];

/** How many distinct dependency lists the Zipf choice ranges over. */
export const LIST_COUNT = 1000;

/**
 * Dependency list `rank` (0 = the most popular) as a `dependencies` input: 3–30 packages of the pool plus one
 * package named after `salt`, which keeps one run's lists apart from another's (a fresh salt starts cold; the
 * same INPUT_SALT on two runs makes the second start warm).
 */
export function dependencyList(rank, salt) {
  const random = seededRandom(rank * 2654435761 + 17);
  const size = 3 + Math.floor(random() * 28);
  const packages = [{ ecosystem: "npm", name: `k6-list-${salt}`, version: `1.0.${rank}` }];
  const chosen = {};
  for (let i = 0; i < size; i++) {
    const [ecosystem, name, versions] = POOL[Math.floor(random() * POOL.length)];
    if (chosen[name]) continue;
    chosen[name] = true;
    packages.push({ ecosystem, name, version: versions[Math.floor(random() * versions.length)] });
  }
  return { packages };
}

/**
 * A Zipf(s) sampler over ranks 0..n-1: P(rank k) ∝ 1 / (k+1)^s. With s = 1 and n = 1,000 the most popular list
 * is ~13 % of submissions and the top 10 ~39 %. Built once per VU (a cumulative table and a binary search).
 */
export function zipfSampler(n, s) {
  const cumulative = new Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / Math.pow(k + 1, s);
    cumulative[k] = total;
  }
  return () => {
    const target = Math.random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/** A run-unique salt for dependencyList (INPUT_SALT fixes it across runs). */
export function newSalt() {
  return __ENV.INPUT_SALT || `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** A `secrets` input of one .env file; `tag` makes it distinct (secrets results are private per user anyway). */
export function secretsInput(tag) {
  return { files: [{ path: `services/${tag}/.env`, content: `# ${tag}\nAPI_URL=https://example.com/${tag}\nTOKEN=\${TOKEN}\n` }] };
}
