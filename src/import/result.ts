/** What an import reports: the result a person reads (summary.ts renders it) and the run's per-table outcomes. */
import { basename } from 'node:path';
import { emptyCounts, type StreamOutcome } from '../store/runs.js';
import type { RunResult } from '../sync/lifecycle.js';
import type { MappingNotes } from './convert.js';
import type { UnresolvedRegion } from './regions.js';
import type { SnapshotOrigin } from './snapshot.js';
import type { ExportFormat } from './source.js';
import type { DateOrderDecision } from './values.js';

/** What one table of an import did (distinct records; the export's own table also counts rows). */
export interface TableOutcome {
  table: string;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Records that differ from what is stored but are older: nothing overwritten. */
  older: number;
}

export interface RowCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  older: number;
  rejected: number;
  /** Rows repeating a record already read from this file (appended snapshots). */
  duplicates: number;
  /** Rows with no value at all (skipped). */
  blank: number;
}

export interface RejectionReason {
  column: string;
  expected: string;
  rows: number;
  examples: Array<{ row: number; got: string; message: string }>;
}

export interface ImportResult {
  file: string;
  path: string;
  format: ExportFormat | null;
  /** 'succeeded': the file was read to its end and its valid rows stored (rejected rows are counted in `rows`). */
  status: 'succeeded' | 'failed';
  /** True when the file was refused before anything was written (no run either). */
  refused: boolean;
  runId: number | null;
  exportType: string | null;
  sheet: string | null;
  snapshotDate: string | null;
  snapshotFrom: SnapshotOrigin | null;
  sha256: string | null;
  bytes: number;
  rows: RowCounts;
  tables: TableOutcome[];
  rejections: RejectionReason[];
  unknownDescriptions: Array<{ column: string; value: string; rows: number; firstRow: number }>;
  unresolvedRegions: Array<{
    column: string;
    name: string;
    reason: UnresolvedRegion['reason'];
    rows: number;
    firstRow: number;
  }>;
  dateColumns: Array<{ column: string } & DateOrderDecision>;
  notes: string[];
  quarantined: number;
  nibsQueued: number;
  /** Earlier successful imports of the same bytes (sha256). */
  earlierImports: number[];
  /** The evaluation of findings that followed the import's writes, or why it failed. */
  findings: NonNullable<RunResult['findings']> | null;
  durationMs: number;
  error: string | null;
}

export function emptyRows(): RowCounts {
  return { read: 0, inserted: 0, updated: 0, unchanged: 0, older: 0, rejected: 0, duplicates: 0, blank: 0 };
}

export function newResult(path: string, format: ExportFormat | null): ImportResult {
  return {
    file: basename(path),
    path,
    format,
    status: 'failed',
    refused: false,
    runId: null,
    exportType: null,
    sheet: null,
    snapshotDate: null,
    snapshotFrom: null,
    sha256: null,
    bytes: 0,
    rows: emptyRows(),
    tables: [],
    rejections: [],
    unknownDescriptions: [],
    unresolvedRegions: [],
    dateColumns: [],
    notes: [],
    quarantined: 0,
    nibsQueued: 0,
    earlierImports: [],
    findings: null,
    durationMs: 0,
    error: null,
  };
}

/** The per-table outcomes in the shape sync_runs.streams / counts hold. */
export function outcomesOf(result: ImportResult): Record<string, StreamOutcome> {
  const out: Record<string, StreamOutcome> = {};
  result.tables.forEach((t, i) => {
    const counts = emptyCounts();
    counts.fetched = i === 0 ? result.rows.read : t.inserted + t.updated + t.unchanged + t.older;
    counts.inserted = t.inserted;
    counts.updated = t.updated;
    counts.unchanged = t.unchanged + t.older;
    counts.rejected = i === 0 ? result.rows.rejected : 0;
    out[t.table] = {
      status: result.status === 'succeeded' ? 'succeeded' : 'failed',
      counts,
      ...(t.older > 0 ? { note: `${t.older} older than stored data: not overwritten` } : {}),
    };
  });
  if (result.tables.length === 0) {
    out.import = {
      status: 'failed',
      counts: { ...emptyCounts(), fetched: result.rows.read, rejected: result.rows.rejected },
      ...(result.error ? { error: result.error } : {}),
    };
  }
  return out;
}

/** The notes of the mapping (unknown descriptions, unresolved regions, restored KBLI zeros), counted into the result. */
export function collectNotes(result: ImportResult): { collector: MappingNotes; finish(): void } {
  const unknown = new Map<string, ImportResult['unknownDescriptions'][number]>();
  const unresolved = new Map<string, ImportResult['unresolvedRegions'][number]>();
  let kbliRestored = 0;
  return {
    collector: {
      unknownDescription(column, value, row) {
        const k = `${column}\u0001${value}`;
        const e = unknown.get(k);
        if (e) e.rows++;
        else unknown.set(k, { column, value, rows: 1, firstRow: row });
      },
      unresolvedRegion(column, region, row) {
        const k = `${column}\u0001${region.name}`;
        const e = unresolved.get(k);
        if (e) e.rows++;
        else unresolved.set(k, { column, name: region.name, reason: region.reason, rows: 1, firstRow: row });
      },
      kbliRestored() {
        kbliRestored++;
      },
    },
    finish() {
      result.unknownDescriptions = [...unknown.values()].sort((a, b) => b.rows - a.rows);
      result.unresolvedRegions = [...unresolved.values()].sort((a, b) => b.rows - a.rows);
      if (kbliRestored > 0) {
        result.notes.push(
          `${kbliRestored} KBLI codes got back their leading zero (their "Judul Kbli" names the 0-code)`,
        );
      }
    },
  };
}
