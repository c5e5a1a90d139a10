import type { DetailedMapping, FieldMapping } from '../backend/backend';

/** The metadata service's field filters (`FieldFilters` in src/mds/agg_mds/adapters.py). */
export const FIELD_FILTERS = [
  'strip_html',
  'strip_email',
  'normalize_value',
  'normalize_tags',
  'add_icpsr_source_url',
  'add_clinical_trials_source_url',
  'uppercase',
  'prepare_cidc_description',
  'aggregate_pdc_file_count',
] as const;

/**
 * One hub field as the editor shows it. `path`: a JSONPath into the member's record; `text`: the
 * same text for every record; `literal`: a JSON number, list or boolean. `default` and `filters`
 * apply to paths only; `params` keeps an imported `filterParams` the editor does not edit.
 */
export type MappingRow = {
  field: string;
  source: 'path' | 'text' | 'literal';
  value: string;
  /** JSON (`0`, `"n/a"`, `[]`) or plain text; empty: no default. */
  default: string;
  filters: string[];
  params: Record<string, unknown> | null;
};

function isDetailed(m: FieldMapping): m is DetailedMapping {
  return typeof m === 'object' && m !== null && !Array.isArray(m);
}

function defaultText(value: unknown): string {
  if (value === undefined || value === null) return '';
  // Text shows as typed unless typing it would read back as something else ("0" → 0).
  return typeof value === 'string' && parseDefault(value) === value ? value : JSON.stringify(value);
}

/** A mapping as an editor row. */
export function rowOf(field: string, m: FieldMapping): MappingRow {
  const row: MappingRow = { field, source: 'text', value: '', default: '', filters: [], params: null };
  if (typeof m === 'string') {
    // The service reads what follows the first "path:" anywhere in the text.
    const at = m.indexOf('path:');
    return at >= 0 ? { ...row, source: 'path', value: m.slice(at + 5).split('path:')[0] } : { ...row, value: m };
  }
  if (isDetailed(m)) {
    return {
      ...row,
      source: 'path',
      value: m.path ?? '',
      default: defaultText(m.default),
      filters: [...(m.filters ?? [])],
      params: m.filterParams ?? null,
    };
  }
  return { ...row, source: 'literal', value: JSON.stringify(m) };
}

export function rowsOf(mappings: Record<string, FieldMapping | undefined>): MappingRow[] {
  return Object.entries(mappings)
    .filter((e): e is [string, FieldMapping] => e[1] !== undefined)
    .map(([field, m]) => rowOf(field, m));
}

/** A default as typed: JSON when it parses (`0`, `true`, `"text"`, `[]`), otherwise the text itself. */
export function parseDefault(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A row as the backend's mapping: the short `path:` form when it has no default or filters. */
export function mappingOf(row: MappingRow): FieldMapping {
  if (row.source === 'text') return row.value;
  if (row.source === 'literal') {
    try {
      return JSON.parse(row.value) as FieldMapping;
    } catch {
      return row.value;
    }
  }
  const path = row.value.trim();
  if (!row.default.trim() && row.filters.length === 0 && !row.params) return `path:${path}`;
  const out: DetailedMapping = path ? { path } : {};
  if (row.filters.length > 0) out.filters = [...row.filters];
  if (row.params) out.filterParams = row.params;
  if (row.default.trim()) out.default = parseDefault(row.default.trim());
  return out;
}

/** The rows as the member's `field_mappings`, in the editor's order; rows without a field name are left out. */
export function mappingsOf(rows: MappingRow[]): Record<string, FieldMapping> {
  const out: Record<string, FieldMapping> = {};
  for (const row of rows) {
    const field = row.field.trim();
    if (field) out[field] = mappingOf(row);
  }
  return out;
}

/** What is wrong with the rows, in words: names used twice, literals that are not JSON. */
export function rowProblems(rows: MappingRow[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const field = row.field.trim();
    if (!field) continue;
    if (seen.has(field)) out.push(`The field ${field} is mapped twice; the hub keeps only the last.`);
    seen.add(field);
    if (row.source === 'path' && !row.value.trim() && !row.default.trim()) out.push(`${field}: enter the path to read (for example project_title).`);
    if (row.source === 'literal') {
      try {
        JSON.parse(row.value);
      } catch {
        out.push(`${field}: ${row.value || 'an empty value'} is not a JSON value (a number, a list, true or false); choose "Text" for words.`);
      }
    }
  }
  return out;
}
