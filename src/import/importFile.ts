/*
 * `oss-sync import FILE`: one OSS dashboard export (csv or xlsx) → the OSS tables, as one run (trigger 'import').
 *
 *  1. read the head of the file: recognise the export from its header row, keep a sample of rows, decide each date
 *     column's day/month order and the snapshot date. A file that is no known export is refused here, before any
 *     write (no run row either);
 *  2. take the run lock (imports and syncs never run at once: both write the same tables, and the one-running-run
 *     index allows one run) and open one session per table the export feeds, each locking its table and reading the
 *     keys it holds with the content hash of rows an export wrote;
 *  3. stream the rows: a row whose cells are what an export already stored is counted unchanged without being
 *     normalized; a new key is normalized and COPYed straight into its table; any other row goes to a spool for
 *     the merge statement; a bad row goes to the quarantine spool with its row number and the import goes on;
 *  4. merge the spools, quarantine the bad rows, queue the NIBs first seen for inqueryNIB, commit every session.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Rejection, ValidationIssue } from '../domain/records.js';
import { loadReference } from '../domain/reference.js';
import { SyncAlreadyRunningError, toError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import {
  type CopySink,
  copyText,
  createImportRun,
  earlierImportsOf,
  finishImportRun,
  type ImportRunInfo,
  LOCATION_SUFFIX,
  LOCK_ORDER,
  quarantineExportRows,
  queueNewExportNibs,
  resolveExportQuarantine,
  TargetSession,
  unescapeCopy,
} from '../store/exports.js';
import { contentHash } from '../store/merge.js';
import { acquireRunLock, emptyCounts, failInterruptedRuns, type StreamOutcome } from '../store/runs.js';
import type { TargetDef } from './exportTypes.js';
import { Decision, formatExportHash, hashKey, KeyTable, KnownKeysReader, RowHasher, seedOf } from './hashing.js';
import { describeUnrecognized, HEADER_SEARCH_ROWS, type HeaderMatch, recognizeHeader } from './headers.js';
import { createRowMapper, type MappingNotes, type RowProblem, textOf } from './mapping.js';
import { buildRegionIndex, RegionResolver, type UnresolvedRegion } from './regions.js';
import { dateInFileName, dateInText, type SnapshotOrigin, wibDay } from './snapshot.js';
import { type ExportFormat, formatOf, openExport, type RowBatch } from './source.js';
import { Spool, spoolDirectory } from './spool.js';
import { type Cell, cellText, type DateOrderDecision, decideDateOrder } from './values.js';

export interface ImportDeps {
  db: Db;
  databaseUrl: string;
  log: Logger;
  /** Clock of the last-resort snapshot date; default: the file's modification time. */
  now?: () => Date;
  /** How long to wait for a table another writer holds (a push being applied). Default 120 s. */
  lockTimeoutMs?: number;
  /** Where spools go (default: the OS temp dir). */
  tmpDir?: string;
}

export interface ImportOptions {
  requestedBy: string | null;
  reason?: string | null;
  /** The export's snapshot date 'YYYY-MM-DD', when the caller knows it. */
  snapshotDate?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  file: string;
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

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
  durationMs: number;
  error: string | null;
}

/** Data rows read before the run starts, to decide date formats from. */
const SAMPLE_ROWS = 2_000;
/** Bump when the mapping of cells to values changes: stored content hashes then no longer match. */
const MAPPING_VERSION = 'm1';
const FLUSH_CHARS = 64 * 1024;

function emptyRows(): RowCounts {
  return { read: 0, inserted: 0, updated: 0, unchanged: 0, older: 0, rejected: 0, duplicates: 0, blank: 0 };
}

function newResult(path: string, format: ExportFormat | null): ImportResult {
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
    durationMs: 0,
    error: null,
  };
}

/** The head of a file: the recognised header and the rows read so far of its sheet. */
interface Head {
  match: HeaderMatch;
  sheet: string | null;
  titleRows: Cell[][];
  /** Data rows after the header read so far (the sample). */
  rows: Cell[][];
  rowNumbers: number[];
  /** True when the sheet (or file) ended within the head. */
  sheetEnded: boolean;
  /** Sheets read before the recognised one (no export header). */
  skippedSheets: string[];
}

