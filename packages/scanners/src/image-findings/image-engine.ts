import type { Advisory } from "../dependencies/advisory.js";
import { packagesEngine } from "../dependencies/packages-engine.js";
import type { ScanEngine } from "../engines/scan-engine.js";
import { invalidInput } from "../scan-outcome.js";
import { isAnalysedImage, matchImage } from "./match-image.js";

/** An image scan: `input` is an AnalysedImage (what the scan-worker read from the image before the run). */
export interface ImageTask {
  engine: "image";
  input: unknown;
  advisories: Advisory[];
  now?: number;
}

/** Matches an image's packages like the packages engine and names on each finding the layer that introduced it. */
export const imageEngine: ScanEngine<ImageTask> = {
  name: "image",
  run(task) {
    if (!isAnalysedImage(task.input) || !Array.isArray(task.advisories))
      return invalidInput("invalid image scan: expected an analysed image and advisories");
    return { status: "completed", output: matchImage(task.input, task.advisories, { now: task.now }) };
  },
  result: {
    finding: "VulnerabilityFinding",
    components: {
      ...packagesEngine.result.components,
      ImageBlock: {
        type: "object",
        description: "Image results: the image scanned",
        required: ["digest", "os", "layers"],
        properties: {
          digest: {
            type: "string",
            description: "The manifest digest (OCI layout, registry), the image id (docker save), else the archive's sha256",
          },
          os: {
            type: ["object", "null"],
            description: "From /etc/os-release; null when the image has none",
            properties: { family: { type: "string" }, version: { type: "string" } },
          },
          layers: {
            type: "array",
            description: "Bottom first",
            items: {
              type: "object",
              properties: {
                digest: { type: "string" },
                index: { type: "integer" },
                packages: { type: "integer", description: "How many of the image's packages this layer introduced" },
              },
            },
          },
        },
      },
    },
    findingProperties: {
      layer: { type: "string", description: "Image results: the digest of the layer that introduced the package" },
      file: { type: "string", description: "Image results, for a package only a lockfile of the image lists: that lockfile's path" },
    },
    properties: { ...packagesEngine.result.properties, image: { $ref: "#/components/schemas/ImageBlock" } },
  },
};
