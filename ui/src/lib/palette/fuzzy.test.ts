import { describe, expect, it } from 'vitest';
import { fuzzyScore, rank } from './fuzzy';

describe('fuzzy matching', () => {
  it('needs every character in order, ignoring case', () => {
    expect(fuzzyScore('prd', 'Production')).not.toBeNull();
    expect(fuzzyScore('PROD', 'production commons')).not.toBeNull();
    expect(fuzzyScore('dpr', 'Production')).toBeNull();
    expect(fuzzyScore('x', 'Production')).toBeNull();
  });

  it('prefers word starts and consecutive runs over scattered letters', () => {
    const items = ['specific checks', 'Production Commons', 'Data Hub (production)'];
    expect(rank('pc', items, (s) => s)[0]).toBe('Production Commons');
    expect(rank('hub', items, (s) => s)).toEqual(['Data Hub (production)']);
    expect(rank('check', ['Go to Credentials', 'Check now', 'specific checks'], (s) => s)[0]).toBe('Check now');
  });

  it('keeps the given order for an empty query and for ties', () => {
    expect(rank('', ['b', 'a', 'c'], (s) => s)).toEqual(['b', 'a', 'c']);
    expect(rank('go', ['Go to Fleet', 'Go to Commons'], (s) => s)).toEqual(['Go to Fleet', 'Go to Commons']);
  });
});
