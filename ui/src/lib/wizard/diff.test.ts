import { describe, expect, it } from 'vitest';
import { diffStats, parseUnifiedDiff } from './diff';

// The shape `similar`'s unified_diff writes (header, hunks, a missing final newline note).
const DIFF = [
  '--- a/values/values.yaml',
  '+++ b/values/values.yaml',
  '@@ -1,3 +1,4 @@',
  ' global:',
  '-  hostname: old.example.org',
  '+  hostname: data.example.org',
  '+  dev: false',
  ' fence:',
  '@@ -10,2 +11,2 @@',
  '-  tag: 2025.09',
  '+  tag: 2026.07',
  '\\ No newline at end of file',
  '',
].join('\n');

describe('parseUnifiedDiff', () => {
  it('numbers old and new lines from each hunk and drops the file header', () => {
    const lines = parseUnifiedDiff(DIFF);
    expect(lines.map((l) => l.kind)).toEqual(['hunk', 'context', 'removed', 'added', 'added', 'context', 'hunk', 'removed', 'added', 'note']);
    expect(lines[1]).toEqual({ kind: 'context', text: 'global:', oldLine: 1, newLine: 1 });
    expect(lines[2]).toEqual({ kind: 'removed', text: '  hostname: old.example.org', oldLine: 2, newLine: null });
    expect(lines[4]).toEqual({ kind: 'added', text: '  dev: false', oldLine: null, newLine: 3 });
    expect(lines[5]).toEqual({ kind: 'context', text: 'fence:', oldLine: 3, newLine: 4 });
    expect(lines[8]).toEqual({ kind: 'added', text: '  tag: 2026.07', oldLine: null, newLine: 11 });
    expect(lines[9]).toEqual({ kind: 'note', text: 'No newline at end of file' });
    expect(diffStats(lines)).toEqual({ added: 3, removed: 2 });
  });

  it('gives nothing for an empty diff', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
  });
});
