import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import jsonPatch, { type Operation } from "fast-json-patch";
import { parse, parseAllDocuments } from "yaml";

/** One Kubernetes object as rendered. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);
const SUPPORTED = new Set(["apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"]);

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset infra/k8s uses (resources,
 * namespace, labels without selectors, images, JSON 6902 patches). The tests must run where no kubectl
 * is installed; where one is, they check that both render the same objects.
 */
export function kustomize(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Kustomization;
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED.has(field));
  if (unsupported.length) throw new Error(`${dir}: this renderer does not support ${unsupported.join(", ")}`);

  const manifests = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? kustomize(path) : readManifests(path);
  });
  for (const { target, patch } of kustomization.patches ?? []) {
    const matches = manifests.filter((m) => m.kind === target.kind && m.metadata.name === target.name);
    if (matches.length !== 1) throw new Error(`${dir}: patch target ${target.kind}/${target.name} matches ${matches.length} objects`);
    jsonPatch.applyPatch(matches[0], parse(patch) as Operation[], true, true);
  }
  for (const manifest of manifests) {
    if (kustomization.namespace && !CLUSTER_SCOPED.has(manifest.kind)) manifest.metadata.namespace = kustomization.namespace;
    for (const { pairs, includeSelectors } of kustomization.labels ?? []) {
      if (includeSelectors) throw new Error(`${dir}: labels with includeSelectors are not supported`);
      manifest.metadata.labels = { ...manifest.metadata.labels, ...pairs };
    }
    for (const container of containersOf(manifest)) {
      const image = kustomization.images?.find((i) => imageName(container.image) === i.name);
      if (image) container.image = `${image.newName ?? image.name}:${image.newTag ?? imageTag(container.image) ?? "latest"}`;
    }
  }
  return manifests;
}

function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, "utf8"))
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0]?.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

/** Every container and init container of a workload's pod template. */
export function containersOf(manifest: Manifest): Container[] {
  const template = (manifest.spec as { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined)
    ?.template;
  return [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])];
}

const imageName = (image: string) => image.replace(/:[^/:]+$/, "");
const imageTag = (image: string) => /:([^/:]+)$/.exec(image)?.[1];
