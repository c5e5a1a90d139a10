import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../testing/wizard';
import { applyChange, chartDefaults, controlOf, effectiveServices, inCatalogOrder, isSimple, planChange } from './catalog';

const CHOSEN = ['arborist', 'fence', 'indexd', 'revproxy', 'portal'];

describe('service selection', () => {
  it('counts the chart library always and the in-chart databases only for a dev database', () => {
    expect(effectiveServices(CATALOG, CHOSEN, 'dev')).toEqual([...CHOSEN, 'common', 'elasticsearch', 'postgresql']);
    expect(effectiveServices(CATALOG, CHOSEN, 'external')).toEqual([...CHOSEN, 'common']);
    expect(CATALOG.map(controlOf).filter((c) => c !== 'choice')).toEqual(['always', 'database', 'database']);
  });

  it('turning a service on lists what it needs, through what would be added, that nothing running meets', () => {
    const running = effectiveServices(CATALOG, CHOSEN, 'dev');
    const change = planChange(CATALOG, running, 'guppy', true);
    // The in-chart Elasticsearch meets guppy's and etl's Elasticsearch requirement.
    expect(change.needs.map((n) => [n.of, n.pick])).toEqual([
      ['guppy', 'etl'],
      ['etl', 'sheepdog'],
    ]);
    expect(change.needs[0].why).toBe('guppy serves the indices etl builds');
    expect(applyChange(CATALOG, CHOSEN, change, true)).toEqual([...CHOSEN.slice(0, 3), 'sheepdog', 'revproxy', 'portal', 'etl', 'guppy']);
    expect(applyChange(CATALOG, CHOSEN, change, false)).toEqual([...CHOSEN, 'guppy']);
  });

  it('offers the alternatives the operator can turn on, and follows their pick', () => {
    const running = effectiveServices(CATALOG, CHOSEN, 'external');
    const first = planChange(CATALOG, running, 'guppy', true);
    const es = first.needs.find((n) => n.anyOf.includes('elasticsearch'))!;
    expect(es.of).toBe('guppy');
    expect(es.options).toEqual(['aws-es-proxy', 'aws-sigv4-proxy']);
    expect(es.pick).toBe('aws-es-proxy');
    // etl's own Elasticsearch requirement is met by what guppy's brings.
    expect(first.needs.filter((n) => n.anyOf.includes('elasticsearch'))).toHaveLength(1);

    const picked = planChange(CATALOG, running, 'guppy', true, { [es.id]: 'aws-sigv4-proxy' });
    expect(applyChange(CATALOG, CHOSEN, picked, true)).toContain('aws-sigv4-proxy');
    expect(applyChange(CATALOG, CHOSEN, picked, true)).not.toContain('aws-es-proxy');
  });

  it('turning a service off lists the running services left without what they need, directly or not', () => {
    const chosen = [...CHOSEN, 'sheepdog', 'etl', 'guppy'];
    const running = effectiveServices(CATALOG, chosen, 'dev');
    const change = planChange(CATALOG, running, 'fence', false);
    // Only hard requirements take dependents off: etl and guppy run without sheepdog and etl.
    expect(change.dependents.map((d) => d.name)).toEqual(['portal', 'sheepdog']);
    expect(change.dependents.map((d) => d.needs)).toEqual([['fence'], ['fence']]);
    expect(change.dependents[0].why).toBe('fence logs users in');
    expect(applyChange(CATALOG, chosen, change, true)).toEqual(['arborist', 'indexd', 'revproxy', 'etl', 'guppy']);
    expect(applyChange(CATALOG, chosen, change, false)).toEqual(chosen.filter((s) => s !== 'fence'));
  });

  it('a requirement with another answer still running is not broken', () => {
    const chosen = [...CHOSEN, 'sheepdog', 'etl', 'aws-sigv4-proxy'];
    // etl keeps the in-chart Elasticsearch when the proxy goes.
    expect(isSimple(planChange(CATALOG, effectiveServices(CATALOG, chosen, 'dev'), 'aws-sigv4-proxy', false))).toBe(true);
    // Elasticsearch is a soft requirement (an external endpoint may serve), so nothing else goes.
    const external = planChange(CATALOG, effectiveServices(CATALOG, chosen, 'external'), 'aws-sigv4-proxy', false);
    expect(external.dependents.map((d) => d.name)).toEqual([]);
  });

  it('keeps the catalog order and names it does not know, last', () => {
    expect(inCatalogOrder(CATALOG, ['portal', 'hatchery', 'fence', 'fence'])).toEqual(['fence', 'portal', 'hatchery']);
    expect(chartDefaults(CATALOG)).toEqual(CHOSEN);
  });
});
