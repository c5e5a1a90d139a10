import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';

/** Screens load on first use, and the first load in a run also transforms their modules: seconds on a busy machine. */
export const LAZY = { timeout: 5000 };

/** Renders the app and opens a screen from the sidebar (`nav-<nav>`), resolving to its element `view`. */
export async function openScreen(nav: 'commons' | 'credentials' | 'wizards' | 'settings' | 'meshes' | 'activity', view: string) {
  render(App);
  await userEvent.click(await screen.findByTestId(`nav-${nav}`, {}, LAZY));
  return screen.findByTestId(view, {}, LAZY);
}
