// "Did you mean": existing names ordered by edit distance to the one asked for.

export function closestNames(wanted: string, names: string[]): string[] {
  const scored = names.map((n) => ({ n, d: distance(wanted, n) }));
  scored.sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.map((s) => s.n);
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
