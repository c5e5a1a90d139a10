import { getContext, setContext, untrack } from 'svelte';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { toCoreError } from '../backend/backend';
import type { CommonsAnswers, CoreError, Review, ServiceInfo, StepFinding } from '../backend/backend';
import { LAST_STEP, STEP_LAUNCH, STEP_REVIEW, answersFrom, defaultAnswers, draftTitle } from './answers';
import { chartDefaults } from './catalog';
import { DraftWizard } from './draft.svelte';

/** Edits settle this long before the answers are reviewed again. */
export const REVIEW_DEBOUNCE_MS = 300;

/** Blocks a step: an error the operator must fix (acknowledgeable ones wait for the review step). */
function blocks(f: StepFinding): boolean {
  return f.finding.severity === 'error' && !f.finding.acknowledgeable;
}

/** One commons wizard: its answers, where it stands, its draft and the latest review. */
export class CommonsWizardState extends DraftWizard<CommonsAnswers> {
  protected readonly kind = 'commons';
  protected readonly lastStep = LAST_STEP;
  /** Replaced whole on every answer. */
  review = $state.raw<Review | null>(null);
  reviewError = $state<CoreError | null>(null);
  /** Edits are waiting for (or in) a review. */
  reviewPending = $state(false);
  catalog = $state.raw<ServiceInfo[] | null>(null);
  catalogError = $state<CoreError | null>(null);
  /** Finding keys that a field on screen shows inline, with how many fields show each. */
  readonly inline = new SvelteMap<string, number>();
  /** Fields the operator changed or left, and steps where they pressed Next: only there (or in a
   *  saved draft, whose answers are all theirs) does a field show its errors. */
  readonly touched = new SvelteSet<string>();
  readonly attempted = new SvelteSet<number>();
  private resumed = $state(false);

  private reviewTimer: ReturnType<typeof setTimeout> | undefined;
  private reviewSeq = 0;
  private reviewing: Promise<void> = Promise.resolve();
  private reviewedJson = '';
  private closed = false;

  protected initialAnswers(): CommonsAnswers {
    return defaultAnswers();
  }

  protected draftTitle(answers: CommonsAnswers): string {
    return draftTitle(answers);
  }

