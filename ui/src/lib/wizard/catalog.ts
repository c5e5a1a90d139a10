import type { DatabaseMode, ServiceInfo } from '../backend/backend';

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

/** The condition the Database step owns: the in-chart PostgreSQL and Elasticsearch. */
const DEV_CONDITION = 'global.dev';

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

/**
 * How a service is turned on: by the operator here, always (the `common` library chart), or by the
 * Database step (`global.dev` brings the in-chart PostgreSQL and Elasticsearch).
 */
export function controlOf(s: ServiceInfo): 'choice' | 'always' | 'database' {
  if (s.condition === null) return 'always';
  return s.condition === DEV_CONDITION ? 'database' : 'choice';
}

/** The services that will run: the chosen ones plus those the chart or the Database step turns on. */
export function effectiveServices(catalog: ServiceInfo[], chosen: string[], mode: DatabaseMode): string[] {
  const implied = catalog
    .filter((s) => controlOf(s) === 'always' || (controlOf(s) === 'database' && mode === 'dev'))
    .map((s) => s.name);
  return [...new Set([...chosen, ...implied])];
}

/** A requirement of a service the selection does not meet, and what would meet it. */
export type Need = {
  /** The service that has the requirement. */
  of: string;
  why: string;
  /** Every service that would meet it. */
  anyOf: string[];
  /** The service cannot work without it (otherwise one of its features needs it). */
  hard: boolean;
  /** Those the operator can turn on here (not the Database step's). */
  options: string[];
  /** The one that will be added: the operator's pick, or the first option; null when none can be. */
  pick: string | null;
  /** Identifies the requirement for the operator's pick. */
  id: string;
};

/** A running service left without something it needs (`needs`: the services going that met it), and why. */
export type Dependent = { name: string; needs: string[]; why: string };

/** What turning a service on or off also touches. */
export type ServiceChange = { name: string; on: boolean; needs: Need[]; dependents: Dependent[] };

function lookup(catalog: ServiceInfo[]): Map<string, ServiceInfo> {
  return new Map(catalog.map((s) => [s.name, s]));
}

/**
 * The consequences of switching `name` on or off, given the services that will run (`effective`).
 * On: every requirement not met, through the services that would be added to meet the others, with
 * the operator's `picks` (by need id) where a requirement has several answers. Off: every running
 * service left with a requirement nothing meets any more, directly or through the others.
 */
export function planChange(
  catalog: ServiceInfo[],
  effective: string[],
  name: string,
  on: boolean,
  picks: Record<string, string> = {},
): ServiceChange {
  const services = lookup(catalog);
  if (on) {
    const adding = [name];
    const needs: Need[] = [];
    const met = (anyOf: readonly string[]) => anyOf.some((n) => effective.includes(n) || adding.includes(n));
    for (let i = 0; i < adding.length; i++) {
      const of = adding[i];
      for (const req of services.get(of)?.requires ?? []) {
        if (met(req.any_of)) continue;
        const options = req.any_of.filter((n) => {
          const info = services.get(n);
          return info !== undefined && controlOf(info) === 'choice';
        });
        const id = `${of}:${req.any_of.join('|')}`;
        const picked = picks[id];
        const pick = picked !== undefined && options.includes(picked) ? picked : (options[0] ?? null);
        needs.push({ of, why: req.why, anyOf: [...req.any_of], hard: req.hard, options, pick, id });
        if (pick) adding.push(pick);
      }
    }
    return { name, on, needs, dependents: [] };
  }
  const removing = new Set([name]);
  const dependents: Dependent[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of effective) {
      if (removing.has(s)) continue;
      const broken = services
        .get(s)
        // Only a hard requirement takes its dependents off too: a service runs without its soft ones.
        ?.requires.find(
          (r) => r.hard && r.any_of.some((n) => removing.has(n)) && !r.any_of.some((n) => effective.includes(n) && !removing.has(n)),
        );
      if (broken) {
        removing.add(s);
        dependents.push({ name: s, needs: broken.any_of.filter((n) => removing.has(n)), why: broken.why });
        changed = true;
      }
    }
  }
  return { name, on, needs: [], dependents };
}

/** True when the change touches nothing but the service itself. */
export function isSimple(change: ServiceChange): boolean {
  return change.needs.length === 0 && change.dependents.length === 0;
}

/** The chosen services after a change; what it needs, or what needs it, follows only `withRelated`. */
export function applyChange(catalog: ServiceInfo[], chosen: string[], change: ServiceChange, withRelated: boolean): string[] {
  if (change.on) {
    const picks = withRelated ? change.needs.map((n) => n.pick).filter((p): p is string => p !== null) : [];
    return inCatalogOrder(catalog, [...chosen, change.name, ...picks]);
  }
  const removing = [change.name, ...(withRelated ? change.dependents.map((d) => d.name) : [])];
  return chosen.filter((s) => !removing.includes(s));
}

/** The selection sorted as the catalog lists services; names the catalog does not know stay, last. */
export function inCatalogOrder(catalog: ServiceInfo[], selected: string[]): string[] {
  const order = new Map(catalog.map((s, i) => [s.name, i]));
  return [...new Set(selected)].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
}

/** The services the umbrella chart turns on by default, among those chosen here. */
export function chartDefaults(catalog: ServiceInfo[]): string[] {
  return catalog.filter((s) => s.default_enabled && controlOf(s) === 'choice').map((s) => s.name);
}
