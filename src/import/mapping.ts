/*
 * One export row → a record per table it feeds, keyed by column name, or the problems that make the row unusable.
 * The mapper is compiled once per file from the export type's fields (exportTypes.ts) and the recognised header;
 * there is no code per export type. Pure: reference data, decided date formats and the collectors of notes come in
 * the MappingContext.
 */
import type { ExportRecord, ExportTable } from '../store/exports.js';
import type { FieldScope, MappingContext } from './convert.js';
import type { ExportTypeDef } from './exportTypes.js';
import type { HeaderMatch } from './headers.js';
import { type Cell, cellText } from './values.js';

export { type MappingContext, type MappingNotes, textOf } from './convert.js';

/** A reason a row was refused: the column, what was expected, what it held. */
export interface RowProblem {
  column: string;
  expected: string;
  message: string;
  got: string;
}

export interface MappedRow {
  /** Per table the type feeds: its record, or null when the row has nothing for it (no key, or only its links). */
  records: Partial<Record<ExportTable, ExportRecord | null>>;
  problems: RowProblem[];
}

/** How one table's record is assembled from the field values of a row (parallel arrays: this runs per row). */
interface RecordPlan {
  table: ExportTable;
  /** The field holding the key. */
  key: number;
  columns: readonly string[];
  fields: Int32Array;
  /** 1 for columns that only link the record (its key, its NIB): a record with nothing else is not written. */
  links: Uint8Array;
  /** The export's own entity: its record is written whenever its key is there. */
  main: boolean;
}

/** Builds the row mapper of an export type for the columns of a recognised header. */
export function createRowMapper(
  type: ExportTypeDef,
  match: HeaderMatch,
  ctx: MappingContext,
): (row: readonly Cell[], rowNumber: number) => MappedRow {
  if (type.targets.length === 0) throw new Error(`import: export type ${type.title} writes no table`);
  let problems: RowProblem[] = [];
  const shared = new Map<string, unknown>();
  const readers = type.fields.map((f) => {
    const scope: FieldScope = {
      ctx,
      col(h) {
        const i = match.columns.get(h);
        if (i === undefined) throw new Error(`import: header "${h}" of ${type.title} has no column`);
        return i;
      },
      fail(p, got, column = f.header) {
        problems.push({ column, expected: p.expected, message: p.message, got: cellText(got) });
        return null;
      },
      shared<T>(key: string, make: () => T): T {
        if (!shared.has(key)) shared.set(key, make());
        return shared.get(key) as T;
      },
    };
    return f.convert(scope, f.header);
  });
  const plans: RecordPlan[] = type.targets.map((t, i) => ({
    table: t.spec.table,
    key: t.columns.find(([c]) => c === t.spec.key)![1],
    columns: t.columns.map(([c]) => c),
    fields: Int32Array.from(t.columns.map(([, f]) => f)),
    links: Uint8Array.from(t.columns.map(([c]) => (c === t.spec.key || c === 'nib' ? 1 : 0))),
    main: i === 0,
  }));
  const values: Array<string | null> = new Array(readers.length).fill(null);
  return (row, rowNumber) => {
    problems = [];
    for (let k = 0; k < readers.length; k++) values[k] = readers[k]!(row, rowNumber);
    const records: MappedRow['records'] = {};
    for (const p of plans) {
      if (values[p.key] === null) {
        records[p.table] = null;
        continue;
      }
      const record: Record<string, string | null> = {};
      let carries = p.main;
      for (let c = 0; c < p.columns.length; c++) {
        const v = values[p.fields[c]!] ?? null;
        record[p.columns[c]!] = v;
        if (v !== null && p.links[c] === 0) carries = true;
      }
      records[p.table] = carries ? record : null;
    }
    return { records, problems };
  };
}
