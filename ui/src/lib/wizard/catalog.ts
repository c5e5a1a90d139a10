import type { ServiceInfo } from '../backend/backend';

const CATEGORY_LABELS: Record<string, string> = {
  core: 'Core',
  frontend: 'Frontend',
  data_explorer: 'Data explorer',
  workspaces: 'Workspaces',
  imaging: 'Imaging',
  ohdsi: 'OHDSI',
  ai: 'AI',
  other: 'Other',
  infrastructure: 'Infrastructure',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category.replace(/_/g, ' ');
}

/** The catalog's services by category, categories in the order they first appear. */
export function byCategory(catalog: ServiceInfo[]): { category: string; services: ServiceInfo[] }[] {
  const groups = new Map<string, ServiceInfo[]>();
  for (const s of catalog) {
    const list = groups.get(s.category) ?? [];
    list.push(s);
    groups.set(s.category, list);
  }
  return [...groups].map(([category, services]) => ({ category, services }));
}

/** What turning a service on or off also touches. */
export type ServiceChange = {
  name: string;
  on: boolean;
  /** Turning on: services it needs (directly or through others) that are not chosen. */
  needs: string[];
  /** Turning on: chosen services in the same exclusive group as it or what it needs; they go off. */
  conflicts: string[];
  /** Turning off: chosen services that need it (directly or through others). */
  dependents: string[];
};

function lookup(catalog: ServiceInfo[]): Map<string, ServiceInfo> {
  return new Map(catalog.map((s) => [s.name, s]));
}

/** Everything `name` needs, transitively, in the order found. */
function closure(services: Map<string, ServiceInfo>, name: string): string[] {
  const found: string[] = [];
  const queue = [...(services.get(name)?.dependencies ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (next === name || found.includes(next)) continue;
    found.push(next);
    queue.push(...(services.get(next)?.dependencies ?? []));
  }
  return found;
}

/** The consequences of switching `name` on (`on`) or off, given the current selection. */
export function planChange(catalog: ServiceInfo[], selected: string[], name: string, on: boolean): ServiceChange {
  const services = lookup(catalog);
  if (on) {
    const needs = closure(services, name).filter((n) => !selected.includes(n));
    const adding = [name, ...needs];
    const groups = new Set(adding.map((n) => services.get(n)?.exclusive_group).filter((g): g is string => !!g));
    const conflicts = selected.filter((s) => {
      const group = services.get(s)?.exclusive_group;
      return !adding.includes(s) && !!group && groups.has(group);
    });
    return { name, on, needs, conflicts, dependents: [] };
  }
  const dependents = selected.filter((s) => s !== name && closure(services, s).includes(name));
  return { name, on, needs: [], conflicts: [], dependents };
}

/** True when the change touches nothing but the service itself. */
export function isSimple(change: ServiceChange): boolean {
  return change.needs.length === 0 && change.conflicts.length === 0 && change.dependents.length === 0;
}

/**
 * The selection after a change. Conflicting services always go (two of an exclusive group cannot
 * run together); what it needs or what needs it follows only `withRelated`.
 */
export function applyChange(catalog: ServiceInfo[], selected: string[], change: ServiceChange, withRelated: boolean): string[] {
  let next: string[];
  if (change.on) {
    const adding = [change.name, ...(withRelated ? change.needs : [])];
    next = [...selected.filter((s) => !change.conflicts.includes(s)), ...adding.filter((n) => !selected.includes(n))];
  } else {
    const removing = [change.name, ...(withRelated ? change.dependents : [])];
    next = selected.filter((s) => !removing.includes(s));
  }
  return inCatalogOrder(catalog, next);
}

/** The selection sorted as the catalog lists services; names the catalog does not know stay, last. */
export function inCatalogOrder(catalog: ServiceInfo[], selected: string[]): string[] {
  const order = new Map(catalog.map((s, i) => [s.name, i]));
  return [...new Set(selected)].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
}

/** The umbrella chart's own defaults. */
export function chartDefaults(catalog: ServiceInfo[]): string[] {
  return catalog.filter((s) => s.default_enabled).map((s) => s.name);
}
