/**
 * Emoji, dingbats and miscellaneous symbols (U+2600–U+27BF, U+2B00–U+2BFF, U+1F300–U+1FAFF): without a
 * colour-emoji font they render as empty boxes, so the app draws its icons as SVG instead.
 */
export const SYMBOL_GLYPH = /[\u{2600}-\u{27BF}\u{2B00}-\u{2BFF}\u{1F300}-\u{1FAFF}]/u;

/** The text and titles under `node` that hold a symbol glyph, each as "glyph in: text". */
export function symbolGlyphsIn(node: Node): string[] {
  const texts: string[] = [];
  if (node.nodeType === Node.TEXT_NODE) texts.push(node.textContent ?? '');
  if (node instanceof Element) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) texts.push(t.textContent ?? '');
    for (const el of [node, ...node.querySelectorAll('[title]')]) texts.push(el.getAttribute('title') ?? '');
  }
  return texts.flatMap((text) => {
    const glyph = text.match(SYMBOL_GLYPH);
    return glyph ? [`${glyph[0]} in: ${text.trim()}`] : [];
  });
}

/** Records every symbol glyph rendered into `root` from now on, whatever renders it and however briefly. */
export function watchSymbolGlyphs(root: Node): { found: string[]; stop: () => void } {
  const found: string[] = [];
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const nodes = r.type === 'childList' ? [...r.addedNodes] : [r.target];
      for (const hit of nodes.flatMap(symbolGlyphsIn)) if (!found.includes(hit)) found.push(hit);
    }
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['title'] });
  return { found, stop: () => observer.disconnect() };
}
