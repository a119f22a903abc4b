/**
 * Identifies one distinct scan input. `ownerId` is set only for private types (secrets), so that equal
 * inputs of two users never share a result, a job or a cache entry.
 */
export interface InputKey {
  scanType: string;
  ownerId: string | null;
  inputHash: string;
}
