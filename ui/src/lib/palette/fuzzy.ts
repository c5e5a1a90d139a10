/**
 * Fuzzy matching for the command palette: every query character must appear in order in the
 * label (case-insensitive); matches at word starts and runs of consecutive characters score
 * higher, so "pc" finds "Production Commons" before "specific".
 */

/** The score of `query` against `text`, or null when it does not match. Higher is better. */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.trim().toLowerCase();
  if (q === '') return 0;
  const t = text.toLowerCase();
  let score = 0;
  let at = 0;
  let previous = -2;
  for (const ch of q) {
    if (ch === ' ') continue;
    const found = t.indexOf(ch, at);
    if (found < 0) return null;
    const wordStart = found === 0 || /[\s\-_./:(]/.test(t[found - 1]);
    score += 1 + (wordStart ? 8 : 0) + (found === previous + 1 ? 5 : 0);
    // Characters skipped between matches cost a little, so tighter matches win.
    score -= Math.min(found - at, 10) * 0.1;
    previous = found;
    at = found + 1;
  }
  // An exact prefix is what the user most likely means.
  if (t.startsWith(q)) score += 20;
  return score;
}

/** `items` that match `query`, best first; ties keep the given order (screens, then commons, ...). */
export function rank<T>(query: string, items: T[], label: (item: T) => string): T[] {
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const score = fuzzyScore(query, label(item));
    if (score !== null) scored.push({ item, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.item);
}
