import '@testing-library/jest-dom/vitest';
import '@testing-library/svelte/vitest';
import { afterEach, beforeEach, expect } from 'vitest';
import { watchSymbolGlyphs } from './testing/glyphs';

// Every screen any test renders (App, Fleet, Wizard review, Credentials, Mesh…) is checked for emoji and
// symbol glyphs, which render as empty boxes without a colour-emoji font.
let glyphs: ReturnType<typeof watchSymbolGlyphs> | null = null;
beforeEach(() => {
  if (typeof document !== 'undefined') glyphs = watchSymbolGlyphs(document.body);
});
afterEach(async () => {
  if (!glyphs) return;
  // Let the observer deliver the last mutations of the test.
  await Promise.resolve();
  const { found, stop } = glyphs;
  stop();
  glyphs = null;
  expect(found, 'rendered an emoji or symbol glyph; use the Icon component').toEqual([]);
});
