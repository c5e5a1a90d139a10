import type { AppState } from '../app.svelte';
import type { CoreError, Draft } from '../backend/backend';

/**
 * What every wizard does with its draft and its steps: the answers saved as a draft (one save at a
 * time: the first one creates it) at every step change, and moving between the steps (back always,
 * forward only past steps with nothing blocking). Each wizard says what blocks a step and what else
 * moving to a step, or going on from one, takes.
 */
export abstract class DraftWizard<A> {
  answers = $state<A>(this.initialAnswers());
  step = $state(1);
  /** Empty until the first save gives the draft an id. */
  draftId = $state('');
  savedAt = $state<number | null>(null);
  loaded = $state(false);
  loadError = $state<CoreError | null>(null);

  /** The answers as last saved (or opened): a wizard left untouched saves nothing. */
  protected savedJson = '';
  protected saveChain: Promise<void> = Promise.resolve();

  protected abstract readonly kind: Draft['kind'];
  protected abstract readonly lastStep: number;

  constructor(readonly app: AppState) {}

  protected abstract initialAnswers(): A;
  /** What the list of drafts shows for these answers. */
  protected abstract draftTitle(answers: A): string;
  /** Why the operator cannot go on from step `n`, in words; null when they can. */
  abstract blockedReason(n: number): string | null;

  /** Opens a saved draft (at `step`, or where it was left) or starts anew. */
  abstract open(draftId: string | null, step?: number): Promise<void>;
  /** The wizard's view is gone: late answers from the backend are dropped. */
  abstract close(): void;

  /** For the wizard's view to call on mount: opens the draft and returns what the view does when it goes. */
  mount(draftId: string | null, step?: number): () => void {
    void this.open(draftId, step);
    return () => {
      // Edits since the last step change are kept too when the operator leaves mid-step.
      if (this.loaded) void this.saveIfEdited();
      this.close();
    };
  }

  protected clampStep(n: number): number {
    return Math.min(Math.max(Math.round(n), 1), this.lastStep);
  }

  /** Takes up a saved draft: its answers, at `step` or where it was left. */
  protected restore(draft: Draft, answers: A, step?: number): void {
    this.answers = answers;
    this.draftId = draft.id;
    this.savedAt = draft.updated_at;
    this.savedJson = JSON.stringify(this.answers);
    this.step = this.clampStep(step ?? draft.step);
  }

  /** The operator may jump to step `n`: back always, forward past steps with nothing blocking. */
  reachable(n: number): boolean {
    if (n <= this.step) return true;
    for (let t = this.step; t < n; t++) if (this.blockedReason(t) !== null) return false;
    return true;
  }

  /** Moves to step `n` and saves the draft there. */
  async goTo(n: number): Promise<void> {
    const next = this.clampStep(n);
    if (next === this.step) return;
    this.step = next;
    await this.arrived(next);
  }

  /** What moving to step `n` takes: saving the draft there. */
  protected arrived(_n: number): Promise<unknown> {
    return this.save();
  }

  /** Goes on when the current step has nothing blocking (after `beforeNext` brings the verdict up to date). */
  async next(): Promise<boolean> {
    if (this.step >= this.lastStep) return false;
    await this.beforeNext();
    if (this.blockedReason(this.step) !== null) return false;
    await this.goTo(this.step + 1);
    return true;
  }

  /** Brings what `blockedReason` reads up to date with the latest answers. */
  protected abstract beforeNext(): Promise<void>;

  async back(): Promise<void> {
    if (this.step > 1) await this.goTo(this.step - 1);
  }

  /** Saves the draft (one save at a time: the first one creates it). */
  save(): Promise<void> {
    this.saveChain = this.saveChain.then(() => this.saveNow());
    return this.saveChain;
  }

  /** Saves only when the answers changed since the last save. */
  saveIfEdited(): Promise<void> {
    return JSON.stringify(this.answers) === this.savedJson ? this.saveChain : this.save();
  }

  /** False once the draft must not be saved any more. */
  protected saveable(): boolean {
    return true;
  }

  /** Called after every successful save with the draft as saved. */
  protected onSaved(_saved: Draft): void {}

  private async saveNow(): Promise<void> {
    if (!this.saveable()) return;
    const answers = $state.snapshot(this.answers) as A;
    const draft: Draft = {
      id: this.draftId,
      kind: this.kind,
      title: this.draftTitle(answers),
      step: this.step,
      answers,
      updated_at: 0,
    };
    try {
      const saved = await this.app.backend.call('wizard_draft_save', draft);
      this.draftId = saved.id;
      this.onSaved(saved);
      this.savedAt = saved.updated_at;
      this.savedJson = JSON.stringify(answers);
    } catch (err) {
      this.app.fail(err, false);
    }
  }
}
