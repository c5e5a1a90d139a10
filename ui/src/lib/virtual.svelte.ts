/**
 * Windowed rendering for long lists of fixed-height rows: only the rows in the scroll container's
 * viewport, plus an overscan above and below, are in the DOM; spacers above and below keep the
 * scrollbar true to the whole list.
 *
 * Row heights are fixed by the caller (a constant also written into the CSS), so no row is ever
 * measured. Without layout (jsdom) the viewport falls back to FALLBACK_VIEWPORT, which keeps tests
 * deterministic: a short list renders entirely.
 */

/** Rows rendered beyond each edge of the viewport. */
export const OVERSCAN = 20;
/** Viewport height used until the scroll container has been laid out (and always in jsdom). */
export const FALLBACK_VIEWPORT = 800;

export type RowRange = { start: number; end: number; top: number; bottom: number };

export class VirtualWindow {
  /** Every row's height in px. */
  readonly rowHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  readonly overscan: number;
  /** The scroll container's scrollTop, as last seen. */
  scrollTop = $state(0);
  /** The scroll container's inner height. */
  viewport = $state(FALLBACK_VIEWPORT);
  /** Distance from the top of the scrolled content to the first row (a sticky header above the rows). */
  offset = $state(0);

  /** The first row at least partly in view; changes only as a row boundary is crossed, so scroll events in between cost nothing. */
  private first: number;
  /** Rows that fit in the viewport, counting a partial one at each edge. */
  private fits: number;
  private el: HTMLElement | null = null;

  constructor(rowHeight: number, overscan: number = OVERSCAN) {
    this.rowHeight = rowHeight;
    this.overscan = overscan;
    this.first = $derived(Math.floor(Math.max(0, this.scrollTop - this.offset) / rowHeight));
    this.fits = $derived(Math.ceil(this.viewport / rowHeight) + 1);
  }

  /** Which rows of `count` to render, and the spacer heights above and below them. */
  range(count: number): RowRange {
    const h = this.rowHeight;
    const visible = this.fits;
    const first = this.first;
    let start = Math.max(0, first - this.overscan);
    // After the list shrinks (a filter) the old scroll position may lie past its end.
    start = Math.min(start, Math.max(0, count - visible - this.overscan));
    const end = Math.min(count, first + visible + this.overscan);
    const stop = Math.max(start, end);
    return { start, end: stop, top: start * h, bottom: (count - stop) * h };
  }

  /** Scrolls just enough to show row `index` below the sticky header, and renders it at once. */
  reveal(index: number): void {
    const h = this.rowHeight;
    const rowTop = index * h;
    let target = this.scrollTop;
    if (rowTop < this.scrollTop) target = rowTop;
    else if (this.offset + rowTop + h > this.scrollTop + this.viewport) target = this.offset + rowTop + h - this.viewport;
    if (target === this.scrollTop) return;
    if (this.el) {
      this.el.scrollTop = target;
      // The browser clamps; jsdom keeps what it is given.
      this.scrollTop = this.el.scrollTop;
    } else {
      this.scrollTop = target;
    }
  }

  private measure(el: HTMLElement, body: Element | null): void {
    this.viewport = el.clientHeight > 0 ? el.clientHeight : FALLBACK_VIEWPORT;
    if (body) {
      const top = body.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop - el.clientTop;
      this.offset = Math.max(0, Math.round(top));
    }
  }

  /**
   * An attachment for the scroll container. `bodySelector` finds the element holding the rows,
   * to learn how far below the top of the scrolled content they start.
   */
  attach(bodySelector: string): (el: HTMLElement) => () => void {
    return (el: HTMLElement) => {
      this.el = el;
      const body = () => el.querySelector(bodySelector);
      const onScroll = () => {
        this.scrollTop = el.scrollTop;
      };
      const onResize = () => this.measure(el, body());
      this.measure(el, body());
      this.scrollTop = el.scrollTop;
      el.addEventListener('scroll', onScroll, { passive: true });
      let observer: ResizeObserver | undefined;
      if (typeof ResizeObserver !== 'undefined') {
        observer = new ResizeObserver(onResize);
        observer.observe(el);
      } else {
        window.addEventListener('resize', onResize);
      }
      return () => {
        el.removeEventListener('scroll', onScroll);
        observer?.disconnect();
        window.removeEventListener('resize', onResize);
        if (this.el === el) this.el = null;
      };
    };
  }
}
