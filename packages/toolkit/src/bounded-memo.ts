/**
 * Memoises a pure function of a string. Bounded: when `limit` entries are held the memo starts over,
 * so a long-lived worker cannot grow without limit.
 */
export function boundedMemo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    // One lookup on a hit (the common case); has() only for a value that is itself undefined.
    const held = memo.get(key);
    if (held !== undefined || memo.has(key)) return held as V;
    const value = compute(key);
    if (memo.size >= limit) memo.clear();
    memo.set(key, value);
    return value;
  };
}
