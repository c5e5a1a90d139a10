import type { AppState, Route } from '../app.svelte';
import type { DraftSummary } from '../backend/backend';
import { hostOf } from '../format';

export type PaletteGroup = 'Action' | 'Screen' | 'Commons' | 'Mesh' | 'Draft';

export type PaletteItem = {
  id: string;
  label: string;
  group: PaletteGroup;
  /** Shown after the label and matched too: a host, a mesh's member count, a draft's step. */
  detail: string;
  production: boolean;
  run: () => void;
};

const SCREENS: { label: string; route: Route }[] = [
  { label: 'Fleet', route: { name: 'fleet' } },
  { label: 'Commons', route: { name: 'commons' } },
  { label: 'Credentials', route: { name: 'credentials' } },
  { label: 'Meshes', route: { name: 'meshes' } },
  { label: 'Wizards', route: { name: 'wizards' } },
  { label: 'Activity', route: { name: 'activity' } },
  { label: 'Settings', route: { name: 'settings' } },
];

/** What the palette offers now: actions first (the open commons' own first), then screens, commons, meshes, drafts. */
export function paletteItems(app: AppState, drafts: DraftSummary[]): PaletteItem[] {
  const item = (id: string, group: PaletteGroup, label: string, run: () => void, detail = '', production = false): PaletteItem => ({
    id,
    group,
    label,
    detail,
    production,
    run,
  });
  const commons = app.view?.commons ?? [];
  const open = app.route.name === 'detail' ? commons.find((c) => app.route.name === 'detail' && c.id === app.route.id) : undefined;
  const items: PaletteItem[] = [];
  if (open) {
    items.push(
      item('check-open', 'Action', `Check now: ${open.name}`, () => void app.startSweep({ kind: 'commons', id: open.id }), hostOf(open.base_url), open.environment === 'production'),
    );
  }
  if (commons.length > 0) {
    items.push(item('check-all', 'Action', 'Check now: the whole fleet', () => void app.startSweep({ kind: 'all' })));
  }
  items.push(
    item('new-commons-wizard', 'Action', 'Deploy a new commons (wizard)', () => app.navigate({ name: 'commons-wizard', draftId: null })),
    item('new-mesh-wizard', 'Action', 'Build a new mesh (wizard)', () => app.navigate({ name: 'mesh-wizard', draftId: null })),
    item('add-commons', 'Action', 'Add a commons to the inventory', () => (app.form = { mode: 'create' })),
    item('import-credentials', 'Action', 'Import credentials (credentials.json)', () => app.navigate({ name: 'credentials', focusImport: true })),
    item('export-inventory', 'Action', 'Export inventory…', () => void app.exportInventory()),
    item('import-inventory', 'Action', 'Import inventory…', () => void app.importInventory()),
    item('shortcuts', 'Action', 'Keyboard shortcuts', () => (app.helpOpen = true)),
  );
  for (const s of SCREENS) items.push(item(`screen-${s.route.name}`, 'Screen', `Go to ${s.label}`, () => app.navigate(s.route)));
  for (const c of commons) {
    items.push(
      item(`commons-${c.id}`, 'Commons', c.name, () => app.navigate({ name: 'detail', id: c.id, from: 'commons' }), hostOf(c.base_url), c.environment === 'production'),
    );
  }
  for (const m of app.view?.meshes ?? []) {
    items.push(item(`mesh-${m.name}`, 'Mesh', m.name, () => app.navigate({ name: 'mesh-detail', mesh: m.name }), m.description));
  }
  for (const d of drafts) {
    const route: Route = { name: d.kind === 'mesh' ? 'mesh-wizard' : 'commons-wizard', draftId: d.id };
    items.push(item(`draft-${d.id}`, 'Draft', d.title, () => app.navigate(route), `${d.kind} draft, step ${d.step}`));
  }
  return items;
}
