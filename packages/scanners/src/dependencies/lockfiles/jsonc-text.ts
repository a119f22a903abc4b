/**
 * JSONC as bun writes it (comments, trailing commas) turned into JSON with the same line and column of
 * every token, so JSON errors point at the original text: comments become spaces, dangling commas a space.
 */
export function jsoncToJson(text: string): string {
  const out: string[] = [];
  let pendingComma = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      const end = stringEnd(text, i);
      pendingComma = -1;
      out.push(text.slice(i, end));
      i = end - 1;
    } else if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out.push(" ".repeat(stop - i));
      i = stop - 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out.push(text.slice(i, stop).replace(/[^\n]/g, " "));
      i = stop - 1;
    } else if (c === ",") {
      pendingComma = out.length;
      out.push(c);
    } else if (c === "}" || c === "]") {
      if (pendingComma !== -1) out[pendingComma] = " ";
      pendingComma = -1;
      out.push(c);
    } else {
      if (!/\s/.test(c)) pendingComma = -1;
      out.push(c);
    }
  }
  return out.join("");
}

/** The index just past the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}
