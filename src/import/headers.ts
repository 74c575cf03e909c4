/*
 * Recognising an export from its header row. The header may follow a title row or two ("DP Proyek",
 * "Tanggal Pengambilan Data: 14 Maret 2023"); it is the first of the first rows that holds every expected header of
 * one export type. A file that matches none is refused before anything is written, naming the closest type and the
 * headers it lacks.
 */
import { EXPORT_TYPES, type ExportTypeDef, headerKey } from './exportTypes.js';
import { type Cell, cellText } from './values.js';

/** How many leading rows may hold title lines before the header. */
export const HEADER_SEARCH_ROWS = 10;

export interface HeaderMatch {
  type: ExportTypeDef;
  /** Index of the header row among the rows searched (0-based). */
  rowIndex: number;
  /** Expected header (as defined) → column index. */
  columns: ReadonlyMap<string, number>;
  /** Named columns that are not part of the export type (ignored). */
  extraColumns: string[];
  /** Columns without a name (DP NIB Kantor's flag column), ignored. */
  unnamedColumns: number;
}

export interface ClosestType {
  type: ExportTypeDef;
  matched: number;
  expected: number;
  missing: string[];
  rowIndex: number;
}

export type HeaderRecognition = { ok: true; match: HeaderMatch } | { ok: false; closest: ClosestType | null };

function matchRow(row: readonly Cell[], type: ExportTypeDef): { columns: Map<string, number>; missing: string[] } {
  const byKey = new Map<string, number>();
  row.forEach((cell, i) => {
    const k = headerKey(cellText(cell));
    if (k !== '' && !byKey.has(k)) byKey.set(k, i);
  });
  const columns = new Map<string, number>();
  const missing: string[] = [];
  for (const h of type.headers) {
    const i = byKey.get(headerKey(h));
    if (i === undefined) {
      if (!type.optional.includes(h)) missing.push(h);
    } else columns.set(h, i);
  }
  return { columns, missing };
}

/** Finds the header row among the first rows; on failure, the type that came closest and what it lacked. */
export function recognizeHeader(rows: readonly (readonly Cell[])[]): HeaderRecognition {
  let closest: ClosestType | null = null;
  const limit = Math.min(rows.length, HEADER_SEARCH_ROWS);
  for (let r = 0; r < limit; r++) {
    const row = rows[r]!;
    for (const type of EXPORT_TYPES) {
      const { columns, missing } = matchRow(row, type);
      if (missing.length === 0) {
        const known = new Set(columns.values());
        const extraColumns: string[] = [];
        let unnamedColumns = 0;
        row.forEach((cell, i) => {
          if (known.has(i)) return;
          const text = cellText(cell);
          if (text === '') unnamedColumns++;
          else extraColumns.push(text);
        });
        return { ok: true, match: { type, rowIndex: r, columns, extraColumns, unnamedColumns } };
      }
      const expected = type.headers.length - type.optional.length;
      const matched = expected - missing.length;
      if (closest === null || matched / expected > closest.matched / closest.expected) {
        closest = { type, matched, expected, missing, rowIndex: r };
      }
    }
  }
  return { ok: false, closest };
}

/** The message a person reads when a file is refused. */
export function describeUnrecognized(
  file: string,
  closest: ClosestType | null,
  firstRow: readonly Cell[] | undefined,
): string {
  const known = EXPORT_TYPES.map((t) => `"${t.title}"`).join(', ');
  if (closest === null || closest.matched === 0) {
    const seen = (firstRow ?? [])
      .map(cellText)
      .filter((s) => s !== '')
      .slice(0, 8);
    return (
      `${file} is not a known OSS export (${known}): no header row found in its first ${HEADER_SEARCH_ROWS} rows` +
      (seen.length ? ` (first row: ${seen.map((s) => `"${s}"`).join(', ')})` : ' (the file is empty)')
    );
  }
  return (
    `${file} is not a known OSS export (${known}). Closest: "${closest.type.title}" ` +
    `(${closest.matched} of ${closest.expected} headers, row ${closest.rowIndex + 1}); missing: ` +
    closest.missing.map((h) => `"${h}"`).join(', ')
  );
}
