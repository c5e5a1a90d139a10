import { getContext, setContext } from 'svelte';
import { defaultFilter, type AppState } from '../app.svelte';
import { toCoreError } from '../backend/backend';
import type { CommonsAnswers, CoreError, Draft, InventoryView, MemberPreview, Mesh, MeshAnswers, MeshBuild } from '../backend/backend';
import { plural } from '../format';
import { STEP_REVIEW } from '../wizard/answers';
import { DraftWizard } from '../wizard/draft.svelte';
import { CommonsWizardState } from '../wizard/wizard.svelte';
import {
  MESH_LAST_STEP,
  MESH_STEP_REVIEW,
  defaultMeshAnswers,
  meshAnswersFrom,
  meshDraftTitle,
  meshStepProblems,
} from './answers';

/**
 * The hub's side of a mesh wizard, handed to the commons wizard's own review and launch steps:
 * the hub's answers with the mesh applied, reviewed and launched exactly as a commons. Saving
 * saves the mesh's draft, and the launch step's "the draft has done its job" records the mesh.
 */
export class HubWizardState extends CommonsWizardState {
  /** The commons-wizard step a hub finding's "Go to step" named; null when none was asked for. */
  hubStep = $state<number | null>(null);

  constructor(
    app: AppState,
    private readonly mesh: MeshWizardState,
  ) {
    super(app);
  }

  override save(): Promise<void> {
    return this.mesh.save();
  }

  override saveIfEdited(): Promise<void> {
    return this.mesh.saveIfEdited();
  }

  /** The launch step calls this once the hub is launched and in the inventory. */
  override async discardDraft(): Promise<void> {
    await this.mesh.launched();
  }

  /** Hub findings belong to the hub's own configuration, which this wizard does not edit: say where they are fixed. */
  override async goTo(n: number): Promise<void> {
    this.hubStep = n;
  }
}

/** One mesh wizard: its answers, where it stands, its draft, the preview and the hub's build. */
export class MeshWizardState extends DraftWizard<MeshAnswers> {
  protected readonly kind = 'mesh';
  protected readonly lastStep = MESH_LAST_STEP;
  /** Every commons (unfiltered), to pick the hub and members from. */
  inventory = $state.raw<InventoryView | null>(null);

  preview = $state.raw<MemberPreview[] | null>(null);
  previewing = $state(false);
  previewError = $state<CoreError | null>(null);
  /** The answers the preview was made from. */
  previewedJson = $state('');

  build = $state.raw<MeshBuild | null>(null);
  building = $state(false);
  buildError = $state<CoreError | null>(null);
  /** The answers the build (or the failed attempt) was made from. */
  builtJson = $state('');

  /** The mesh as the inventory records it, once saved. */
  recorded = $state.raw<Mesh | null>(null);
  recording = $state(false);
  recordError = $state<CoreError | null>(null);
  /** The hub was launched with this mesh. */
  hubLaunched = $state(false);

  readonly hub: HubWizardState;

  private buildSeq = 0;
  private building_: Promise<void> = Promise.resolve();
  private previewSeq = 0;
  private closed = false;
  /** Launched and recorded: the draft is gone and must not come back. */
  private finished = false;

  constructor(app: AppState) {
    super(app);
    this.hub = new HubWizardState(app, this);
  }

  protected initialAnswers(): MeshAnswers {
    return defaultMeshAnswers();
  }

  protected draftTitle(answers: MeshAnswers): string {
    return meshDraftTitle(answers);
  }

  /** Opens a saved mesh draft (at `step`, or where it was left) or starts a new mesh. */
  async open(draftId: string | null, step?: number): Promise<void> {
    const inventory = this.loadInventory();
    if (draftId) {
      try {
        const draft = await this.app.backend.call('wizard_draft_get', { id: draftId });
        if (draft.kind !== 'mesh') {
          this.loadError = { code: 'invalid', message: `The draft ${draft.title} is a commons draft; resume it from the Wizards screen.` };
          return;
        }
        this.restore(draft, meshAnswersFrom(draft.answers), step);
        this.hub.draftId = draft.id;
      } catch (err) {
        this.loadError = toCoreError(err);
        return;
      }
    } else {
      this.step = this.clampStep(step ?? 1);
      // Opening and leaving a new wizard untouched leaves no draft behind.
      this.savedJson = JSON.stringify(this.answers);
    }
    await inventory;
    this.loaded = true;
    if (this.step >= MESH_STEP_REVIEW) await this.buildNow();
  }

  close(): void {
    this.closed = true;
    this.hub.close();
  }

  async loadInventory(): Promise<void> {
    try {
      this.inventory = await this.app.backend.call('inventory_list', defaultFilter());
    } catch (err) {
      this.app.fail(err, false);
    }
  }

