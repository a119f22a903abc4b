/**
 * A well-formed scan input that cannot be accepted (answered 422 with `code`): an image reference that does not
 * parse (`image_reference_invalid`), a registry outside `IMAGE_REGISTRIES` (`image_registry_not_allowed`).
 */
export class InputRefusedError extends Error {
  override readonly name = "InputRefusedError";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
