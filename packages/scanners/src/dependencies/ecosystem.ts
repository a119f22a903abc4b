/** The OSV ecosystems the dependency scanner matches, spelled as in OSV. */
export const ECOSYSTEMS = ["npm", "PyPI", "Go", "crates.io"] as const;

export type Ecosystem = (typeof ECOSYSTEMS)[number];

/** Whether `value` is one of the supported OSV ecosystem names (exact spelling). */
export function isEcosystem(value: unknown): value is Ecosystem {
  return (ECOSYSTEMS as readonly unknown[]).includes(value);
}
