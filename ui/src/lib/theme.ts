export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'gen3-csoc.theme';

export function loadTheme(): ThemeChoice {
  const saved = globalThis.localStorage?.getItem(KEY);
  return saved === 'light' || saved === 'dark' ? saved : 'system';
}

export function saveTheme(choice: ThemeChoice): void {
  globalThis.localStorage?.setItem(KEY, choice);
}

function systemPrefersDark(): MediaQueryList | null {
  return typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
}

/** Applies the choice to <html>; returns a cleanup that stops following the OS. */
export function applyTheme(choice: ThemeChoice): () => void {
  const root = document.documentElement;
  if (choice !== 'system') {
    root.dataset.theme = choice;
    return () => {};
  }
  const query = systemPrefersDark();
  const update = () => (root.dataset.theme = query?.matches ? 'dark' : 'light');
  update();
  query?.addEventListener('change', update);
  return () => query?.removeEventListener('change', update);
}
