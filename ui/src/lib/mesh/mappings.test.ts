import { describe, expect, it } from 'vitest';
import { defaultFieldMappings } from './answers';
import { mappingOf, mappingsOf, parseDefault, rowOf, rowProblems, rowsOf, type MappingRow } from './mappings';

const row = (extra: Partial<MappingRow>): MappingRow => ({ field: 'f', source: 'path', value: '', default: '', filters: [], params: null, ...extra });

describe('field mapping rows', () => {
  it("round-trips Gen3's usual mappings unchanged, in order", () => {
    const defaults = defaultFieldMappings('MIDRC');
    const back = mappingsOf(rowsOf(defaults));
    expect(back).toEqual(defaults);
    expect(Object.keys(back)).toEqual(Object.keys(defaults));
  });

  it('reads each kind of mapping the metadata service accepts', () => {
    expect(rowOf('full_name', 'path:project_title')).toMatchObject({ source: 'path', value: 'project_title' });
    // The service takes what follows the first "path:" up to any second one.
    expect(rowOf('x', 'see path:a.b path:c')).toMatchObject({ source: 'path', value: 'a.b ' });
    expect(rowOf('commons', 'MIDRC')).toMatchObject({ source: 'text', value: 'MIDRC' });
    expect(rowOf('year', 2024)).toMatchObject({ source: 'literal', value: '2024' });
    expect(rowOf('tags', { path: 'tags', filters: ['normalize_tags'], filterParams: { normalize_tags: { a: { b: 'c' } } }, default: [] })).toEqual({
      field: 'tags',
      source: 'path',
      value: 'tags',
      default: '[]',
      filters: ['normalize_tags'],
      params: { normalize_tags: { a: { b: 'c' } } },
    });
    // Text defaults show as typed unless they would read back as something else.
    expect(rowOf('a', { path: 'a', default: 'n/a' }).default).toBe('n/a');
    expect(rowOf('a', { path: 'a', default: '0' }).default).toBe('"0"');
  });

  it('writes the short path form unless a default, filters or parameters need the long one', () => {
    expect(mappingOf(row({ value: ' project_title ' }))).toBe('path:project_title');
    expect(mappingOf(row({ value: 'n', default: '0' }))).toEqual({ path: 'n', default: 0 });
    expect(mappingOf(row({ value: 'n', default: 'unknown' }))).toEqual({ path: 'n', default: 'unknown' });
    expect(mappingOf(row({ value: 'd', filters: ['strip_html', 'strip_email'] }))).toEqual({ path: 'd', filters: ['strip_html', 'strip_email'] });
    expect(mappingOf(row({ source: 'text', value: 'MIDRC' }))).toBe('MIDRC');
    expect(mappingOf(row({ source: 'literal', value: '[1, 2]' }))).toEqual([1, 2]);
    expect(parseDefault('true')).toBe(true);
    expect(parseDefault('open access')).toBe('open access');
  });

  it('leaves out rows without a field name and says what is wrong with the others', () => {
    const rows = [
      row({ field: 'a', value: 'x' }),
      row({ field: '', value: 'ignored' }),
      row({ field: 'a', value: 'y' }),
      row({ field: 'b', value: '' }),
      row({ field: 'c', source: 'literal', value: 'yes' }),
    ];
    expect(Object.keys(mappingsOf(rows))).toEqual(['a', 'b', 'c']);
    expect(mappingsOf(rows).a).toBe('path:y');
    expect(rowProblems(rows)).toEqual([
      'The field a is mapped twice; the hub keeps only the last.',
      'b: enter the path to read (for example project_title).',
      'c: yes is not a JSON value (a number, a list, true or false); choose "Text" for words.',
    ]);
  });
});
