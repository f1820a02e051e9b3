// "did you mean": one way to suggest the nearest known name for a typo, used for config keys,
// job and service names in `needs`, commands and flags, so every message reads alike.

/** The known name nearest `word` (at most 2 edits, or a third of its length when longer), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.ceil(word.length / 3) + 1);
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` when a candidate is near, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>, quote = (name: string) => `"${name}"`): string {
  const guess = closest(word, candidates);
  return guess === undefined ? '' : ` (did you mean ${quote(guess)}?)`;
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (`rnu` -> `run`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
