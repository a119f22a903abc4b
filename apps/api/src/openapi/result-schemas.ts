import type { JsonSchema, ResultSchema } from "@secapi/scanners";
import { isDeepStrictEqual } from "node:util";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** `into[name] = value`, refusing a second, different schema under one name (two engines disagreeing). */
function put(into: Record<string, JsonSchema>, name: string, value: JsonSchema, what: string): void {
  if (Object.hasOwn(into, name) && !isDeepStrictEqual(into[name], value)) throw new Error(`Engines describe ${what} ${name} differently`);
  into[name] = value;
}

/** `types` as prose: `a`, `a` and `b`, `a`, `b` and `c`. */
const listed = (types: readonly string[]) =>
  types.length < 2
    ? `\`${types[0]}\``
    : `${types
        .slice(0, -1)
        .map((t) => `\`${t}\``)
        .join(", ")} and \`${types.at(-1)}\``;

/**
 * The `Result` component and the components it names, built from the result fragments of the engines the
 * registered scan types use (in registry order): its findings are one of the engines' finding components, its
 * other properties the union of theirs, and a finding component gets the properties any engine adds to it.
 */
export function resultSchemas(types: readonly { type: string; result: ResultSchema }[]): Record<string, JsonSchema> {
  const components: Record<string, JsonSchema> = {};
  const properties: Record<string, JsonSchema> = {};
  const findingProperties = new Map<string, Record<string, JsonSchema>>();
  const typesByFinding = new Map<string, string[]>();
  for (const { type, result } of types) {
    for (const [name, schema] of Object.entries(result.components)) put(components, name, schema, "component");
    for (const [name, schema] of Object.entries(result.properties ?? {})) put(properties, name, schema, "result property");
    const extra = findingProperties.get(result.finding) ?? {};
    for (const [name, schema] of Object.entries(result.findingProperties ?? {})) put(extra, name, schema, `${result.finding} property`);
    findingProperties.set(result.finding, extra);
    typesByFinding.set(result.finding, [...(typesByFinding.get(result.finding) ?? []), type]);
  }
  for (const [finding, extra] of findingProperties) {
    const schema = components[finding];
    if (!schema) throw new Error(`No component describes the finding ${finding}`);
    components[finding] = { ...schema, properties: { ...(schema.properties as object), ...extra } };
  }
  const findings = [...typesByFinding.keys()];
  return {
    Result: {
      type: "object",
      properties: { summary: ref("Summary"), findings: { type: "array", items: { oneOf: findings.map(ref) } }, ...properties },
      description: `${[...typesByFinding].map(([finding, types]) => `${listed(types)} scans find \`${finding}\`s`).join("; ")}.`,
    },
    ...components,
  };
}
