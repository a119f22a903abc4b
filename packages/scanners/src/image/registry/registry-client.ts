import { ImageError } from "../image-error.js";
import type { ImageReference } from "../image-reference.js";
import type { Dispatcher } from "undici";
import type { RegistryCredentials } from "./docker-config.js";
import { readBody, registryRequest } from "./registry-http.js";
import type { RegistryResponse, RegistryTimeouts } from "./registry-http.js";
import { parseChallenge } from "./www-authenticate.js";

/** How to reach one registry. */
export interface RegistryConnection {
  /** Plain HTTP (`IMAGE_REGISTRY_INSECURE`). */
  insecure: boolean;
  credentials?: RegistryCredentials;
  timeouts: RegistryTimeouts;
  /** How requests leave (a proxy); direct when unset. */
  dispatcher?: Dispatcher;
}

const MAX_TOKEN_BYTES = 1024 * 1024;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * GETs under `/v2/<repository>/` of one registry, authenticating as the registry asks: on a 401 with a Bearer
 * challenge it fetches a pull token from the realm (anonymously, or with the configured login as Basic), on a
 * Basic challenge it sends the login; then it retries once. Statuses map to ImageError codes.
 */
export class RegistryClient {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(
    private readonly reference: Pick<ImageReference, "registry" | "repository">,
    private readonly connection: RegistryConnection,
  ) {
    // Docker Hub's API lives on another host than its name.
    const host = reference.registry === "docker.io" ? "registry-1.docker.io" : reference.registry;
    this.base = `${connection.insecure ? "http" : "https"}://${host}/v2/${reference.repository}/`;
  }

  /** How long a body may stall. */
  get idleMs(): number {
    return this.connection.timeouts.idleMs;
  }

  /** GET `manifests/<ref>` or `blobs/<digest>`: a 2xx answer, else the ImageError its status means. */
  async get(path: string, accept?: string): Promise<RegistryResponse> {
    const answer = await this.send("GET", path, accept);
    if (answer.response.ok) return answer;
    throw await this.failure(answer, path);
  }

  /**
   * Whether this repository holds blob `digest` (HEAD, with the same login as a pull): a registry links blobs to
   * repositories, so this is the check that the puller may read it. A redirect to storage counts as present.
   */
  async hasBlob(digest: string): Promise<boolean> {
    const path = `blobs/${digest}`;
    const answer = await this.send("HEAD", path);
    const { status } = answer.response;
    if (status >= 400 && status !== 404) throw await this.failure(answer, path);
    answer.abort();
    return status !== 404;
  }

  /**
   * The digest of manifest `reference` as the registry names it: the `Docker-Content-Digest` of a HEAD (which
   * registries do not count as a pull). Undefined when the answer names none, or is not a 2xx a HEAD may get
   * (a redirect, 405): the caller then fetches the manifest and hashes it. 401/403, 404, 5xx are their ImageErrors.
   */
  async manifestDigest(reference: string, accept: string): Promise<string | undefined> {
    const path = `manifests/${reference}`;
    const answer = await this.send("HEAD", path, accept);
    const { status, headers } = answer.response;
    if (status === 401 || status === 403 || status === 404 || status === 429 || status >= 500) throw await this.failure(answer, path);
    answer.abort();
    const digest = headers.get("docker-content-digest");
    return answer.response.ok && digest !== null && SHA256_DIGEST.test(digest) ? digest : undefined;
  }

  /** Sends, and on a 401 authenticates as the challenge asks and sends again. */
  private async send(method: "GET" | "HEAD", path: string, accept?: string): Promise<RegistryResponse> {
    const url = this.base + path;
    const headers: Record<string, string> = {};
    if (accept !== undefined) headers.accept = accept;
    const sendOnce = () =>
      registryRequest(url, {
        headers: this.authorization === undefined ? headers : { ...headers, authorization: this.authorization },
        timeouts: this.connection.timeouts,
        method,
        dispatcher: this.connection.dispatcher,
      });
    const answer = await sendOnce();
    if (answer.response.status !== 401) return answer;
    const challenge = parseChallenge(answer.response.headers.get("www-authenticate"));
    answer.abort();
    await this.authenticate(challenge);
    return sendOnce();
  }

  /** The ImageError a non-2xx answer means. */
  private async failure(answer: RegistryResponse, path: string): Promise<ImageError> {
    const { status } = answer.response;
    const detail = await errorDetail(answer);
    const what = `${this.reference.registry}/${this.reference.repository} ${path}`;
    if (status === 401 || status === 403) {
      return new ImageError(
        "image_unauthorized",
        `${this.reference.registry} refused ${this.connection.credentials === undefined ? "an anonymous pull" : "the configured login"} of ${what} (HTTP ${status})${detail} (a missing repository is also answered this way by some registries)`,
      );
    }
    if (status === 404) return new ImageError("image_not_found", `${what} not found${detail}`);
    if (status >= 500 || status === 429)
      return new ImageError("image_registry_unreachable", `${this.reference.registry} answered HTTP ${status}${detail}`);
    return new ImageError("image_manifest_invalid", `${this.reference.registry} answered HTTP ${status} for ${what}${detail}`);
  }

  private async authenticate(challenge: ReturnType<typeof parseChallenge>): Promise<void> {
    const login = this.connection.credentials;
    const basic = login === undefined ? undefined : `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
    if (challenge?.scheme === "basic" && basic !== undefined) {
      this.authorization = basic;
      return;
    }
    const realm = challenge?.params.realm;
    if (challenge?.scheme !== "bearer" || realm === undefined) {
      throw new ImageError(
        "image_unauthorized",
        `${this.reference.registry} asks for credentials (${challenge?.scheme ?? "no challenge"}) and none are configured`,
      );
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ImageError("image_unauthorized", `${this.reference.registry} names an invalid token realm: ${realm}`);
    }
    if (challenge.params.service !== undefined) url.searchParams.set("service", challenge.params.service);
    url.searchParams.set("scope", challenge.params.scope ?? `repository:${this.reference.repository}:pull`);
    const headers: Record<string, string> = basic === undefined ? {} : { authorization: basic };
    const answer = await registryRequest(url.href, { headers, timeouts: this.connection.timeouts, dispatcher: this.connection.dispatcher });
    if (answer.response.status === 401 || answer.response.status === 403) {
      answer.abort();
      throw new ImageError(
        "image_unauthorized",
        `the token service of ${this.reference.registry} refused ${basic === undefined ? "an anonymous pull" : "the configured login"} (HTTP ${answer.response.status})`,
      );
    }
    const body = answer.response.ok ? await readBody(answer, this.connection.timeouts.idleMs, MAX_TOKEN_BYTES) : undefined;
    if (!answer.response.ok) answer.abort();
    let token: unknown;
    try {
      const parsed = JSON.parse(body?.toString("utf8") ?? "") as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== "string" || token === "") {
      throw new ImageError(
        "image_unauthorized",
        `the token service of ${this.reference.registry} gave no token (HTTP ${answer.response.status})`,
      );
    }
    this.authorization = `Bearer ${token}`;
  }
}

/** The registry's error message (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}`), for the error text. */
async function errorDetail(answer: RegistryResponse): Promise<string> {
  try {
    const body = await readBody(answer, 5_000, 64 * 1024);
    const errors = (JSON.parse(body?.toString("utf8") ?? "") as { errors?: { code?: unknown; message?: unknown }[] }).errors;
    const first = errors?.[0];
    return first === undefined ? "" : `: ${String(first.code)} ${String(first.message ?? "")}`.trimEnd();
  } catch {
    return "";
  } finally {
    answer.abort();
  }
}
