/**
 * A lockfile's dependency graph, as far as the file shows it: the project's own dependencies (`roots`) and,
 * for each locked entry, the entries it depends on. Entries are identified by whatever key the format gives
 * one resolved package (`lodash@npm:4.17.21`, a bun install path, a PyPI name).
 */
export interface DependencyGraph {
  /** The project's direct dependencies; `dev` when only development or test needs them. */
  roots: readonly { id: string; dev: boolean }[];
  /** The entries `id` depends on (ids not in the graph are ignored by the caller's lookups). */
  children(id: string): readonly string[];
  /** The package name an entry stands for (what paths are made of). */
  name(id: string): string;
}

/** Where an entry sits in the graph: direct or not, dev-only or not, and the shortest chain that reaches it. */
export interface Placement {
  direct: boolean;
  dev: boolean;
  path: string[];
}

/**
 * Places every entry reachable from the roots. Production roots are walked first, so an entry that both a
 * production and a dev dependency need counts as production (it ships); breadth-first, so each path is a
 * shortest one. Iterative: a lockfile can chain entries arbitrarily deep, and cycles are common.
 */
export function placeInGraph(graph: DependencyGraph): Map<string, Placement> {
  const placed = new Map<string, Placement>();
  const direct = new Set(graph.roots.map((root) => root.id));
  for (const dev of [false, true]) {
    const queue: string[] = [];
    for (const root of graph.roots) {
      if (root.dev !== dev || placed.has(root.id)) continue;
      placed.set(root.id, { direct: true, dev, path: [graph.name(root.id)] });
      queue.push(root.id);
    }
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i] as string;
      const from = placed.get(id) as Placement;
      for (const child of graph.children(id)) {
        if (placed.has(child)) continue;
        placed.set(child, { direct: direct.has(child), dev, path: [...from.path, graph.name(child)] });
        queue.push(child);
      }
    }
  }
  return placed;
}
