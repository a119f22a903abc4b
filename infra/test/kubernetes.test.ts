import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { envSchema } from "../../packages/config/src/env-schema.js";
import { QUEUES, RESULT_RERUNS_QUEUE } from "../../packages/events/src/queue-names.js";
import { type Manifest, containersOf, kustomize } from "./kustomize.js";

const K8S = fileURLToPath(new URL("../k8s/", import.meta.url));
const overlays = readdirSync(`${K8S}overlays`);

/** The schema of every kind the manifests may use: an object of any other kind fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

// Only the apps read these; KEDA's scaler reads REDIS_QUEUE_*.
const SCALER_KEYS = ["REDIS_QUEUE_ADDRESS", "REDIS_QUEUE_PASSWORD"];
const knownVariables = new Set(Object.keys(envSchema.shape));

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  containers: {
    name: string;
    readinessProbe?: unknown;
    livenessProbe?: unknown;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    lifecycle?: { preStop?: { exec?: { command: string[] } } };
    ports?: { name: string; containerPort: number }[];
  }[];
}
const podSpecOf = (deployment: Manifest) =>
  (deployment.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } }).template;

describe.each(overlays)("infra/k8s overlay %s", (overlay) => {
  const manifests = kustomize(`${K8S}overlays/${overlay}`);
  const config = named(manifests, "ConfigMap", "secapi-config") as Manifest & { data: Record<string, string> };

  it("renders like kubectl kustomize, where kubectl is installed", () => {
    let rendered: string;
    try {
      rendered = execFileSync("kubectl", ["kustomize", `${K8S}overlays/${overlay}`], { encoding: "utf8" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // the schema checks below still run
      throw error;
    }
    const byId = (list: Manifest[]) => Object.fromEntries(list.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    const theirs = parseAllDocuments(rendered).map((d) => d.toJS() as Manifest);
    expect(byId(manifests)).toEqual(byId(theirs));
  });

  it("validates every object against its Kubernetes, KEDA or Prometheus Operator schema", () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${manifest.apiVersion} ${manifest.kind} has a schema`).toBeDefined();
      expect(() => new Model!(manifest as never).validate(), `${manifest.kind}/${manifest.metadata.name}`).not.toThrow();
    }
    // The schemas are live: a port that is not a number is refused.
    const broken = structuredClone(named(manifests, "Deployment", "secapi-api")) as Manifest;
    (podSpecOf(broken).spec.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = "http";
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/);
  });

  it("puts everything in one namespace and gives every container a real image", () => {
    const namespaces = ofKind(manifests, "Namespace").map((m) => m.metadata.name);
    expect(namespaces).toHaveLength(1);
    for (const manifest of manifests.filter((m) => m.kind !== "Namespace")) expect(manifest.metadata.namespace).toBe(namespaces[0]);
    for (const container of ofKind(manifests, "Deployment").flatMap(containersOf)) expect(container.image).toMatch(/^[\w./-]+:[\w.-]+$/);
  });

  it("runs the three apps, each migrating first, probed, with requests and limits, and a grace period longer than the drain", () => {
    const deployments = ofKind(manifests, "Deployment");
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["secapi-api", "secapi-cache-worker", "secapi-scan-worker"]);
    const drainSeconds = Number(config.data.SHUTDOWN_TIMEOUT_MS) / 1000;
    for (const deployment of deployments) {
      const { spec } = podSpecOf(deployment);
      const commands = containersOf(deployment).map((c) => (c.command as string[]).join(" "));
      expect(commands[0], deployment.metadata.name).toBe("node apps/cli/dist/main.js migrate");
      for (const container of spec.containers) {
        expect(container.readinessProbe, `${container.name} readiness`).toBeDefined();
        expect(container.livenessProbe, `${container.name} liveness`).toBeDefined();
      }
      for (const container of containersOf(deployment) as PodSpec["containers"]) {
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
      }
      const preStop = spec.containers[0]!.lifecycle?.preStop?.exec?.command.join(" ") ?? "";
      const preStopSeconds = Number(/sleep (\d+)/.exec(preStop)?.[1] ?? 0);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds + preStopSeconds);
    }
  });

  it("probes so that a dependency outage neither restarts a pod nor empties the api's Service (OPERATIONS.md)", () => {
    type Probe = { httpGet: { path: string }; periodSeconds: number; timeoutSeconds: number; failureThreshold?: number };
    type Probed = { startupProbe?: Probe; readinessProbe: Probe; livenessProbe: Probe };
    const containerOf = (name: string) => podSpecOf(named(manifests, "Deployment", name)).spec.containers[0] as unknown as Probed;
    const api = containerOf("secapi-api");
    // A new api pod joins only once it reaches everything; afterwards it stays while it can serve anything.
    expect(api.startupProbe?.httpGet.path).toBe("/ready");
    expect(api.readinessProbe.httpGet.path).toBe("/health");
    for (const name of ["secapi-scan-worker", "secapi-cache-worker"]) expect(containerOf(name).readinessProbe.httpGet.path).toBe("/health");
    for (const name of ["secapi-api", "secapi-scan-worker", "secapi-cache-worker"]) {
      const { livenessProbe, readinessProbe } = containerOf(name);
      // Liveness asks no dependency: only a blocked event loop (the timeout) or stopped job loops fail it.
      expect(livenessProbe.httpGet.path, name).toBe("/live");
      // /health waits up to 500 ms per dependency (in parallel): within the probe's timeout on a busy node.
      expect(readinessProbe.timeoutSeconds, name).toBeGreaterThanOrEqual(2);
      // A long GC pause or one large body is not a wedge: half a minute of silence before a restart.
      expect(livenessProbe.periodSeconds * (livenessProbe.failureThreshold ?? 3), name).toBeGreaterThanOrEqual(30);
    }
  });

  it("reads only variables SecAPI knows from its ConfigMap and Secret", () => {
    for (const key of Object.keys(config.data)) expect(knownVariables.has(key), key).toBe(true);
    const secrets = ofKind(manifests, "Secret") as (Manifest & { stringData: Record<string, string> })[];
    for (const secret of secrets) {
      for (const key of Object.keys(secret.stringData)) expect(knownVariables.has(key) || SCALER_KEYS.includes(key), key).toBe(true);
      // The sample values parse as the apps would parse them.
      const parsed = envSchema.safeParse({ ...config.data, ...secret.stringData });
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });

  it("gives every Deployment a disruption budget and a Service that select its pods", () => {
    for (const deployment of ofKind(manifests, "Deployment")) {
      const labels = podSpecOf(deployment).metadata.labels;
      const budgets = ofKind(manifests, "PodDisruptionBudget").filter((p) =>
        matches((p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, labels),
      );
      expect(budgets, deployment.metadata.name).toHaveLength(1);
      const services = ofKind(manifests, "Service").filter((s) =>
        matches((s.spec as { selector: Record<string, string> }).selector, labels),
      );
      expect(services, deployment.metadata.name).toHaveLength(1);
    }
  });

  it("scales the api on CPU and the workers with KEDA on their BullMQ queue's waiting jobs", () => {
    const hpa = named(manifests, "HorizontalPodAutoscaler", "secapi-api").spec as {
      scaleTargetRef: { name: string };
      minReplicas: number;
      maxReplicas: number;
    };
    expect(hpa.scaleTargetRef.name).toBe("secapi-api");
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    // Every queue a worker consumes scales it: each trigger reads one queue's waiting list.
    const queuesOf = { "secapi-scan-worker": [QUEUES.scans], "secapi-cache-worker": [QUEUES.events, RESULT_RERUNS_QUEUE] };
    // BullMQ keeps a queue's waiting jobs in the list <prefix>:<queue>:wait.
    const prefix = config.data.QUEUE_PREFIX ?? envSchema.shape.QUEUE_PREFIX.parse(undefined);
    for (const [deployment, queues] of Object.entries(queuesOf)) {
      const scaled = ofKind(manifests, "ScaledObject").find(
        (s) => (s.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === deployment,
      );
      const spec = scaled?.spec as {
        minReplicaCount: number;
        triggers: { type: string; metadata: { listName: string; listLength: string }; authenticationRef: { name: string } }[];
      };
      expect(spec.minReplicaCount, `${deployment} never scales to zero`).toBeGreaterThanOrEqual(1);
      expect(spec.triggers.map((t) => t.metadata.listName)).toEqual(queues.map((queue) => `${prefix}:${queue}:wait`));
      for (const trigger of spec.triggers) {
        expect(trigger.type).toBe("redis");
        expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
        named(manifests, "TriggerAuthentication", trigger.authenticationRef.name);
      }
    }
  });

  it("lets Prometheus scrape every app's /metrics through a named Service port", () => {
    const monitor = named(manifests, "ServiceMonitor", "secapi").spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    const scraped = ofKind(manifests, "Service").filter((s) => matches(monitor.selector.matchLabels, s.metadata.labels));
    expect(scraped).toHaveLength(3);
    const endpointPorts = new Set(monitor.endpoints.map((e) => e.port));
    for (const service of scraped) {
      const ports = (service.spec as { ports: { name: string }[] }).ports.map((p) => p.name);
      expect(
        ports.some((p) => endpointPorts.has(p)),
        service.metadata.name,
      ).toBe(true);
    }
  });
});
