import { describe, expect, it } from 'vitest';
import { symbolGlyphsIn, watchSymbolGlyphs } from './glyphs';

describe('the symbol glyph check', () => {
  it('finds emoji, dingbats and symbols in text and titles', () => {
    const div = document.createElement('div');
    div.innerHTML = '<p>✓ ok</p><span title="🔑 key">key</span><p>⬛ box</p><p>⚠ warn</p>';
    expect(symbolGlyphsIn(div)).toEqual(['✓ in: ✓ ok', '⬛ in: ⬛ box', '⚠ in: ⚠ warn', '🔑 in: 🔑 key']);
  });

  it('leaves arrows, bullets and dashes alone, which every font has', () => {
    const div = document.createElement('div');
    div.textContent = '← Back · Next → — 1 536 ↑ ↓ ×';
    expect(symbolGlyphsIn(div)).toEqual([]);
  });

  it('sees a glyph added after it starts watching, even when it is removed again', async () => {
    // Not in the document, so the check every test runs does not see this glyph.
    const root = document.createElement('div');
    const watch = watchSymbolGlyphs(root);
    const p = document.createElement('p');
    p.textContent = 'fine';
    root.append(p);
    p.firstChild!.textContent = '✕ Removed';
    await Promise.resolve();
    p.remove();
    watch.stop();
    expect(watch.found).toEqual(['✕ in: ✕ Removed']);
  });
});
