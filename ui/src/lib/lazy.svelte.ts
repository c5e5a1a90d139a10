import type { Component } from 'svelte';

/**
 * A component kept out of the start-up bundle: its chunk loads the first time a screen asks for it,
 * and from then on it renders at once (no loading flash on later visits).
 */
export class Lazy<C extends Component<any>> {
  #component = $state.raw<C | null>(null);
  #loading: Promise<void> | null = null;

  constructor(private readonly load: () => Promise<{ default: C }>) {}

  /** The component once loaded; reading it starts the load. */
  get component(): C | null {
    // A failed load leaves the placeholder; the next read tries again.
    if (!this.#component) this.preload().catch(() => {});
    return this.#component;
  }

  preload(): Promise<void> {
    this.#loading ??= this.load().then(
      (m) => {
        this.#component = m.default;
      },
      (err: unknown) => {
        // Let a later visit try again (e.g. a chunk that failed to load once).
        this.#loading = null;
        throw err;
      },
    );
    return this.#loading;
  }
}
