/*
 * The head of an export file, read before anything is written: the sheet and header row of a known export type, a
 * sample of the rows after it, and what the sample decides: each date column's format, and the snapshot date. A file
 * without a known header is refused from here (no run is started).
 */
import { describeUnrecognized, HEADER_SEARCH_ROWS, type HeaderMatch, recognizeHeader } from './headers.js';
import type { RejectedRow } from './limits.js';
import { dateInFileName, dateInText, type SnapshotOrigin, wibDay } from './snapshot.js';
import type { RowBatch } from './source.js';
import { type Cell, cellText, type DateOrder, type DateOrderDecision, decideDateOrder } from './values.js';

/** Data rows read before the run starts, to decide date formats from. */
const SAMPLE_ROWS = 2_000;

/** The head of a file: the recognised header and the rows read so far of its sheet. */
export interface Head {
  match: HeaderMatch;
  sheet: string | null;
  titleRows: Cell[][];
  /** Cells of the header row (a csv data row must have as many). */
  width: number;
  /** Data rows after the header read so far (the sample). */
  rows: Cell[][];
  rowNumbers: number[];
  /** Data rows of the sample the reader took out (past a cell or row limit), with why. */
  rejected: RejectedRow[];
  /** True when the sheet (or file) ended within the head. */
  sheetEnded: boolean;
  /** Sheets read before the recognised one (no export header). */
  skippedSheets: string[];
}

export type HeadOutcome = { ok: true; head: Head } | { ok: false; message: string };

/** Reads batches until the header of a known export and a sample of its rows are in; consumes `it` that far. */
export async function readHead(file: string, it: AsyncIterator<RowBatch>): Promise<HeadOutcome> {
  let sheet: string | null | undefined;
  let rows: Cell[][] = [];
  let rowNumbers: number[] = [];
  let rejected: RejectedRow[] = [];
  let match: HeaderMatch | null = null;
  let firstRow: Cell[] | undefined;
  const skippedSheets: string[] = [];
  let closest: ReturnType<typeof recognizeHeader> | null = null;
  let sheetRefused = false;
  const tryRecognize = (): boolean => {
    const r = recognizeHeader(rows);
    if (r.ok) {
      match = r.match;
      return true;
    }
    if (!closest || (r.closest && (closest.ok || !closest.closest || r.closest.matched > closest.closest.matched))) {
      closest = r;
    }
    return false;
  };
  const finish = (sheetEnded: boolean): HeadOutcome => {
    const m = match as HeaderMatch | null;
    if (!m) throw new Error('unreachable');
    const headerRow = rowNumbers[m.rowIndex] ?? 0;
    return {
      ok: true,
      head: {
        match: m,
        sheet: sheet ?? null,
        titleRows: rows.slice(0, m.rowIndex),
        width: rows[m.rowIndex]?.length ?? 0,
        rows: rows.slice(m.rowIndex + 1),
        rowNumbers: rowNumbers.slice(m.rowIndex + 1),
        rejected: rejected.filter((r) => r.row > headerRow),
        sheetEnded,
        skippedSheets,
      },
    };
  };
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    const batch = next.value;
    if (sheet !== undefined && batch.sheet !== sheet) {
      // The previous sheet ended.
      if (match) return finish(true);
      if (!sheetRefused && tryRecognize()) return finish(true);
      skippedSheets.push(sheet ?? '(sheet)');
      sheetRefused = false;
      rows = [];
      rowNumbers = [];
      rejected = [];
    }
    sheet = batch.sheet;
    firstRow ??= batch.rows[0];
    for (let i = 0; i < batch.rows.length; i++) {
      rows.push(batch.rows[i]!);
      rowNumbers.push(batch.rowNumbers[i]!);
    }
    if (batch.rejected) rejected.push(...batch.rejected);
    if (!match && !sheetRefused && rows.length >= HEADER_SEARCH_ROWS && !tryRecognize()) {
      // No header in the first rows: a csv is refused at once; the rest of an xlsx sheet is skipped.
      if (sheet === null) break;
      sheetRefused = true;
      rows = rows.slice(0, HEADER_SEARCH_ROWS);
      rowNumbers = rowNumbers.slice(0, HEADER_SEARCH_ROWS);
    }
    if (sheetRefused) {
      rows.length = HEADER_SEARCH_ROWS;
      rowNumbers.length = HEADER_SEARCH_ROWS;
    }
    if (match && rows.length - (match as HeaderMatch).rowIndex > SAMPLE_ROWS) return finish(false);
  }
  if (match || (!sheetRefused && tryRecognize())) return finish(true);
  const c = closest as ReturnType<typeof recognizeHeader> | null;
  return { ok: false, message: describeUnrecognized(file, c && !c.ok ? c.closest : null, firstRow) };
}

/** What the head decides about the whole file. */
export interface HeadDecisions {
  snapshotDate: string;
  snapshotFrom: SnapshotOrigin;
  /** Per date column (header as defined): its day/month order. */
  dateOrders: Map<string, DateOrder>;
  /** Date columns whose text dates are ISO. */
  isoDates: Set<string>;
  dateColumns: Array<{ column: string } & DateOrderDecision>;
  notes: string[];
}

/**
 * The snapshot date (the caller's, else a title row's, else the file name's, else the file's modification day in WIB)
 * and each date column's format, decided from the sample.
 */
export function decideHead(
  head: Head,
  file: { name: string; mtime: Date; now: Date; snapshotDate?: string | undefined },
): HeadDecisions {
  const type = head.match.type;
  const pivotYear = Number(wibDay(file.now).slice(0, 4));
  let snapshotDate: string;
  let snapshotFrom: SnapshotOrigin;
  if (file.snapshotDate) {
    snapshotDate = file.snapshotDate;
    snapshotFrom = 'option';
  } else {
    const titleText = head.titleRows.map((r) => r.map(cellText).join(' ')).join(' ');
    const fromTitle = titleText.trim() ? dateInText(titleText, pivotYear) : null;
    const fromName = fromTitle ? null : dateInFileName(file.name, pivotYear);
    snapshotDate = fromTitle ?? fromName ?? wibDay(file.mtime);
    snapshotFrom = fromTitle ? 'title row' : fromName ? 'file name' : 'file modification time';
  }
  const out: HeadDecisions = {
    snapshotDate,
    snapshotFrom,
    dateOrders: new Map(),
    isoDates: new Set(),
    dateColumns: [],
    notes: [],
  };
  for (const dc of type.dateColumns) {
    const i = head.match.columns.get(dc.header);
    if (i === undefined) continue;
    const decision = decideDateOrder(
      head.rows.map((r) => r[i] ?? null),
      dc.convention,
    );
    out.dateOrders.set(dc.header, decision.order);
    if (decision.iso) out.isoDates.add(dc.header);
    out.dateColumns.push({ column: dc.header, ...decision });
    if (decision.iso) {
      out.notes.push(`"${dc.header}" is read as YYYY-MM-DD: its values say so, unlike ${type.title}'s usual format`);
    } else if (decision.by === 'values' && decision.order !== dc.convention) {
      out.notes.push(
        `"${dc.header}" is read ${decision.order === 'dmy' ? 'day-first' : 'month-first'}: its values say so, unlike ${type.title}'s usual order`,
      );
    }
  }
  return out;
}
