/** One line of a unified diff, ready to render: what it is, its text, and its line numbers. */
export type DiffLine =
  | { kind: 'hunk'; text: string }
  | { kind: 'context' | 'added' | 'removed'; text: string; oldLine: number | null; newLine: number | null }
  | { kind: 'note'; text: string };

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * Parses the unified diff the review produces (`--- a/<path>`, `+++ b/<path>`, `@@` hunks). The
 * file header lines are dropped: the file is already named above the diff.
 */
export function parseUnifiedDiff(diff: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      inHunk = true;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      out.push({ kind: 'hunk', text: line });
    } else if (!inHunk) {
      // `--- a/…` / `+++ b/…` before the first hunk.
      continue;
    } else if (line.startsWith('+')) {
      out.push({ kind: 'added', text: line.slice(1), oldLine: null, newLine: newLine++ });
    } else if (line.startsWith('-')) {
      out.push({ kind: 'removed', text: line.slice(1), oldLine: oldLine++, newLine: null });
    } else if (line.startsWith('\\')) {
      out.push({ kind: 'note', text: line.slice(1).trim() });
    } else {
      out.push({ kind: 'context', text: line.slice(1), oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return out;
}

/** How many lines a diff adds and removes, for the file's summary line. */
export function diffStats(lines: DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === 'added').length,
    removed: lines.filter((l) => l.kind === 'removed').length,
  };
}
