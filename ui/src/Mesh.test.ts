import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { CommonsAnswers, Draft, MeshAnswers, MeshReport } from './lib/backend/backend';
import {
  HUB,
  HUB_FOLDER,
  JCOIN,
  MESH_FINDING,
  MIDRC,
  buildOf,
  count,
  fakeMeshRust,
  hubAnswers,
  memberReport,
  meshAnswers,
  meshDraftOf,
  meshReportOf,
  previewOf,
  type MeshFakeOptions,
} from './testing/mesh';
import { reviewOf, stepFinding, useIpcMock } from './testing/wizard';


useIpcMock(mockIPC);
beforeAll(async () => {
  // The mesh wizard's screens load lazily; load them once here so the first test's timing is not the compiler's.
  await Promise.all([import('./lib/views/WizardsView.svelte'), import('./lib/views/MeshWizard.svelte')]);
});
afterEach(() => {
  // Unmount first: the app unlistens from events, which needs the mocked IPC still in place.
  cleanup();
  clearMocks();
  localStorage.clear();
});

const progress = () => screen.getByTestId('mesh-progress');
// Views load on first use; the first load of one in a run also transforms its modules.
const LAZY = { timeout: 5000 };

async function expectStep(n: number) {
  await waitFor(() => expect(progress()).toHaveTextContent(new RegExp(`^Step ${n} of 5`)));
}

async function openWizards() {
  render(App);
  await userEvent.click(await screen.findByTestId('nav-wizards'));
  return screen.findByTestId('wizards-view', {}, LAZY);
}

/** A mesh draft saved at 0-based `step`, resumed from the Wizards screen. */
async function resumeMesh(answers: MeshAnswers, step: number, extra: MeshFakeOptions = {}) {
  const rust = fakeMeshRust({ drafts: [meshDraftOf('m1', answers, step)], ...extra });
  await openWizards();
  await userEvent.click(await screen.findByTestId('draft-resume'));
  await screen.findByTestId('mesh-wizard', {}, LAZY);
  await expectStep(step + 1);
  return rust;
}

const saves = (rust: ReturnType<typeof fakeMeshRust>) => rust.named('wizard_draft_save').map((c) => c.request as Draft);

