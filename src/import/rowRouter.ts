/*
 * The row router: where each data row of an export goes. A row whose cells are what an export already stored is
 * counted unchanged without being converted; any other row is converted and checked as a whole (mapping.ts): a row
 * with a problem goes to quarantine with its row and column and nothing of it is written (its good cells included:
 * a bad value never replaces a stored one, and half a row is no record); a valid row's record for each table is
 * queued for the direct COPY (a new key) or staged for the merge statement (a known key with other content).
 */
import type { ValidationIssue } from '../domain/records.js';
import { quarantineLine, type TargetSession } from '../store/exports.js';
import { textOf } from './convert.js';
import type { TargetDef } from './exportTypes.js';
import { Decision, formatExportHash, hashKey, type KeyTable, RowHasher } from './hashing.js';
import type { Head } from './headReader.js';
import { preview, type RejectedRow, type RowIssue } from './limits.js';
import type { MappedRow, RowProblem } from './mapping.js';
import type { RejectionReason, RowCounts } from './result.js';
import type { Spool } from './spool.js';
import { type Cell, cellText } from './values.js';

/** One table of the running import, as the router feeds it. */
export interface RoutedTarget {
  def: TargetDef;
  session: TargetSession;
  /** What the table holds and what this file has sent, per key. */
  table: KeyTable;
  keyColumn: number;
  sourceColumns: number[];
  /** Seed of the table's content hashes (mapping version, export type, table, decided formats, reference data). */
  seed: number;
  /** Staging lines of the rows to merge. */
  spool: Spool;
  inserted: number;
  merged: number;
  same: number;
}

/** What a row the reader took out should have been, per limit. */
const LIMIT_EXPECTED: Readonly<Record<RowIssue['limit'], string>> = {
  maxCellChars: 'a cell of at most IMPORT_MAX_CELL_CHARS characters',
  maxRowChars: 'a row of at most 32 full cells of characters',
  maxCellsPerRow: "at most 16,384 cells (Excel's last column)",
  maxBytes: 'a file of at most IMPORT_MAX_BYTES bytes',
  maxRows: 'a file of at most IMPORT_MAX_ROWS rows',
};

export class RowRouter {
  private readonly decisions: Int8Array;
  private readonly keyA: Uint32Array;
  private readonly keyB: Uint32Array;
  private readonly hashA: Uint32Array;
  private readonly hashB: Uint32Array;
  private readonly slots: Int32Array;
  // Keys and cell hashes: each key column and each cell is hashed once per row, whatever number of tables use it.
  private readonly keyColumns: number[];
  private readonly keyIndex: number[];
  private readonly colKeyA: Uint32Array;
  private readonly colKeyB: Uint32Array;
  private readonly colKeyNull: Uint8Array;
  private readonly hasher: RowHasher;
  private readonly headerCells: Array<readonly [string, number]>;
  private readonly headerAt: Map<number, string>;
  private readonly reasons = new Map<string, RejectionReason>();

  constructor(
    private readonly opts: {
      file: string;
      head: Head;
      /** A csv row must have as many cells as its header row (an xlsx cell carries its own column). */
      checkWidth: boolean;
      targets: RoutedTarget[];
      map: (row: readonly Cell[], rowNumber: number) => MappedRow;
      /** Quarantine lines of rejected rows. */
      rejected: Spool;
      /** The result's row counts, kept up to date. */
      rows: RowCounts;
    },
  ) {
    const n = opts.targets.length;
    this.decisions = new Int8Array(n);
    this.keyA = new Uint32Array(n);
    this.keyB = new Uint32Array(n);
    this.hashA = new Uint32Array(n);
    this.hashB = new Uint32Array(n);
    this.slots = new Int32Array(n);
    this.keyColumns = [...new Set(opts.targets.map((t) => t.keyColumn))];
    this.keyIndex = opts.targets.map((t) => this.keyColumns.indexOf(t.keyColumn));
    this.colKeyA = new Uint32Array(this.keyColumns.length);
    this.colKeyB = new Uint32Array(this.keyColumns.length);
    this.colKeyNull = new Uint8Array(this.keyColumns.length);
    const used = [...new Set(opts.targets.flatMap((t) => t.sourceColumns))];
    this.hasher = new RowHasher(Math.max(...used) + 1, used);
    const { columns, type } = opts.head.match;
    this.headerCells = type.headers
      .map((h) => [h, columns.get(h)] as const)
      .filter((x): x is readonly [string, number] => x[1] !== undefined);
    this.headerAt = new Map(this.headerCells.map(([h, i]) => [i, h]));
  }

