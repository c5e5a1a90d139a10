import { describe, expect, it } from 'vitest';
import { expiryPhrase, plural, relativeTime } from './format';

const NOW = Date.UTC(2026, 11, 12, 14, 5);
const MIN = 60_000;
const DAY = 86_400_000;

describe('relativeTime', () => {
  it('says how far away an instant is, in the largest sensible unit', () => {
    expect(relativeTime(NOW + 20_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - MIN, NOW)).toBe('1 minute ago');
    expect(relativeTime(NOW + 5 * 60 * MIN, NOW)).toBe('in 5 hours');
    expect(relativeTime(NOW + 29 * DAY + 60 * MIN, NOW)).toBe('in 29 days');
    expect(relativeTime(NOW - 3 * DAY, NOW)).toBe('3 days ago');
    expect(relativeTime(NOW + 90 * DAY, NOW)).toBe('in 3 months');
    expect(relativeTime(NOW + 800 * DAY, NOW)).toBe('in 2 years');
  });
});

describe('expiryPhrase', () => {
  it('takes Unix seconds and says expires or expired', () => {
    expect(expiryPhrase((NOW + 29 * DAY + 60 * MIN) / 1000, NOW)).toBe('expires in 29 days');
    expect(expiryPhrase((NOW - DAY) / 1000, NOW)).toBe('expired 1 day ago');
  });
});

describe('plural', () => {
  it('counts with the noun in the number it needs', () => {
    expect(plural(1, 'line')).toBe('1 line');
    expect(plural(2, 'line')).toBe('2 lines');
    expect(plural(0, 'line')).toBe('0 lines');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
    expect(plural(2, 'commons', 'commons')).toBe('2 commons');
  });
});