describe('mesh wizard', () => {
  it('walks name and hub, members and mapping to review, saving a mesh draft at every step change', async () => {
    const rust = fakeMeshRust();
    await openWizards();
    await userEvent.click(screen.getByTestId('wizard-new-mesh'));
    await screen.findByTestId('mesh-step-hub', {}, LAZY);
    expect(progress()).toHaveTextContent('Step 1 of 5 · Name and hub');
    expect(screen.getByTestId('mesh-next')).toBeDisabled();
    expect(screen.getByTestId('mesh-next-reason')).toHaveTextContent('3 problems on this step must be fixed first: Give the mesh a name.');

    await userEvent.type(screen.getByTestId('mesh-name'), 'brh');
    await userEvent.selectOptions(screen.getByTestId('mesh-hub'), HUB.id);
    // The hub's gitops folder comes from the inventory.
    expect(screen.getByTestId('mesh-hub-folder')).toHaveValue(HUB_FOLDER);
    expect(screen.getByTestId('mesh-hub-summary')).toHaveTextContent('hub.example.org PROD');
    await userEvent.click(screen.getByTestId('mesh-next'));
    await expectStep(2);

    // The hub is not offered as its own member.
    expect(screen.queryByTestId(`mesh-member-${HUB.name}`)).not.toBeInTheDocument();
    expect(screen.getByTestId('mesh-next-reason')).toHaveTextContent('Add at least one member commons to the mesh.');
    await userEvent.click(screen.getByTestId(`mesh-member-${MIDRC.name}`));
    await userEvent.type(screen.getByTestId('mesh-external-name'), 'AnVIL');
    await userEvent.type(screen.getByTestId('mesh-external-url'), 'gen3.theanvil.io/portal{Enter}');
    const cards = screen.getAllByTestId('mesh-member-card');
    expect(cards.map((c) => c.getAttribute('data-member'))).toEqual(['MIDRC', 'AnVIL']);
    expect(cards[1]).toHaveTextContent('gen3.theanvil.io · not in the inventory yet');
    await userEvent.type(within(cards[0]).getByTestId('member-indexd-prefix'), 'dg.MD1R/');
    await userEvent.click(within(cards[0]).getByTestId('member-login-through-hub'));
    expect(screen.getByTestId('mesh-next')).toBeDisabled();
    expect(screen.getByTestId('mesh-next-reason')).toHaveTextContent("MIDRC logs in through the hub: enter the client id the hub's fence gave it.");
    await userEvent.type(within(cards[0]).getByTestId('member-hub-client'), 'midrc-at-hub');
    // Alt+→ is Next, from inside a field too.
    await userEvent.keyboard('{Alt>}{ArrowRight}{/Alt}');
    await expectStep(3);
    expect(screen.getAllByTestId('mesh-mapping-member').map((m) => m.getAttribute('data-member'))).toEqual(['MIDRC', 'AnVIL']);

    await userEvent.click(screen.getByTestId('mesh-next'));
    await expectStep(4);
    await waitFor(() => expect(rust.named('mesh_wizard_build')).toHaveLength(1));
    expect(await screen.findByTestId('mesh-summary')).toHaveTextContent('The hub hub.example.org will aggregate 2 commons: MIDRC, AnVIL.');
    await userEvent.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    await expectStep(3);

    await waitFor(() => expect(saves(rust)).toHaveLength(4));
    const drafts = saves(rust);
    expect(drafts.map((d) => [d.kind, d.step, d.id])).toEqual([
      ['mesh', 1, ''],
      ['mesh', 2, 'draft-1'],
      ['mesh', 3, 'draft-1'],
      ['mesh', 2, 'draft-1'],
    ]);
    expect(drafts[0].title).toBe('brh');
    const last = drafts[3].answers as MeshAnswers;
    expect(last.hub).toEqual({ commons_id: HUB.id, name: 'Data Hub', base_url: HUB.base_url, gitops_folder: HUB_FOLDER });
    expect(last.members.map((m) => [m.commons_id, m.adapter.name, m.adapter.base_url])).toEqual([
      [MIDRC.id, 'MIDRC', MIDRC.base_url],
      [null, 'AnVIL', 'https://gen3.theanvil.io'],
    ]);
    expect(last.members[0]).toMatchObject({ indexd_prefix: 'dg.MD1R/', login_through_hub: true, hub_client_id: 'midrc-at-hub' });
    expect(rust.named('mesh_wizard_build')[0].request).toEqual(drafts[2].answers);
  });

  it("takes a hub outside the inventory by URL, with its folder from the folder picker", async () => {
    const rust = fakeMeshRust({ overrides: { 'plugin:dialog|open': () => '/home/op/gen3-gitops/prod/hub.other.org' } });
    await openWizards();
    await userEvent.click(screen.getByTestId('wizard-new-mesh'));
    await screen.findByTestId('mesh-step-hub', {}, LAZY);
    await userEvent.type(screen.getByTestId('mesh-name'), 'other');
    await userEvent.selectOptions(screen.getByTestId('mesh-hub'), 'other');
    await userEvent.type(screen.getByTestId('mesh-hub-name'), 'Other hub');
    await userEvent.type(screen.getByTestId('mesh-hub-url'), 'hubother');
    await userEvent.click(screen.getByTestId('mesh-hub-folder-pick'));
    await waitFor(() => expect(screen.getByTestId('mesh-hub-folder')).toHaveValue('/home/op/gen3-gitops/prod/hub.other.org'));
    expect(screen.getByTestId('mesh-next-reason')).toHaveTextContent("The hub's URL hubother is not a web address.");
    await userEvent.type(screen.getByTestId('mesh-hub-url'), '.org/portal');
    await userEvent.tab();
    // Stored as the backend keeps commons URLs.
    expect(screen.getByTestId('mesh-hub-url')).toHaveValue('https://hubother.org');
    await userEvent.click(screen.getByTestId('mesh-next'));
    await expectStep(2);
    // With the hub outside the inventory, every commons of the inventory may be a member.
    expect(screen.getByTestId(`mesh-member-${HUB.name}`)).toBeInTheDocument();
    await waitFor(() => expect(saves(rust)).toHaveLength(1));
    expect((saves(rust)[0].answers as MeshAnswers).hub).toEqual({
      commons_id: null,
      name: 'Other hub',
      base_url: 'https://hubother.org',
      gitops_folder: '/home/op/gen3-gitops/prod/hub.other.org',
    });
  });

  it('previews the mapping per member: mapped records with missing fields beside a member that cannot be read', async () => {
    const preview = (a: MeshAnswers) => [
      previewOf('MIDRC', MIDRC.base_url, [
        {
          guid: 'midrc-1',
          mapped: { _unique_id: 'midrc-1', full_name: 'COVID-19 chest imaging', study_description: null, commons: 'MIDRC' },
          excluded: null,
          missing_fields: ['study_description'],
          defaulted_fields: [],
          notes: [],
        },
        {
          guid: 'midrc-2',
          mapped: { _unique_id: 'midrc-2', full_name: 'Pediatric imaging', study_description: 'Scans', _subjects_count: 0, commons: 'MIDRC' },
          excluded: null,
          missing_fields: [],
          defaulted_fields: ['_subjects_count'],
          notes: ['`tags`: the metadata service has no filter “lowercase”; it logs a warning and keeps the value.'],
        },
        { guid: 'midrc-3', mapped: null, excluded: 'The record has no `gen3_discovery` object, so the hub skips it.', missing_fields: [], defaulted_fields: [], notes: [] },
      ]),
      previewOf('JCOIN', JCOIN.base_url, [], {
        code: 'unreachable',
        message: `jcoin.datacommons.io did not answer within 10 seconds (${a.members.length} members were asked).`,
      }),
    ];
    const rust = await resumeMesh(meshAnswers(), 2, { preview });

    await userEvent.click(screen.getByTestId('mesh-preview'));
    const members = await screen.findAllByTestId('mesh-preview-member');
    expect(members.map((m) => m.getAttribute('data-member'))).toEqual(['MIDRC', 'JCOIN']);
    const [midrc, jcoin] = members;
    expect(within(midrc).getByTestId('mesh-preview-summary')).toHaveTextContent('3 records · 1 missing field');
    const rows = within(midrc).getAllByTestId('preview-record');
    expect(rows.map((r) => r.getAttribute('data-guid'))).toEqual(['midrc-1', 'midrc-2', 'midrc-3']);
    expect(within(rows[0]).getByTestId('preview-missing')).toHaveAttribute('data-field', 'study_description');
    expect(rows[0].querySelector('[data-field="full_name"]')).toHaveTextContent('COVID-19 chest imaging');
    expect(rows[1].querySelector('[data-field="_subjects_count"]')).toHaveTextContent('0 (default)');
    expect(within(rows[2]).getByTestId('preview-excluded')).toHaveTextContent('Left out: The record has no `gen3_discovery` object');
    expect(within(midrc).getByTestId('preview-note')).toHaveTextContent('no filter “lowercase”');
    expect(within(midrc).queryByTestId('mesh-preview-member-error')).not.toBeInTheDocument();
    const error = within(jcoin).getByTestId('mesh-preview-member-error');
    expect(error).toHaveTextContent('jcoin.datacommons.io did not answer within 10 seconds (2 members were asked).');
    expect(error).toHaveTextContent('Check the network, VPN or proxy');
    expect(within(jcoin).queryByTestId('preview-record')).not.toBeInTheDocument();

    // Editing a mapping makes the preview stale, and the next one reads the edited mapping.
    const editor = within(screen.getAllByTestId('mesh-mapping-member')[0]);
    const fullName = editor.getAllByTestId('mapping-row').find((r) => r.getAttribute('data-field') === 'full_name')!;
    await userEvent.clear(within(fullName).getByTestId('mapping-value'));
    await userEvent.type(within(fullName).getByTestId('mapping-value'), 'title');
    expect(await screen.findByTestId('mesh-preview-stale')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('mesh-preview'));
    await waitFor(() => expect(rust.named('mesh_wizard_preview')).toHaveLength(2));
    const sent = rust.named('mesh_wizard_preview')[1].request as MeshAnswers;
    expect(sent.members[0].adapter.field_mappings).toEqual({
      _unique_id: 'path:_unique_id',
      full_name: 'path:title',
      study_description: { path: 'study_description', filters: ['strip_html'] },
      tags: 'path:tags',
      authz: 'path:authz',
      _subjects_count: { path: '_subjects_count', default: 0 },
      commons: 'MIDRC',
    });
    // The other member is still on Gen3's usual mappings, which the answers leave to the backend.
    expect(sent.members[1].adapter.field_mappings).toBeNull();
    await waitFor(() => expect(screen.queryByTestId('mesh-preview-stale')).not.toBeInTheDocument());
  });

  it('imports an AggMDS configuration that replaces the mappings and says which members it leaves out', async () => {
    const config = JSON.stringify({ adapter_commons: { MIDRC: { mds_url: 'https://data.midrc.org/', adapter: 'gen3' }, 'Old commons': { adapter: 'gen3' } } }, null, 2);
    const rust = await resumeMesh(meshAnswers(), 2, {
      overrides: {
        'plugin:dialog|open': () => '/home/op/aggregate_config.json',
        mesh_aggmds_import: () => config,
      },
    });
    await userEvent.click(screen.getByTestId('mesh-aggmds-import'));
    expect(await screen.findByTestId('mesh-aggmds-imported')).toBeInTheDocument();
    expect(rust.named('mesh_aggmds_import').map((c) => c.request)).toEqual([{ path: '/home/op/aggregate_config.json' }]);
    expect(screen.getByTestId('mesh-aggmds-json')).toHaveValue(config);
    expect(screen.getByTestId('mesh-aggmds-commons')).toHaveTextContent('The hub will list MIDRC, Old commons.');
    expect(screen.getByTestId('mesh-aggmds-unlisted')).toHaveTextContent('so the hub will not aggregate them: JCOIN.');
    expect(screen.getByTestId('mesh-aggmds-extra')).toHaveTextContent('not members of this mesh: Old commons.');
    expect(screen.queryByTestId('mesh-mapping-member')).not.toBeInTheDocument();

    // Broken JSON blocks the step, in words.
    await userEvent.clear(screen.getByTestId('mesh-aggmds-json'));
    await userEvent.type(screen.getByTestId('mesh-aggmds-json'), '{{"adapter_commons": 1}');
    expect(screen.getByTestId('mesh-aggmds-problem')).toHaveTextContent('has no adapter_commons object');
    expect(screen.getByTestId('mesh-next')).toBeDisabled();

    await userEvent.click(screen.getByTestId('mesh-aggmds-discard'));
    expect(screen.getAllByTestId('mesh-mapping-member')).toHaveLength(2);
    expect(screen.getByTestId('mesh-next')).toBeEnabled();
  });

  it('reviews the mesh and the hub, launches the hub with the commons launch and then saves the mesh', async () => {
    const answers = meshAnswers([MIDRC, JCOIN]);
    answers.members[0] = { ...answers.members[0], login_through_hub: true, hub_client_id: 'midrc-at-hub' };
    const ack = 'mock_auth@fence.FENCE_CONFIG.MOCK_AUTH';
    const diff = '--- a/values.yaml\n+++ b/values.yaml\n@@ -1,2 +1,3 @@\n metadata:\n-  useAggMds: false\n+  useAggMds: true\n+  aggMdsNamespace: default_namespace\n';
    const review = (a: CommonsAnswers) =>
      reviewOf(
        [stepFinding(5, 'mock_auth', 'fence.FENCE_CONFIG.MOCK_AUTH', 'Mock login lets anyone in as any user on a production commons.', { acknowledgeable: true, acknowledged: a.acknowledged.includes(ack) })],
        [{ path: 'hub.example.org/values/values.yaml', contents: 'metadata:\n  useAggMds: true\n', change: 'changed', diff }],
      );
    const rust = await resumeMesh(answers, 3, { review, build: (a) => buildOf(a, [MESH_FINDING]) });

    const reviewStep = await screen.findByTestId('mesh-review');
    expect(await within(reviewStep).findByTestId('mesh-finding-wts_client_missing')).toHaveTextContent("Warning: JCOIN has no client for the hub's WTS yet");
    const snippet = within(reviewStep).getByTestId('mesh-snippet');
    expect(snippet).toHaveAttribute('data-member', 'MIDRC');
    expect(within(snippet).getByTestId('mesh-snippet-yaml')).toHaveTextContent('client_id: midrc-at-hub');
    expect(within(reviewStep).getByTestId('mesh-aggmds-config')).toHaveTextContent('"MIDRC"');
    // The hub's files through the commons review, with their diff.
    const file = await within(reviewStep).findByTestId('review-file');
    expect(file).toHaveAttribute('data-path', 'hub.example.org/values/values.yaml');
    expect(within(file).getByTestId('file-diff').querySelector('[data-kind="added"]')).toHaveTextContent('useAggMds: true');
    expect(rust.named('wizard_review')[0].request).toEqual(hubAnswers());
    expect(screen.getByTestId('mesh-next')).toBeDisabled();
    expect(screen.getByTestId('mesh-next-reason')).toHaveTextContent('One problem must be fixed or acknowledged before launch.');

    // "Go to step" on a hub finding says where it is fixed; the wizard stays on its review.
    await userEvent.click(screen.getByTestId('goto-step-5'));
    expect(screen.getByTestId('mesh-hub-step-note')).toHaveTextContent("That finding is in the hub's own configuration (Login in the commons wizard)");
    expect(progress()).toHaveTextContent('Step 4 of 5');

    await userEvent.click(screen.getByTestId(`ack-${ack}`));
    await waitFor(() => expect(screen.getByTestId('mesh-next')).toBeEnabled());
    expect((rust.named('wizard_review').at(-1)?.request as CommonsAnswers).acknowledged).toEqual([ack]);
    await userEvent.click(screen.getByTestId('mesh-next'));
    await expectStep(5);

    const launchStep = screen.getByTestId('mesh-launch');
    await userEvent.click(within(launchStep).getByTestId('wizard-launch'));
    const dialog = await screen.findByTestId('launch-confirm-dialog');
    expect(dialog).toHaveTextContent('Launch hub.example.org?');
    const confirm = within(dialog).getByTestId('launch-confirm');
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByTestId('launch-confirm-host'), 'hub.example.org');
    await userEvent.click(confirm);

    const result = await screen.findByTestId('mesh-launch-result');
    expect(result).toHaveTextContent('The hub is launched and the mesh brh is saved with its members.');
    expect(rust.named('wizard_launch')).toHaveLength(1);
    expect(rust.named('wizard_launch')[0].request).toMatchObject({
      answers: { ...hubAnswers(), acknowledged: [ack] },
      confirmation: 'hub.example.org',
      // The hub's client secrets, if any, belong to the mesh's draft.
      draft_id: 'm1',
    });
    const order = rust.calls.map((c) => c.cmd);
    expect(order.indexOf('mesh_wizard_save')).toBeGreaterThan(order.indexOf('wizard_launch'));
    expect(rust.named('mesh_wizard_save').map((c) => c.request)).toEqual([answers]);
    // Launched and recorded: the mesh's draft has done its job.
    expect(rust.named('wizard_draft_delete').map((c) => c.request)).toEqual([{ id: 'm1' }]);
    expect(rust.drafts.size).toBe(0);

    await userEvent.click(within(result).getByTestId('mesh-open-view'));
    expect(await screen.findByTestId('mesh-view', {}, LAZY)).toHaveTextContent('brh');
    expect(rust.named('mesh_view').map((c) => c.request)).toEqual([{ name: 'brh' }]);
    expect(screen.getByTestId('nav-meshes')).toHaveAttribute('aria-current', 'page');
  });

  it('saves the mesh without launching, and keeps the draft for a later launch', async () => {
    const rust = await resumeMesh(meshAnswers(), 4);
    await userEvent.click(await screen.findByTestId('mesh-save-only'));
    expect(await screen.findByTestId('mesh-launch-result')).toHaveTextContent("The hub's configuration is not written yet");
    expect(rust.named('mesh_wizard_save')).toHaveLength(1);
    expect(rust.named('wizard_launch')).toHaveLength(0);
    expect(rust.named('wizard_draft_delete')).toHaveLength(0);
    expect(screen.getByTestId('wizard-launch')).toBeEnabled();
  });

  it('says why the mesh cannot be built and builds again on request', async () => {
    let fail = true;
    const build = (a: MeshAnswers) => {
      if (fail) throw { code: 'invalid', message: `${HUB_FOLDER} holds no values.yaml: choose the hub's commons folder in the gen3-gitops clone.` };
      return buildOf(a);
    };
    const rust = await resumeMesh(meshAnswers(), 3, { build });
    expect(await screen.findByTestId('mesh-build-error')).toHaveTextContent(`The mesh could not be built. ${HUB_FOLDER} holds no values.yaml`);
    expect(screen.getByTestId('mesh-next')).toBeDisabled();
    expect(screen.getByTestId('mesh-next-reason')).toHaveTextContent('The mesh could not be built:');
    fail = false;
    await userEvent.click(screen.getByTestId('mesh-build-retry'));
    expect(await screen.findByTestId('mesh-summary')).toHaveTextContent('will aggregate 2 commons');
    await waitFor(() => expect(screen.getByTestId('mesh-next')).toBeEnabled());
    expect(rust.named('mesh_wizard_build')).toHaveLength(2);
  });

  it('says a typed hub folder is read only once chosen, and Choose… opens the dialog at it', async () => {
    let chosen = false;
    const build = (a: MeshAnswers) => {
      // As the shell does: the hub's folder is read once it was picked in the dialog, not when typed.
      if (!chosen) {
        throw {
          code: 'invalid',
          message: `The app only reads files and folders you chose yourself, and ${HUB_FOLDER} was not chosen in this session: choose it with its Choose… button (or drop it on the window) and try again.`,
        };
      }
      return buildOf(a);
    };
    const overrides = {
      'plugin:dialog|open': () => {
        chosen = true;
        return HUB_FOLDER;
      },
    };
    const rust = await resumeMesh(meshAnswers(), 3, { build, overrides });
    expect(await screen.findByTestId('mesh-build-error')).toHaveTextContent(`${HUB_FOLDER} was not chosen in this session: choose it with its Choose… button`);
    for (const n of [3, 2, 1]) {
      await userEvent.click(screen.getByTestId('mesh-back'));
      await expectStep(n);
    }
    expect(screen.getByTestId('mesh-hub-folder')).toHaveValue(HUB_FOLDER);
    await userEvent.click(screen.getByTestId('mesh-hub-folder-pick'));
    await waitFor(() => expect(rust.dialogs).toEqual([expect.objectContaining({ directory: true, defaultPath: HUB_FOLDER })]));
    for (const n of [2, 3, 4]) {
      await userEvent.click(screen.getByTestId('mesh-next'));
      await expectStep(n);
    }
    expect(await screen.findByTestId('mesh-summary')).toHaveTextContent('will aggregate 2 commons');
    expect(screen.queryByTestId('mesh-build-error')).not.toBeInTheDocument();
  });

  it('lists a mesh draft with its own steps and resumes it in the mesh wizard', async () => {
    fakeMeshRust({ drafts: [meshDraftOf('m1', meshAnswers(), 2)] });
    await openWizards();
    const row = await screen.findByTestId('draft-row');
    expect(within(row).getByTestId('draft-title')).toHaveTextContent('brh');
    expect(within(row).getByTestId('draft-step')).toHaveTextContent('Step 3 of 5 · Metadata mapping');
    await userEvent.click(within(row).getByTestId('draft-resume'));
    await expectStep(3);
    expect(screen.getByTestId('mesh-wizard-title')).toHaveTextContent('brh');
    expect(screen.getAllByTestId('mesh-mapping-member')).toHaveLength(2);
  });
});