  /** Why the operator cannot go on from step `n`, in words; null when they can. */
  blockedReason(n: number): string | null {
    if (n < MESH_STEP_REVIEW) {
      const found = meshStepProblems(this.answers, n);
      if (found.length === 0) return null;
      return found.length === 1 ? found[0] : `${found.length} problems on this step must be fixed first: ${found[0]}`;
    }
    if (n > MESH_STEP_REVIEW) return null;
    if (this.building) return "Building the hub's configuration…";
    if (this.builtJson !== JSON.stringify(this.answers)) return 'The answers changed since the mesh was built: review it again.';
    if (this.buildError) return `The mesh could not be built: ${this.buildError.message}`;
    if (!this.build) return "Building the hub's configuration…";
    const errors = this.build.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) return errors.length === 1 ? errors[0].message : `${errors.length} problems with the mesh must be fixed first.`;
    return this.hub.blockedReason(STEP_REVIEW);
  }

  /** Moving to the review step builds the hub's configuration while the draft is saved. */
  protected override arrived(n: number): Promise<unknown> {
    return Promise.all([this.save(), n >= MESH_STEP_REVIEW ? this.buildNow() : null]);
  }

  /** On the review step, Next waits for the build and the hub's review of it. */
  protected async beforeNext(): Promise<void> {
    if (this.step === MESH_STEP_REVIEW) {
      await this.buildNow();
      await this.hub.reviewNow();
    }
  }

  protected override saveable(): boolean {
    return !this.finished;
  }

  protected override onSaved(saved: Draft): void {
    this.hub.draftId = saved.id;
  }

  /**
   * Builds the hub's configuration from the current answers and reviews it: once per set of answers,
   * or again with `force` (the hub's folder changed on disk).
   */
  buildNow(force = false): Promise<void> {
    const answers = $state.snapshot(this.answers) as MeshAnswers;
    const json = JSON.stringify(answers);
    if (!force && json === this.builtJson && !this.buildError) return this.building_;
    this.builtJson = json;
    const seq = ++this.buildSeq;
    this.building = true;
    this.building_ = (async () => {
      try {
        const build = await this.app.backend.call('mesh_wizard_build', answers);
        if (seq !== this.buildSeq || this.closed) return;
        // Acknowledgements made at this review stay when the mesh is built again.
        const kept = this.hub.answers.acknowledged;
        const acknowledged = [...new Set([...build.hub.acknowledged, ...kept])];
        this.hub.answers = { ...build.hub, acknowledged } as CommonsAnswers;
        this.hub.loaded = true;
        this.hub.hubStep = null;
        this.build = build;
        this.buildError = null;
        await this.hub.reviewNow();
      } catch (err) {
        if (seq !== this.buildSeq || this.closed) return;
        this.build = null;
        this.buildError = toCoreError(err);
      } finally {
        if (seq === this.buildSeq) this.building = false;
      }
    })();
    return this.building_;
  }

  /** Fetches a few real records from each member and maps them as the hub would. */
  async runPreview(): Promise<void> {
    const answers = $state.snapshot(this.answers) as MeshAnswers;
    const seq = ++this.previewSeq;
    this.previewing = true;
    this.previewError = null;
    try {
      const preview = await this.app.backend.call('mesh_wizard_preview', answers);
      if (seq !== this.previewSeq || this.closed) return;
      this.preview = preview;
      this.previewedJson = JSON.stringify(answers);
    } catch (err) {
      if (seq !== this.previewSeq || this.closed) return;
      this.previewError = toCoreError(err);
    } finally {
      if (seq === this.previewSeq) this.previewing = false;
    }
  }

  /** Replaces the generated AggMDS configuration with one read from a file the operator picks. */
  async importAggmds(): Promise<void> {
    try {
      const path = await this.app.backend.pickOpenFile('aggmds');
      if (!path) return;
      this.answers.aggmds_json = await this.app.backend.call('mesh_aggmds_import', { path });
      this.app.toast('success', `Imported the AggMDS configuration from ${path}.`);
    } catch (err) {
      this.app.fail(err, false);
    }
  }

  /** Records the mesh, its hub and members in the inventory; true when it was saved. */
  async record(): Promise<boolean> {
    await this.saveChain;
    this.recording = true;
    this.recordError = null;
    try {
      const mesh = await this.app.backend.call('mesh_wizard_save', $state.snapshot(this.answers) as MeshAnswers);
      if (this.closed) return true;
      this.recorded = mesh;
      const members = this.answers.members.length;
      this.app.toast('success', `Saved the mesh ${mesh.name} with its hub and ${plural(members, 'member')}.`);
      void this.app.refresh();
      return true;
    } catch (err) {
      this.recordError = toCoreError(err);
      return false;
    } finally {
      this.recording = false;
    }
  }

  /** The hub was launched with the mesh: record the mesh, and its draft has done its job. */
  async launched(): Promise<void> {
    this.hubLaunched = true;
    if (!(await this.record())) return;
    await this.saveChain;
    this.finished = true;
    if (!this.draftId) return;
    try {
      await this.app.backend.call('wizard_draft_delete', { id: this.draftId });
      this.draftId = '';
      this.hub.draftId = '';
      this.savedAt = null;
    } catch (err) {
      this.app.fail(err, false);
    }
  }
}

const KEY = Symbol('mesh-wizard');

export function setMeshWizard(w: MeshWizardState): void {
  setContext(KEY, w);
}

export function getMeshWizard(): MeshWizardState {
  return getContext<MeshWizardState>(KEY);
}
