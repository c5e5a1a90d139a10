import type { ActivityKind, ActivityResult } from '../backend/backend';

/** Every kind, in the order the filter lists them, with the words the screen uses. */
export const ACTIVITY_KINDS: { value: ActivityKind; label: string }[] = [
  { value: 'sweep', label: 'Sweep' },
  { value: 'state_change', label: 'State change' },
  { value: 'inventory_change', label: 'Inventory change' },
  { value: 'inventory_import', label: 'Inventory import' },
  { value: 'inventory_export', label: 'Inventory export' },
  { value: 'key_import', label: 'Key import' },
  { value: 'key_test', label: 'Key test' },
  { value: 'key_delete', label: 'Key deletion' },
  { value: 'key_confirm', label: 'Key confirmed for a new URL' },
  { value: 'wizard_save', label: 'Wizard save' },
  { value: 'launch', label: 'Launch' },
  { value: 'config_write', label: 'Settings write' },
  { value: 'team_sync', label: 'Team sync' },
];

export function kindLabel(kind: ActivityKind): string {
  return ACTIVITY_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

export function resultLabel(result: ActivityResult): string {
  return { ok: 'Done', failed: 'Failed', cancelled: 'Cancelled' }[result];
}