describe('mesh view', () => {
  async function openMesh(options: MeshFakeOptions) {
    const rust = fakeMeshRust({ meshes: [{ name: 'brh', description: 'Biomedical research hub', members: [HUB.id, MIDRC.id, JCOIN.id] }], ...options });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-meshes'));
    await userEvent.click(await screen.findByTestId('mesh-open', {}, LAZY));
    await screen.findByTestId('mesh-view', {}, LAZY);
    return rust;
  }

  it('reads members past the hub list of ten as listed when confirmed by name, and says when one is not', async () => {
    const others = Array.from({ length: 10 }, (_, i) => `Other ${i + 1}`);
    const report = meshReportOf({
      hub: {
        base_url: HUB.base_url,
        aggregate_enabled: true,
        commons: others,
        confirmed: ['MIDRC'],
        unconfirmed: ['JCOIN'],
        missing: [],
        extra: others,
        total_records: count(2000),
        error: null,
      },
      members: [memberReport(MIDRC), memberReport(JCOIN, { in_hub: null })],
    });
    await openMesh({ report: () => report });
    const rows = await screen.findAllByTestId('mesh-hub-list-row');
    const status = (name: string) => rows.find((r) => r.getAttribute('data-name') === name)?.getAttribute('data-status');
    expect([status('MIDRC'), status('JCOIN'), status('Other 10')]).toEqual(['listed', 'unconfirmed', 'extra']);
    expect(rows.find((r) => r.getAttribute('data-name') === 'JCOIN')).toHaveTextContent('Not confirmed');
    const [midrc, jcoin] = screen.getAllByTestId('mesh-member-row');
    expect(within(midrc).getByTestId('mesh-member-in-hub')).toHaveTextContent('Listed');
    expect(within(jcoin).getByTestId('mesh-member-in-hub')).toHaveTextContent('Unknown');
  });

  it('names the hub and the members by their inventory names, with PROD labels and the name the hub lists', async () => {
    const report = meshReportOf({ members: [memberReport(MIDRC, { name: 'MIDRC Imaging' }), memberReport(JCOIN)] });
    await openMesh({ report: () => report });
    const hub = await screen.findByTestId('mesh-hub-name');
    expect(hub).toHaveTextContent('Data Hub');
    expect(within(hub).getByTestId('prod-badge')).toBeInTheDocument();
    const [midrc, jcoin] = screen.getAllByTestId('mesh-member-name');
    expect(within(midrc).getByRole('button')).toHaveTextContent('MIDRC');
    expect(within(midrc).getByTestId('mesh-member-aggmds-name')).toHaveTextContent('listed at the hub as MIDRC Imaging');
    expect(within(jcoin).queryByTestId('mesh-member-aggmds-name')).toBeNull();
    expect(within(jcoin).queryByTestId('prod-badge')).toBeNull();
  });

  it('flags the hub list against the members, shows each member and the problems on top', async () => {
    const report = meshReportOf({
      hub: {
        base_url: HUB.base_url,
        aggregate_enabled: true,
        commons: ['MIDRC', 'Old commons'],
        confirmed: [],
        unconfirmed: [],
        missing: ['JCOIN'],
        extra: ['Old commons'],
        total_records: count(2000),
        error: null,
      },
      members: [
        memberReport(MIDRC, { records: count(2000), records_at_least: true }),
        memberReport(JCOIN, {
          health: 'down',
          mds_reachable: false,
          records: null,
          in_hub: false,
          error: { code: 'unreachable', message: 'jcoin.datacommons.io did not answer.' },
        }),
      ],
      problems: [
        'The hub holds no records from JCOIN, which its AggMDS configuration lists.',
        'The hub lists Old commons, which is not a configured member.',
        'JCOIN is down on the fleet board.',
      ],
    });
    await openMesh({ report: () => report });

    const problems = await screen.findByTestId('mesh-problems');
    expect(problems).toHaveTextContent('3 problems');
    expect(within(problems).getAllByTestId('mesh-problem').map((p) => p.textContent)).toEqual(report.problems);
    expect(screen.getByTestId('mesh-view-as-of')).toHaveTextContent('Checked 1 minute ago');
    expect(screen.getByTestId('mesh-hub-aggregate')).toHaveTextContent('Enabled');

    const list = screen.getAllByTestId('mesh-hub-list-row');
    expect(list.map((r) => [r.getAttribute('data-name'), r.getAttribute('data-status')])).toEqual([
      ['MIDRC', 'listed'],
      ['JCOIN', 'missing'],
      ['Old commons', 'extra'],
    ]);
    expect(list[1]).toHaveTextContent('Missing — configured, but the hub holds no records from it');
    expect(list[2]).toHaveTextContent('Extra — listed by the hub, but not a configured member');

    const [midrc, jcoin] = screen.getAllByTestId('mesh-member-row');
    expect(within(midrc).getByTestId('mesh-member-health')).toHaveTextContent('Healthy');
    expect(within(midrc).getByTestId('mesh-member-records')).toHaveTextContent('at least 2,000');
    expect(within(midrc).getByTestId('mesh-member-in-hub')).toHaveTextContent('Listed');
    expect(within(jcoin).getByTestId('mesh-member-health')).toHaveTextContent('Down');
    expect(within(jcoin).getByTestId('mesh-member-mds')).toHaveTextContent('Not reachable jcoin.datacommons.io did not answer.');
    expect(within(jcoin).getByTestId('mesh-member-records')).toHaveTextContent('—');
    expect(within(jcoin).getByTestId('mesh-member-in-hub')).toHaveTextContent('Not listed');
    const chart = screen.getByTestId('mesh-records-chart');
    expect(chart.querySelector('desc')).toHaveTextContent('MIDRC at least 2,000; JCOIN unknown');
  });

  it('refreshes with progress, keeping the last report, and says when a check fails', async () => {
    let answer: (r: MeshReport) => void = () => {};
    let reject: (e: unknown) => void = () => {};
    let calls = 0;
    const rust = await openMesh({
      report: () => {
        calls++;
        if (calls === 1) return meshReportOf();
        return new Promise<MeshReport>((resolve, no) => {
          answer = resolve;
          reject = no;
        });
      },
    });
    expect(await screen.findByTestId('mesh-problems')).toHaveTextContent('No problems found');

    await userEvent.click(screen.getByTestId('mesh-view-refresh'));
    expect(await screen.findByTestId('mesh-view-checking')).toHaveTextContent('Checking the hub and 2 members');
    expect(screen.getByTestId('mesh-view-refresh')).toBeDisabled();
    expect(screen.getAllByTestId('mesh-member-row')).toHaveLength(2);
    answer(meshReportOf({ members: [memberReport(MIDRC, { records: count(7) })], problems: ['JCOIN left the mesh.'], checked_at: Date.now() }));
    await waitFor(() => expect(screen.getAllByTestId('mesh-member-row')).toHaveLength(1));
    expect(screen.getByTestId('mesh-problems')).toHaveTextContent('JCOIN left the mesh.');
    expect(screen.getByTestId('mesh-view-as-of')).toHaveTextContent('Checked just now');
    expect(screen.queryByTestId('mesh-view-checking')).not.toBeInTheDocument();

    await userEvent.click(screen.getByTestId('mesh-view-refresh'));
    await waitFor(() => expect(rust.named('mesh_view')).toHaveLength(3));
    reject({ code: 'unreachable', message: 'hub.example.org did not answer.' });
    expect(await screen.findByTestId('mesh-view-error')).toHaveTextContent('the last check failed just now: hub.example.org did not answer.');
    expect(screen.getByTestId('mesh-problems')).toHaveTextContent('JCOIN left the mesh.');
  });

  it('opens the mesh wizard from the meshes list', async () => {
    fakeMeshRust();
    render(App);
    await userEvent.click(await screen.findByTestId('nav-meshes'));
    await userEvent.click(await screen.findByTestId('meshes-new-mesh', {}, LAZY));
    expect(await screen.findByTestId('mesh-wizard', {}, LAZY)).toBeInTheDocument();
    expect(screen.getByTestId('nav-wizards')).toHaveAttribute('aria-current', 'page');
  });
});