type HeadOutcome = { ok: true; head: Head } | { ok: false; message: string };

async function readHead(file: string, it: AsyncIterator<RowBatch>): Promise<HeadOutcome> {
  let sheet: string | null | undefined;
  let rows: Cell[][] = [];
  let rowNumbers: number[] = [];
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
    return {
      ok: true,
      head: {
        match: m,
        sheet: sheet ?? null,
        titleRows: rows.slice(0, m.rowIndex),
        rows: rows.slice(m.rowIndex + 1),
        rowNumbers: rowNumbers.slice(m.rowIndex + 1),
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
    }
    sheet = batch.sheet;
    firstRow ??= batch.rows[0];
    for (let i = 0; i < batch.rows.length; i++) {
      rows.push(batch.rows[i]!);
      rowNumbers.push(batch.rowNumbers[i]!);
    }
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

/** One table of the running import. */
interface TargetRun {
  def: TargetDef;
  session: TargetSession;
  table: KeyTable;
  keyColumn: number;
  sourceColumns: number[];
  seed: number;
  sink: CopySink;
  pending: string[];
  pendingChars: number;
  spool: Spool;
  inserted: number;
  merged: number;
  same: number;
}

/** Imports one file. Never throws for a bad file or a database failure (the result says); throws when a sync runs. */
export async function importExportFile(deps: ImportDeps, path: string, opts: ImportOptions): Promise<ImportResult> {
  const startedAt = Date.now();
  const format = formatOf(path);
  const result = newResult(path, format);
  const done = () => {
    result.durationMs = Date.now() - startedAt;
    return result;
  };
  const refuse = (message: string) => {
    result.refused = true;
    result.error = message;
    return done();
  };
  if (format === null) return refuse(`${result.file} is not an export file: only .csv and .xlsx are imported`);
  let stat: { size: number; mtime: Date };
  try {
    stat = statSync(path);
  } catch (err) {
    return refuse(`${result.file} cannot be read: ${toError(err).message}`);
  }
  const source = openExport(path, format);
  const it = source.batches[Symbol.asyncIterator]();
  const closeSource = async () => {
    await it.return?.().catch(() => undefined);
  };

  let head: Head;
  try {
    const h = await readHead(result.file, it);
    if (!h.ok) {
      await closeSource();
      return refuse(h.message);
    }
    head = h.head;
  } catch (err) {
    await closeSource();
    return refuse(`${result.file} cannot be read as ${format}: ${toError(err).message}`);
  }
  const type = head.match.type;
  result.exportType = type.title;
  result.sheet = head.sheet;
  if (source.describe()) result.notes.push(`read as ${source.describe()}`);
  if (head.skippedSheets.length)
    result.notes.push(`sheets without an export header ignored: ${head.skippedSheets.join(', ')}`);
  if (head.match.extraColumns.length) {
    result.notes.push(
      `columns not part of ${type.title} ignored: ${head.match.extraColumns.map((c) => `"${c}"`).join(', ')}`,
    );
  }
  if (head.match.unnamedColumns > 0) {
    result.notes.push(
      `${head.match.unnamedColumns} unnamed column${head.match.unnamedColumns === 1 ? '' : 's'} ignored${type.unnamedFlagColumn ? ' (the export’s flag column)' : ''}`,
    );
  }

  // Snapshot date and date formats.
  const now = deps.now?.() ?? stat.mtime;
  const pivotYear = Number(wibDay(now).slice(0, 4));
  let snapshot: string | null = null;
  let snapshotFrom: SnapshotOrigin | null = null;
  if (opts.snapshotDate) {
    snapshot = opts.snapshotDate;
    snapshotFrom = 'option';
  } else {
    const titleText = head.titleRows.map((r) => r.map(cellText).join(' ')).join(' ');
    const fromTitle = titleText.trim() ? dateInText(titleText, pivotYear) : null;
    const fromName = fromTitle ? null : dateInFileName(result.file, pivotYear);
    snapshot = fromTitle ?? fromName ?? wibDay(deps.now?.() ?? stat.mtime);
    snapshotFrom = fromTitle ? 'title row' : fromName ? 'file name' : 'file modification time';
  }
  result.snapshotDate = snapshot;
  result.snapshotFrom = snapshotFrom;
  const dateOrders = new Map<string, DateOrderDecision['order']>();
  for (const dc of type.dateColumns) {
    const i = head.match.columns.get(dc.header);
    if (i === undefined) continue;
    const decision = decideDateOrder(
      head.rows.map((r) => r[i] ?? null),
      dc.convention,
    );
    dateOrders.set(dc.header, decision.order);
    result.dateColumns.push({ column: dc.header, ...decision });
    if (decision.by === 'values' && decision.order !== dc.convention) {
      result.notes.push(
        `"${dc.header}" is read ${decision.order === 'dmy' ? 'day-first' : 'month-first'}: its values say so, unlike ${type.title}'s usual order`,
      );
    }
  }

  // From here on the import writes: a run, under the run lock.
  const lock = await acquireRunLock(deps.databaseUrl, deps.db).catch(async (err) => {
    await closeSource();
    throw err;
  });
  const log = deps.log.child({ import: result.file });
  const info: ImportRunInfo = {
    file: result.file,
    path,
    format,
    bytes: stat.size,
    sha256: null,
    export_type: type.id,
    sheet: head.sheet,
    snapshot_date: snapshot,
    snapshot_from: snapshotFrom,
  };
  const sessions: TargetSession[] = [];
  const sinks: CopySink[] = [];
  const spools = spoolDirectory(deps.tmpDir);
  let runId: number | null = null;
  try {
    const interrupted = await failInterruptedRuns(deps.db);
    if (interrupted.length) log.warn({ runs: interrupted }, 'closed runs left running by a stopped process');
    runId = await createImportRun(deps.db, {
      requestedBy: opts.requestedBy,
      reason: opts.reason ?? `import ${result.file} (${type.title}, snapshot ${snapshot})`,
      info,
    });
    result.runId = runId;
    log.info({ runId, type: type.id, sheet: head.sheet, snapshot, snapshotFrom }, 'import started');
    const ctx = { runId, snapshotDate: snapshot };

    // Sessions, opened and locked in the API's write order.
    const ordered = [...type.targets].sort(
      (a, b) => LOCK_ORDER.indexOf(a.spec.table) - LOCK_ORDER.indexOf(b.spec.table),
    );
    const byDef = new Map<TargetDef, TargetSession>();
    for (const def of ordered) {
      const s = await TargetSession.open(deps.databaseUrl, def.spec, ctx);
      sessions.push(s);
      byDef.set(def, s);
      await s.lock(deps.lockTimeoutMs ?? 120_000);
    }
    const ref = loadReference();
    const refVersion = seedOf(JSON.stringify([ref.kabupaten, ref.kecamatan, ref.desa, ref.kbli]));
    const estimatedRows =
      format === 'csv' && source.bytesRead() > 0
        ? Math.ceil((stat.size / source.bytesRead()) * (head.rows.length + head.titleRows.length + 1))
        : head.rows.length;
    const targets: TargetRun[] = [];
    await Promise.all(
      type.targets.map(async (def, ti) => {
        const session = byDef.get(def)!;
        // The export's own table holds about one key per row; the others (the businesses of DP Proyek rows) fewer.
        const table = new KeyTable(
          ti === 0 || def.keyHeader === type.targets[0]!.keyHeader ? estimatedRows : estimatedRows / 4,
        );
        const reader = new KnownKeysReader(table, (line) => unescapeCopy(line));
        await session.readKnown((chunk) => reader.push(chunk));
        reader.end();
        const formats = def.sourceHeaders.map((h) => `${h}=${dateOrders.get(h) ?? ''}`).join(',');
        targets[ti] = {
          def,
          session,
          table,
          keyColumn: head.match.columns.get(def.keyHeader)!,
          sourceColumns: def.sourceHeaders.map((h) => head.match.columns.get(h)!),
          seed: seedOf(`${MAPPING_VERSION}|${type.id}|${def.spec.table}|${formats}|${refVersion}`),
          sink: (() => {
            const sink = session.startInserts();
            sinks.push(sink);
            return sink;
          })(),
          pending: [],
          pendingChars: 0,
          spool: new Spool(join(spools.dir, `${def.spec.table}.merge`)),
          inserted: 0,
          merged: 0,
          same: 0,
        };
      }),
    );
    log.debug(
      { known: targets.map((t) => [t.def.spec.table, t.table.size]), ms: Date.now() - startedAt },
      'stored keys read',
    );

    // Notes and rejections.
    const unknown = new Map<string, ImportResult['unknownDescriptions'][number]>();
    const unresolved = new Map<string, ImportResult['unresolvedRegions'][number]>();
    let kbliRestored = 0;
    const notes: MappingNotes = {
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
    };
    const mapper = createRowMapper(type, head.match, {
      pivotYear: Number(snapshot.slice(0, 4)),
      dateOrders,
      regions: new RegionResolver(buildRegionIndex(ref)),
      kbliTitles: ref.kbli,
      notes,
    });
    const reasons = new Map<string, RejectionReason>();
    const rejectSpool = new Spool(join(spools.dir, 'rejected'));
    const headerCells = type.headers
      .map((h) => [h, head.match.columns.get(h)] as const)
      .filter((x): x is readonly [string, number] => x[1] !== undefined);
    const stream = `export:${type.id}`;
    const reject = (row: readonly Cell[], rowNumber: number, problems: RowProblem[]) => {
      result.rows.rejected++;
      for (const p of problems) {
        const k = `${p.column}\u0001${p.expected}`;
        let r = reasons.get(k);
        if (!r) {
          r = { column: p.column, expected: p.expected, rows: 0, examples: [] };
          reasons.set(k, r);
        }
        r.rows++;
        if (r.examples.length < 3) r.examples.push({ row: rowNumber, got: p.got, message: p.message });
      }
      const payload: Record<string, string> = {};
      for (const [h, i] of headerCells) payload[h] = cellText(row[i] ?? null);
      const entityId = textOf(row[targets[0]!.keyColumn] ?? null);
      const issues: ValidationIssue[] = problems.map((p) => ({
        path: p.column,
        expected: p.expected,
        got: p.got,
        message: p.message,
      }));
      const rejection: Rejection = { entity_id: entityId, raw: payload, issues };
      const location = { file: result.file, sheet: head.sheet, row: rowNumber, column: problems[0]?.column ?? null };
      rejectSpool.write(
        `${copyText(entityId)}\t${copyText(JSON.stringify(location))}\t${copyText(JSON.stringify(payload))}\t${contentHash(
          [rejection.entity_id, rejection.raw],
        )}\t${copyText(JSON.stringify(issues))}\n`,
      );
      rejectSpool.lines++;
    };

    // The rows.
    const main = targets[0]!;
    const decisions = new Int8Array(targets.length);
    const keyA = new Uint32Array(targets.length);
    const keyB = new Uint32Array(targets.length);
    const hashA = new Uint32Array(targets.length);
    const hashB = new Uint32Array(targets.length);
    // Keys and cell hashes: each key column and each cell is hashed once per row, whatever number of tables use it.
    const keyColumns = [...new Set(targets.map((t) => t.keyColumn))];
    const keyIndex = targets.map((t) => keyColumns.indexOf(t.keyColumn));
    const colKeyA = new Uint32Array(keyColumns.length);
    const colKeyB = new Uint32Array(keyColumns.length);
    const colKeyNull = new Uint8Array(keyColumns.length);
    const usedColumns = [...new Set(targets.flatMap((t) => t.sourceColumns))];
    const hasher = new RowHasher(Math.max(...usedColumns) + 1, usedColumns);
    const slots = new Int32Array(targets.length);
    const metaTail = `\texport\t${snapshot}\t${runId}\t${runId}\n`;
    const processRow = (row: readonly Cell[], rowNumber: number) => {
      result.rows.read++;
      let empty = true;
      for (let c = 0; c < row.length; c++) {
        const v = row[c];
        if (v !== null && v !== undefined && (typeof v !== 'string' || v.trim() !== '')) {
          empty = false;
          break;
        }
      }
      if (empty) {
        result.rows.read--;
        result.rows.blank++;
        return;
      }
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
      hasher.load(row);
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
        const h = hasher.combine(t.sourceColumns, t.seed);
        hashA[ti] = h[0]!;
        hashB[ti] = h[1]!;
        const slot = t.table.find(keyA[ti]!, keyB[ti]!);
        slots[ti] = slot;
        const d = t.table.decideAt(slot, hashA[ti]!, hashB[ti]!);
        decisions[ti] = d;
        if (d !== Decision.Same) work = true;
      }
      if (decisions[0] !== -1 && main.table.seenAt(slots[0]!)) result.rows.duplicates++;
      if (!work) {
        result.rows.unchanged++;
        for (let ti = 0; ti < targets.length; ti++) {
          if (decisions[ti] !== Decision.Same) continue;
          const t = targets[ti]!;
          if (!t.table.seenAt(slots[ti]!)) t.same++;
          t.table.acceptAt(slots[ti]!, keyA[ti]!, keyB[ti]!, hashA[ti]!, hashB[ti]!);
        }
        return;
      }
      const mapped = mapper(row, rowNumber);
      if (mapped.problems.length > 0) {
        reject(row, rowNumber, mapped.problems);
        return;
      }
      for (let ti = 0; ti < targets.length; ti++) {
        const t = targets[ti]!;
        const d = decisions[ti]!;
        const values = mapped.values[ti];
        if (d === -1 || values === null || values === undefined) continue;
        const slot = slots[ti]!;
        if (d === Decision.Same) {
          if (!t.table.seenAt(slot)) t.same++;
          t.table.acceptAt(slot, keyA[ti]!, keyB[ti]!, hashA[ti]!, hashB[ti]!);
          continue;
        }
        let line = copyText(values[0] ?? null);
        for (let v = 1; v < values.length; v++) line += `\t${copyText(values[v] ?? null)}`;
        const hash = formatExportHash(hashA[ti]!, hashB[ti]!);
        if (d === Decision.Insert) {
          const text = t.def.spec.location
            ? `${copyText(`${values[0]}${LOCATION_SUFFIX}`)}\t${line}\t${hash}${metaTail}`
            : `${line}\t${hash}${metaTail}`;
          t.pending.push(text);
          t.pendingChars += text.length;
          t.inserted++;
        } else {
          t.spool.write(`${rowNumber}\t${hash}\t${line}\n`);
          t.spool.lines++;
          t.merged++;
        }
        t.table.acceptAt(slot, keyA[ti]!, keyB[ti]!, hashA[ti]!, hashB[ti]!);
      }
      const d0 = decisions[0]!;
      if (d0 === Decision.Insert) result.rows.inserted++;
      else if (d0 === Decision.Same) result.rows.unchanged++;
      // Merged rows are counted from the merge statement's answer.
    };
    const flush = async (force: boolean) => {
      for (const t of targets) {
        if (t.pending.length === 0 || (!force && t.pendingChars < FLUSH_CHARS)) continue;
        const text = t.pending.join('');
        t.pending = [];
        t.pendingChars = 0;
        await t.sink.write(text);
      }
    };
    const totalBytes = stat.size;
    const progress = () =>
      opts.onProgress?.({ file: result.file, rowsRead: result.rows.read, bytesRead: source.bytesRead(), totalBytes });
    for (let i = 0; i < head.rows.length; i++) processRow(head.rows[i]!, head.rowNumbers[i]!);
    await flush(false);
    progress();
    if (!head.sheetEnded) {
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        const batch = next.value;
        if (batch.sheet !== head.sheet) {
          result.notes.push(`sheet "${batch.sheet}" after "${head.sheet}" ignored (one export per file)`);
          // Read the rest of the file (for its checksum) without importing it.
          for (let n = await it.next(); !n.done; n = await it.next());
          break;
        }
        for (let i = 0; i < batch.rows.length; i++) processRow(batch.rows[i]!, batch.rowNumbers[i]!);
        await flush(false);
        progress();
      }
    } else {
      for (let n = await it.next(); !n.done; n = await it.next());
    }
    await flush(true);
    result.sha256 = source.sha256();
    result.bytes = source.bytesRead();
    info.sha256 = result.sha256;
    if (kbliRestored > 0) {
      result.notes.push(`${kbliRestored} KBLI codes got back their leading zero (their "Judul Kbli" names the 0-code)`);
    }

    log.debug({ rows: result.rows.read, ms: Date.now() - startedAt }, 'rows read');
    // Load, merge, quarantine, queue.
    for (const t of targets) t.spool.close();
    rejectSpool.close();
    const merged = await Promise.all(
      targets.map(async (t) => {
        const copied = await t.sink.end();
        if (copied !== t.inserted)
          throw new Error(`import: ${t.def.spec.table}: ${copied} rows copied, ${t.inserted} sent`);
        return t.spool.lines > 0 ? t.session.merge(t.spool.path) : null;
      }),
    );
    targets.forEach((t, ti) => {
      const m = merged[ti] ?? null;
      const outcome: TableOutcome = {
        table: t.def.spec.table,
        inserted: t.inserted + (m?.inserted ?? 0),
        updated: m?.updated ?? 0,
        unchanged: t.same + (m?.unchanged ?? 0),
        older: m?.older ?? 0,
      };
      result.tables.push(outcome);
      if (ti === 0 && m) {
        result.rows.inserted += m.inserted;
        result.rows.updated += m.updated;
        result.rows.older += m.older;
        // Rows merged into the same key (a record repeated in the file) count as unchanged.
        result.rows.unchanged += m.unchanged + (t.merged - m.keys);
      }
    });
    log.debug({ ms: Date.now() - startedAt }, 'copied and merged');
    if (rejectSpool.lines > 0) {
      result.quarantined = await quarantineExportRows(main.session.client, stream, rejectSpool.path, runId);
    }
    await resolveExportQuarantine(main.session.client, stream, main.def.spec, runId);
    const pelaku = targets.find((t) => t.def.spec.table === 'pelaku_usaha');
    if (pelaku) result.nibsQueued = await queueNewExportNibs(pelaku.session.client, runId, `export:${type.id}`);
    log.debug({ ms: Date.now() - startedAt }, 'quarantined and queued');
    for (const s of sessions) await s.commit();
    log.debug({ ms: Date.now() - startedAt }, 'committed');

    result.rejections = [...reasons.values()].sort((a, b) => b.rows - a.rows);
    result.unknownDescriptions = [...unknown.values()].sort((a, b) => b.rows - a.rows);
    result.unresolvedRegions = [...unresolved.values()].sort((a, b) => b.rows - a.rows);
    result.status = 'succeeded';
    result.earlierImports = await earlierImportsOf(deps.db, result.sha256, runId);
    await finishImportRun(deps.db, runId, 'succeeded', outcomesOf(result), info, null);
    log.info({ runId, ...result.rows, tables: result.tables, durationMs: Date.now() - startedAt }, 'import finished');
    return done();
  } catch (err) {
    const e = toError(err);
    for (const sink of sinks) sink.abort();
    if (e instanceof SyncAlreadyRunningError && runId === null) {
      for (const s of sessions) await s.rollback();
      throw e;
    }
    for (const s of sessions) await s.rollback();
    result.status = 'failed';
    result.error = e.message;
    result.tables = [];
    if (runId !== null) {
      await finishImportRun(deps.db, runId, 'failed', outcomesOf(result), info, e.message).catch((err2) =>
        log.error({ err: err2 }, 'could not close the import run'),
      );
    }
    log.error({ err: e, runId }, 'import failed');
    return done();
  } finally {
    await closeSource();
    for (const s of sessions) await s.close();
    spools.dispose();
    await lock.release();
  }
}

/** The per-table outcomes in the shape sync_runs.streams / counts hold. */
function outcomesOf(result: ImportResult): Record<string, StreamOutcome> {
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
