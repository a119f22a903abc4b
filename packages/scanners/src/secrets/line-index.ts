/** 1-based position of a character: line, and column in UTF-16 code units within the line. */
export interface TextPosition {
  line: number;
  column: number;
}

const CARRIAGE_RETURN = 13;

/** Maps offsets of one text to lines; built once per file so each lookup is a binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) {
      this.starts.push(nl + 1);
    }
  }

  /** Line and column of the character at `offset`. */
  position(offset: number): TextPosition {
    const index = this.lineIndexOf(offset);
    return { line: index + 1, column: offset - this.lineStart(index) + 1 };
  }

  /**
   * The line holding `start`..`end` without its `\n` or `\r\n`, cut to `radius` characters on each
   * side of that span: checking a whole minified line per match would make a scan quadratic.
   */
  lineAround(start: number, end: number, radius: number): string {
    const index = this.lineIndexOf(start);
    const lineStart = this.lineStart(index);
    const next = this.starts[index + 1];
    let lineEnd = next === undefined ? this.text.length : next - 1;
    if (lineEnd > lineStart && this.text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN) lineEnd -= 1;
    return this.text.slice(Math.max(lineStart, start - radius), Math.min(lineEnd, end + radius));
  }

  private lineStart(index: number): number {
    return this.starts[index] ?? 0;
  }

  private lineIndexOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStart(mid) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
