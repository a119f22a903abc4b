const MAX_EXCERPT = 60;

/** A short, single-line, quoted piece of user input for an error message. */
export function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(oneLine.length > MAX_EXCERPT ? `${oneLine.slice(0, MAX_EXCERPT)}…` : oneLine);
}
