import type { Db, InputKey } from "@secapi/db";
import type { LayerSummaryStore, ScanEngineName, ScanTask } from "@secapi/scanners";
import type { OutboundProxy } from "@secapi/toolkit";
import type { z } from "zod";

type TasksByEngine = { [N in ScanEngineName]: Extract<ScanTask, { engine: N }> };

/** What a run needs besides its canonical input, read before the (pure) engine runs on a thread. */
export interface PreparedRun<E extends ScanEngineName = ScanEngineName> {
  task: TasksByEngine[E];
  /** The advisory revision the loaded data reflects; null: the scan does not depend on advisories. */
  advisoryRevision: number | null;
}

/** Operator settings a type enforces at submission (from packages/config; the API passes them in). */
export interface SubmissionPolicy {
  /** `IMAGE_REGISTRIES`: the registries an image may be pulled from (`host[:port]`). */
  imageRegistries: readonly string[];
}

/** What pinning an input may look up at submission; the API provides it. */
export interface SubmissionIo {
  /**
   * The digest the tag of `reference` (normalised, e.g. `docker.io/library/nginx:latest`) names now, or undefined
   * when its registry did not answer in time. Throws the ImageError the registry's answer means (`image_not_found`,
   * `image_unauthorized`…).
   */
  imageDigest(reference: string): Promise<string | undefined>;
}

/** An input pinned at submission (ScanTypeDefinition.pin). */
export interface PinnedInput {
  /** The canonical input to store and run. */
  input: unknown;
  /** What is hashed into the input's address when not all of `input` is (an informative field); default `input`. */
  address?: unknown;
  /** false: what the input names could not be looked up now; it runs as given and is never answered from the cache. */
  pinned: boolean;
}

/** Bounds and endpoints of reading an image (`IMAGE_*`), for the scan-worker's input resolution. */
export interface ImageReadSettings {
  /** `IMAGE_MAX_BYTES`: the largest archive, or image (compressed layers), read. */
  maxBytes: number;
  /** `IMAGE_REGISTRIES`. */
  registries: readonly string[];
  /** `IMAGE_REGISTRY_INSECURE`: registries reached over plain HTTP. */
  insecureRegistries: readonly string[];
  /** What each layer holds, by layer digest, shared by every image (and user) that has the layer. */
  layerStore?: LayerSummaryStore;
  /** `IMAGE_MAX_BINARY_BYTES`: the largest executable or jar/war/ear read (the analysis's default otherwise). */
  maxBinaryBytes?: number;
  /** `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` for pulls. */
  proxy?: OutboundProxy;
}

/** What reading a run's input may use: given by the scan-worker, for one run. */
export interface RunIo {
  /** A directory of this run's own (`os.tmpdir()/secapi-scan-<jobId>…`), created on first use, always removed after the run. */
  workDir(): Promise<string>;
  image: ImageReadSettings;
}

/** A run's input after its I/O step: what is matched (and stored in place of the input), and what to drop once it is stored. */
export interface ResolvedInput {
  input: unknown;
  /** Called once the resolved input is stored: drops what only the unresolved input needed (an uploaded archive). */
  consumed?(): Promise<void>;
}

/** One example of a scan type's input, as OpenAPI's Example Object. */
export interface InputExample {
  summary: string;
  value: unknown;
}

/** How the API reference (the OpenAPI document, `/docs`) shows a scan type. */
export interface ScanTypeDocs {
  /**
   * Request examples of its input, by name: what `/docs` pre-fills and what a client can copy. The OpenAPI test
   * parses and submits every one, so they cannot drift from what the API accepts.
   */
  examples: Readonly<Record<string, InputExample>>;
  /**
   * A route of its own besides the JSON ones, taking the input in another form (an image archive): served at
   * `POST /api/v1/scan/<name>` with `mediaType` bodies as well as JSON.
   */
  upload?: { mediaType: string; summary: string; description: string };
}

/**
 * Everything SecAPI knows about one scan type, in one module per type (`scan-types/<name>.ts`): how it is
 * accepted (schema, canonical form), addressed (private or shared), run (what it loads, which engine) and
 * described. The API, both workers and the OpenAPI document iterate SCAN_TYPES instead of switching on names.
 */
export interface ScanTypeDefinition<I = unknown, E extends ScanEngineName = ScanEngineName> {
  name: string;
  /** Other names clients may use, e.g. `POST /api/v1/scan/docker`. */
  aliases?: readonly string[];
  /** Results belong to the submitting user alone: keys, jobs and results are scoped by owner. */
  private: boolean;
  /**
   * The input is kept (sealed) with its result after the run, so that the cache-worker can re-run it when
   * advisories change. Default: kept for shared types, deleted for private ones (a secrets input may hold secrets).
   */
  keepsInput?: boolean;
  inputSchema: z.ZodType<I>;
  /**
   * The form whose hash addresses the input and which the worker scans: equal content, equal form,
   * whatever the order given. May throw the scanner's input errors (unusable lockfile, SBOM...),
   * InputRefusedError and, for every type, UnstorableInputError.
   */
  canonicalize(input: I): unknown;
  /** The name of another type that scans this raw input instead (`{"image", "sbom"}` is an sbom scan), if any. */
  delegateTo?(raw: unknown): string | undefined;
  /** Refuses a canonical input the operator's settings do not allow, with an InputRefusedError (answered 422). */
  admit?(canonicalInput: unknown, policy: SubmissionPolicy): void;
  /**
   * For an input that names something that can change (an image tag): at submission, after `admit`, pins it to
   * what it names now (the digest), so that its address changes when the name moves on. Throws InputRefusedError
   * when the name names nothing (answered 422).
   */
  pin?(canonicalInput: unknown, io: SubmissionIo): Promise<PinnedInput>;
  /**
   * For a type whose input names something to read first (an image): reads it in the scan-worker and returns the
   * input to match, or null when the input is already resolved (a re-run). Throws RunInputError when the input
   * can never be read (the run fails with its code), RetryableRunError when it may be read later; anything else
   * thrown is transient too (the job is retried).
   */
  resolveInput?(run: { db: Db; key: InputKey; input: unknown; io: RunIo | undefined }): Promise<ResolvedInput | null>;
  /** The engine that scans it (`SCAN_ENGINES` of @secapi/scanners), which also says what its results hold. */
  engine: E;
  /** Reads what the engine needs for this canonical input (advisories for package scans) and builds its task. */
  prepareRun(db: Db, canonicalInput: unknown): Promise<PreparedRun<E>>;
  docs: ScanTypeDocs;
}

/** The content address of an input of `type`: its owner only for a private type. */
export function inputKeyOf(type: Pick<ScanTypeDefinition, "name" | "private">, userId: string, inputHash: string): InputKey {
  return { scanType: type.name, ownerId: type.private ? userId : null, inputHash };
}

/** Whether a type's input stays stored after its run (see `keepsInput`). */
export function keepsInputAfterRun(type: Pick<ScanTypeDefinition, "private" | "keepsInput">): boolean {
  return type.keepsInput ?? !type.private;
}
