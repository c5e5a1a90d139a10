import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../testing/wizard';
import { applyChange, chartDefaults, inCatalogOrder, isSimple, planChange } from './catalog';

describe('service selection', () => {
  it('turning a service on lists what it needs, through other services, that is not chosen', () => {
    const change = planChange(CATALOG, ['indexd'], 'sheepdog', true);
    // sheepdog needs indexd and fence; fence needs arborist.
    expect(change.needs).toEqual(['fence', 'arborist']);
    expect(change.conflicts).toEqual([]);
    expect(applyChange(CATALOG, ['indexd'], change, true)).toEqual(['arborist', 'fence', 'indexd', 'sheepdog']);
    expect(applyChange(CATALOG, ['indexd'], change, false)).toEqual(['indexd', 'sheepdog']);
  });

  it('a service of an exclusive group replaces the chosen one, even without its dependencies', () => {
    const change = planChange(CATALOG, ['revproxy', 'portal'], 'frontend-framework', true);
    expect(change.needs).toEqual([]);
    expect(change.conflicts).toEqual(['portal']);
    expect(isSimple(change)).toBe(false);
    expect(applyChange(CATALOG, ['revproxy', 'portal'], change, false)).toEqual(['revproxy', 'frontend-framework']);
  });

  it('turning a service off lists the chosen services that need it, directly or not', () => {
    const selected = ['arborist', 'fence', 'indexd', 'sheepdog'];
    const change = planChange(CATALOG, selected, 'arborist', false);
    expect(change.dependents).toEqual(['fence', 'sheepdog']);
    expect(applyChange(CATALOG, selected, change, true)).toEqual(['indexd']);
    expect(applyChange(CATALOG, selected, change, false)).toEqual(['fence', 'indexd', 'sheepdog']);
  });

  it('a service nothing depends on toggles alone', () => {
    expect(isSimple(planChange(CATALOG, ['fence', 'arborist'], 'indexd', true))).toBe(true);
    expect(isSimple(planChange(CATALOG, ['fence', 'arborist', 'indexd'], 'indexd', false))).toBe(true);
  });

  it('keeps the catalog order and names it does not know, last', () => {
    expect(inCatalogOrder(CATALOG, ['portal', 'hatchery', 'fence', 'fence'])).toEqual(['fence', 'portal', 'hatchery']);
    expect(chartDefaults(CATALOG)).toEqual(['arborist', 'fence', 'indexd', 'revproxy', 'portal']);
  });
});