  /** Opens a saved draft (at `step`, or where it was left) or starts a new commons. */
  async open(draftId: string | null, step?: number): Promise<void> {
    const catalog = this.loadCatalog();
    if (draftId) {
      try {
        const draft = await this.app.backend.call('wizard_draft_get', { id: draftId });
        this.restore(draft, answersFrom(draft.answers), step);
        this.resumed = true;
      } catch (err) {
        this.loadError = toCoreError(err);
        return;
      }
    } else {
      this.step = this.clampStep(step ?? 1);
      await catalog;
      // A new commons starts from the umbrella chart's own choice of services.
      if (this.catalog && this.answers.services.length === 0) this.answers.services = chartDefaults(this.catalog);
      // Opening and leaving a new wizard untouched leaves no draft behind.
      this.savedJson = JSON.stringify(this.answers);
    }
    this.loaded = true;
    await this.reviewNow();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reviewTimer);
  }

  private async loadCatalog(): Promise<void> {
    try {
      this.catalog = await this.app.backend.call('wizard_catalog', null);
      this.catalogError = null;
    } catch (err) {
      this.catalogError = toCoreError(err);
    }
  }

  /** Called with the answers' JSON after every edit: reviews them once the edits settle. */
  edited(json: string): void {
    if (!this.loaded || json === this.reviewedJson) return;
    this.reviewPending = true;
    clearTimeout(this.reviewTimer);
    this.reviewTimer = setTimeout(() => void this.reviewNow(), REVIEW_DEBOUNCE_MS);
  }

  /** Reviews the current answers now (and waits for it), unless they were just reviewed. */
  async reviewNow(): Promise<void> {
    clearTimeout(this.reviewTimer);
    const answers = $state.snapshot(this.answers) as CommonsAnswers;
    const json = JSON.stringify(answers);
    if (json === this.reviewedJson) {
      await this.reviewing;
      this.reviewPending = false;
      return;
    }
    this.reviewedJson = json;
    const seq = ++this.reviewSeq;
    this.reviewPending = true;
    this.reviewing = (async () => {
      try {
        const review = await this.app.backend.call('wizard_review', answers);
        if (seq !== this.reviewSeq || this.closed) return;
        this.review = review;
        this.reviewError = null;
      } catch (err) {
        if (seq !== this.reviewSeq || this.closed) return;
        this.reviewError = toCoreError(err);
        // Reviewing the same answers again is worth a try (the error may be gone, e.g. a file unlocked).
        this.reviewedJson = '';
      } finally {
        if (seq === this.reviewSeq) this.reviewPending = false;
      }
    })();
    await this.reviewing;
  }

  /** Findings of step `n` (1-7), in the review's order. */
  findingsOf(n: number): StepFinding[] {
    return this.review?.findings.filter((f) => f.step === n) ?? [];
  }

  /** A field's errors show once it was touched, Next was pressed on its step, or the draft was resumed. */
  showsErrors(key: string): boolean {
    return this.resumed || this.touched.has(key) || this.attempted.has(this.step);
  }

  /** Findings whose key is `key`: what a field shows under itself. */
  findingsAt(key: string): StepFinding[] {
    return this.review?.findings.filter((f) => f.finding.key === key) ?? [];
  }

  blockingOf(n: number): StepFinding[] {
    return this.findingsOf(n).filter(blocks);
  }

  /** Why the operator cannot go on from step `n`, in words; null when they can. */
  blockedReason(n: number): string | null {
    if (n === STEP_REVIEW) {
      if (!this.review) return this.reviewError ? `The files could not be generated: ${this.reviewError.message}` : 'Reviewing…';
      const open = this.review.findings.filter((f) => f.finding.severity === 'error' && !f.acknowledged);
      if (!this.review.blocked) return null;
      return open.length === 1
        ? 'One problem must be fixed or acknowledged before launch.'
        : `${open.length} problems must be fixed or acknowledged before launch.`;
    }
    if (n >= STEP_LAUNCH) return null;
    const found = this.blockingOf(n);
    if (found.length === 0) return null;
    return found.length === 1 ? found[0].finding.message : `${found.length} problems on this step must be fixed first.`;
  }

  // Called from the fields' effects: the count is read untracked so registering does not re-run them.
  inlineShown(key: string): void {
    untrack(() => this.inline.set(key, (this.inline.get(key) ?? 0) + 1));
  }

  inlineGone(key: string): void {
    untrack(() => {
      const n = (this.inline.get(key) ?? 1) - 1;
      if (n <= 0) this.inline.delete(key);
      else this.inline.set(key, n);
    });
  }

  protected async beforeNext(): Promise<void> {
    this.attempted.add(this.step);
    // The verdict is the latest edits' review.
    await this.reviewNow();
  }

  /** Deletes the draft: once launched, the commons lives in the inventory. */
  async discardDraft(): Promise<void> {
    await this.saveChain;
    if (!this.draftId) return;
    try {
      await this.app.backend.call('wizard_draft_delete', { id: this.draftId });
      this.draftId = '';
      this.savedAt = null;
    } catch (err) {
      this.app.fail(err, false);
    }
  }

  /** Stores a provider's client secret in the vault; the answers keep only that it is stored. */
  async storeSecret(index: number, secret: string): Promise<void> {
    const provider = this.answers.login.providers[index];
    if (!provider) return;
    // The vault keys the secret by draft, so a new wizard gets its draft first.
    if (!this.draftId) await this.save();
    if (!this.draftId) throw { code: 'io', message: 'The draft could not be saved, so the secret has nowhere to belong yet.' };
    await this.app.backend.call('wizard_secret_store', { draft_id: this.draftId, idp: provider.idp, secret });
    provider.secret_stored = true;
    await this.save();
  }
}

const KEY = Symbol('commons-wizard');

export function setWizard(w: CommonsWizardState): void {
  setContext(KEY, w);
}

export function getWizard(): CommonsWizardState {
  return getContext<CommonsWizardState>(KEY);
}