  /** The reasons rows were rejected for, most frequent first. */
  rejectionReasons(): RejectionReason[] {
    return [...this.reasons.values()].sort((a, b) => b.rows - a.rows);
  }

  route(row: readonly Cell[], rowNumber: number): void {
    const { targets, rows } = this.opts;
    let empty = true;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v !== null && v !== undefined && (typeof v !== 'string' || v.trim() !== '')) {
        empty = false;
        break;
      }
    }
    if (empty) {
      rows.blank++;
      return;
    }
    rows.read++;
    const shape = this.shapeProblem(row, rowNumber);
    if (shape) {
      this.reject(row, rowNumber, [shape]);
      return;
    }
    const { decisions, keyA, keyB, hashA, hashB, slots, keyColumns, keyIndex, colKeyA, colKeyB, colKeyNull } = this;
    for (let k = 0; k < keyColumns.length; k++) {
      const key = textOf(row[keyColumns[k]!] ?? null);
      if (key === null) {
        colKeyNull[k] = 1;
        continue;
      }
      colKeyNull[k] = 0;
      const h = hashKey(key);
      colKeyA[k] = h[0]!;
      colKeyB[k] = h[1]!;
    }
    this.hasher.load(row);
    let work = false;
    for (let ti = 0; ti < targets.length; ti++) {
      const t = targets[ti]!;
      const k = keyIndex[ti]!;
      if (colKeyNull[k] === 1) {
        decisions[ti] = -1;
        if (ti === 0) work = true;
        continue;
      }
      keyA[ti] = colKeyA[k]!;
      keyB[ti] = colKeyB[k]!;
      const h = this.hasher.combine(t.sourceColumns, t.seed);
      hashA[ti] = h[0]!;
      hashB[ti] = h[1]!;
      const slot = t.table.find(keyA[ti]!, keyB[ti]!);
      slots[ti] = slot;
      const d = t.table.decideAt(slot, hashA[ti]!, hashB[ti]!);
      decisions[ti] = d;
      if (d !== Decision.Same) work = true;
    }
    const main = targets[0]!;
    if (decisions[0] !== -1 && main.table.seenAt(slots[0]!)) rows.duplicates++;
    if (!work) {
      rows.unchanged++;
      for (let ti = 0; ti < targets.length; ti++) {
        if (decisions[ti] !== Decision.Same) continue;
        const t = targets[ti]!;
        if (!t.table.seenAt(slots[ti]!)) t.same++;
        t.table.acceptAt(slots[ti]!, keyA[ti]!, keyB[ti]!, hashA[ti]!, hashB[ti]!);
      }
      return;
    }
    const mapped = this.opts.map(row, rowNumber);
    if (mapped.problems.length > 0) {
      this.reject(row, rowNumber, mapped.problems);
      return;
    }
    for (let ti = 0; ti < targets.length; ti++) {
      const t = targets[ti]!;
      const d = decisions[ti]!;
      const record = mapped.records[t.def.spec.table];
      if (d === -1 || !record) continue;
      const slot = slots[ti]!;
      if (d === Decision.Same) {
        if (!t.table.seenAt(slot)) t.same++;
        t.table.acceptAt(slot, keyA[ti]!, keyB[ti]!, hashA[ti]!, hashB[ti]!);
        continue;
      }
      const hash = formatExportHash(hashA[ti]!, hashB[ti]!);
      if (d === Decision.Insert) {
        t.session.insert(record, hash);
        t.inserted++;
      } else {
        t.spool.write(t.session.stagingLine(rowNumber, hash, record));
        t.spool.lines++;
        t.merged++;
      }
      t.table.acceptAt(slot, keyA[ti]!, keyB[ti]!, hashA[ti]!, hashB[ti]!);
    }
    const d0 = decisions[0]!;
    if (d0 === Decision.Insert) rows.inserted++;
    else if (d0 === Decision.Same) rows.unchanged++;
    // Merged rows are counted from the merge statement's answer.
  }

  /** A row the file reader took out (a cell or the row past a limit): rejected with the reader's reasons. */
  rejectRead(r: RejectedRow): void {
    this.opts.rows.read++;
    const problems = r.issues.map((x: RowIssue): RowProblem => {
      const cell = x.column === null ? null : (r.cells[x.column] ?? null);
      return {
        column: x.column === null ? '(row)' : this.header(x.column),
        expected: LIMIT_EXPECTED[x.limit],
        got: cell === null ? `${x.found}` : preview(cellText(cell)),
        message: x.message,
      };
    });
    this.reject(r.cells, r.row, problems);
  }

  /**
   * A csv row whose cells do not line up with its header. A quote that is not closed where its cell ends reads the
   * lines after it into the cell (up to the next quote, or the end of the file): the row then runs over several
   * lines and has too many or too few cells, or, by chance the right number, one cell holding whole rows.
   */
  private shapeProblem(row: readonly Cell[], rowNumber: number): RowProblem | null {
    const { width } = this.opts.head;
    if (!this.opts.checkWidth) return null;
    const fits = row.length === width;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      // A cell holding a whole row holds its delimiters: at least width - 1 characters.
      if (typeof v !== 'string' || (fits && v.length < width) || !v.includes('\n')) continue;
      const lines = v.split('\n');
      if (fits && !lines.some((l, k) => k > 0 && delimiters(l) >= width - 1)) continue;
      const n = lines.length - 1;
      return {
        column: this.header(c),
        expected: 'a quoted cell closed by a quote at its end',
        got: preview(v),
        message: `a quote in this cell is not closed where the cell ends: the next ${n === 1 ? 'line' : `${n} lines`} (to line ${rowNumber + n}) were read into this row, and their rows were not imported`,
      };
    }
    if (fits) return null;
    return {
      column: row.length < width ? this.header(row.length) : '(cells after the last header)',
      expected: `${width} cells, as in the header row`,
      got: `${row.length} cells`,
      message: `the row has ${row.length} cells; the header row has ${width}`,
    };
  }

  private header(index: number): string {
    return this.headerAt.get(index) ?? `column ${index + 1}`;
  }

  private reject(row: readonly Cell[], rowNumber: number, problems: readonly RowProblem[]): void {
    const { rows, rejected, file, head, targets } = this.opts;
    rows.rejected++;
    for (const p of problems) {
      const k = `${p.column}\u0001${p.expected}`;
      let r = this.reasons.get(k);
      if (!r) {
        r = { column: p.column, expected: p.expected, rows: 0, examples: [] };
        this.reasons.set(k, r);
      }
      r.rows++;
      if (r.examples.length < 3) r.examples.push({ row: rowNumber, got: preview(p.got), message: p.message });
    }
    const payload: Record<string, string> = {};
    for (const [h, i] of this.headerCells) payload[h] = cellText(row[i] ?? null);
    const issues: ValidationIssue[] = problems.map((p) => ({
      path: p.column,
      expected: p.expected,
      got: preview(p.got),
      message: p.message,
    }));
    const location = { file, sheet: head.sheet, row: rowNumber, column: problems[0]?.column ?? null };
    rejected.write(quarantineLine(textOf(row[targets[0]!.keyColumn] ?? null), location, payload, issues));
    rejected.lines++;
  }
}

/** The most delimiters (",", ";" or tab) one line holds. */
function delimiters(line: string): number {
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 44) comma++;
    else if (c === 59) semicolon++;
    else if (c === 9) tab++;
  }
  return Math.max(comma, semicolon, tab);
}
