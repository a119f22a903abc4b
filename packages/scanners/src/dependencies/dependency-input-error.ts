export type DependencyInputErrorCode = "lockfile_malformed" | "lockfile_unsupported_version" | "sbom_malformed" | "sbom_unsupported";

/**
 * A lockfile or SBOM that cannot be used. The message says what is wrong and where, and never echoes
 * more than a short excerpt of the input.
 */
export class DependencyInputError extends Error {
  override readonly name = "DependencyInputError";

  constructor(
    readonly code: DependencyInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
