import { z } from "zod";

/** A `secrets` scan request: the files to search. The 5 MB body limit is enforced by the API. */
export const secretsInputSchema = z.strictObject({
  files: z
    .array(
      z.strictObject({
        path: z.string().min(1).max(4096),
        content: z.string(),
      }),
    )
    .min(1)
    .max(10_000),
});

export type SecretsInput = z.infer<typeof secretsInputSchema>;
