/** A name compared exactly as written (surrounding white space aside). */
export function nameAsWritten(name: string): string {
  return name.trim();
}

/** npm scopes (`@types/node`) and Go module paths (`github.com/a/b`) are the purl namespace, a slash, the name. */
export function namespaceSlashName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
