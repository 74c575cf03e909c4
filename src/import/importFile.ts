/*
 * `oss-sync import FILE`: one OSS dashboard export (csv or xlsx) → the OSS tables, as one run (trigger 'import').
 *
 *  1. read the head of the file (headReader.ts): a file that is no known export is refused here, before any write
 *     and without a run;
 *  2. run through the write lifecycle (runExclusive: the deployment's one write run, its lock and heartbeat): open
 *     one session per table the export feeds, each locking its table and reading the keys it holds;
 *  3. stream the rows through the row router (rowRouter.ts), which queues new records for COPY, stages changed ones
 *     for the merge and quarantines bad rows;
 *  4. merge, quarantine, queue the NIBs first seen for inqueryNIB, fence (the run must still own the deployment)
 *     and commit every session. The lifecycle then finishes the run and evaluates the findings the import changed.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SyncAlreadyRunningError, toError } from '../errors.js';
import { loadReference } from '../reference.js';
import { earlierImportsOf, LOCK_ORDER, TargetSession, unescapeCopy } from '../store/exports.js';
import type { RunScope } from '../store/runs.js';
import { type ActiveRun, type LifecycleDeps, type RunEnd, runExclusive } from '../sync/lifecycle.js';
import { KeyTable, KnownKeysReader, seedOf } from './hashing.js';
import { decideHead, type Head, type HeadDecisions, readHead } from './headReader.js';
import type { ImportLimits } from './limits.js';
import { createRowMapper } from './mapping.js';
import { buildRegionIndex, RegionResolver } from './regions.js';
import { collectNotes, type ImportResult, newResult, outcomesOf, type TableOutcome } from './result.js';
import { type RoutedTarget, RowRouter } from './rowRouter.js';
import { type ExportFormat, type ExportSource, formatOf, openExport, type RowBatch } from './source.js';
import { Spool, spoolDirectory } from './spool.js';

export type { ImportResult, RowCounts, TableOutcome } from './result.js';

export interface ImportDeps extends LifecycleDeps {
  /** What one file may hold (IMPORT_MAX_*): past a limit a row or the file is refused. Default DEFAULT_IMPORT_LIMITS. */
  limits?: Partial<ImportLimits>;
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

/** Bump when the mapping of cells to values changes: stored content hashes then no longer match. */
const MAPPING_VERSION = 'm2';

/** What an import run records about its file in sync_runs.scope.import. */
interface ImportRunInfo {
  file: string;
  path: string;
  format: string;
  bytes: number;
  sha256: string | null;
  export_type: string | null;
  sheet: string | null;
  snapshot_date: string | null;
  snapshot_from: string | null;
}

/**
 * Imports one file. Never throws for a bad file or a database failure (the result says); throws
 * SyncAlreadyRunningError when another run holds the deployment.
 */
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
  const source = openExport(path, format, { limits: deps.limits ?? null });
  const it = source.batches[Symbol.asyncIterator]();
  try {
    let head: Head;
    try {
      const h = await readHead(result.file, it);
      if (!h.ok) return refuse(h.message);
      head = h.head;
    } catch (err) {
      return refuse(`${result.file} cannot be read as ${format}: ${toError(err).message}`);
    }
    const decided = decideHead(head, {
      name: result.file,
      mtime: stat.mtime,
      now: deps.now(),
      snapshotDate: opts.snapshotDate,
    });
    describeHead(result, head, decided, source);
    const type = head.match.type;
    const info: ImportRunInfo = {
      file: result.file,
      path,
      format,
      bytes: stat.size,
      sha256: null,
      export_type: type.id,
      sheet: head.sheet,
      snapshot_date: decided.snapshotDate,
      snapshot_from: decided.snapshotFrom,
    };
    const scope = (): RunScope => ({ streams: [], full: false, dryRun: false, import: { ...info } });
    const run = await runExclusive(
      deps,
      {
        trigger: 'import',
        requestedBy: opts.requestedBy,
        reason: opts.reason ?? `import ${result.file} (${type.title}, snapshot ${decided.snapshotDate})`,
        scope: scope(),
      },
      async (active): Promise<RunEnd> => {
        result.runId = active.id;
        const log = active.log.child({ import: result.file });
        log.info({ type: type.id, sheet: head.sheet, snapshot: decided.snapshotDate }, 'import started');
        try {
          await writeRows(deps, active, { result, head, decided, source, it, totalBytes: stat.size, opts, format });
          info.sha256 = result.sha256;
          result.status = 'succeeded';
          log.info({ ...result.rows, tables: result.tables, durationMs: Date.now() - startedAt }, 'import finished');
        } catch (err) {
          const e = toError(err);
          result.status = 'failed';
          result.error = e.message;
          result.tables = [];
          log.error({ err: e }, 'import failed');
        }
        return { status: result.status, streams: outcomesOf(result), error: result.error, scope: scope() };
      },
    );
    result.findings = run.findings ?? null;
    if (result.status === 'succeeded' && result.sha256 !== null) {
      result.earlierImports = await earlierImportsOf(deps.db, result.sha256, run.runId).catch(() => []);
    }
    return done();
  } catch (err) {
    if (err instanceof SyncAlreadyRunningError) throw err;
    result.status = 'failed';
    result.error = toError(err).message;
    return done();
  } finally {
    await it.return?.().catch(() => undefined);
  }
}

/** What the head decided, in the result. */
function describeHead(result: ImportResult, head: Head, decided: HeadDecisions, source: ExportSource): void {
  const type = head.match.type;
  result.exportType = type.title;
  result.sheet = head.sheet;
  result.snapshotDate = decided.snapshotDate;
  result.snapshotFrom = decided.snapshotFrom;
  result.dateColumns = decided.dateColumns;
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
  result.notes.push(...decided.notes);
}

interface FileInRun {
  result: ImportResult;
  head: Head;
  decided: HeadDecisions;
  source: ExportSource;
  it: AsyncIterator<RowBatch>;
  totalBytes: number;
  opts: ImportOptions;
  format: ExportFormat;
}

/** The writes of one import inside its run: sessions, rows, merge, quarantine, queue, fence, commit. */
async function writeRows(deps: ImportDeps, run: ActiveRun, f: FileInRun): Promise<void> {
  const { result, head } = f;
  const sessions: TargetSession[] = [];
  const spools = spoolDirectory(deps.tmpDir);
  const t0 = Date.now();
  try {
    const targets = await openTargets(deps, run, f, sessions, spools.dir);
    run.log.debug({ known: targets.map((t) => [t.def.spec.table, t.table.size]), ms: Date.now() - t0 }, 'keys read');
    const rejected = new Spool(join(spools.dir, 'rejected'));
    await streamRows(run, f, targets, rejected);
    run.log.debug({ rows: result.rows.read, ms: Date.now() - t0 }, 'rows read');

    for (const t of targets) t.spool.close();
    rejected.close();
    if (run.signal.aborted) throw toError(run.signal.reason);
    await loadTables(result, targets);
    const main = targets[0]!.session;
    const stream = `export:${head.match.type.id}`;
    if (rejected.lines > 0) result.quarantined = await main.quarantine(stream, rejected.path);
    await main.resolveQuarantine(stream);
    const pelaku = targets.find((t) => t.def.spec.table === 'pelaku_usaha');
    if (pelaku) result.nibsQueued = await pelaku.session.queueNewNibs(stream);
    run.log.debug({ ms: Date.now() - t0 }, 'merged, quarantined and queued');

    // The fence holds the run row until the fenced session commits: the others commit before it.
    await main.fence();
    for (const s of sessions) if (s !== main) await s.commit();
    await main.commit();
  } catch (err) {
    for (const s of sessions) await s.rollback();
    throw err;
  } finally {
    for (const s of sessions) await s.close();
    spools.dispose();
  }
}

/**
 * One session per table the export feeds (added to `sessions` as they open), opened and locked in the API's write
 * order, each with the keys its table holds.
 */
async function openTargets(
  deps: ImportDeps,
  run: ActiveRun,
  f: FileInRun,
  sessions: TargetSession[],
  spoolDir: string,
): Promise<RoutedTarget[]> {
  const { head, decided, source } = f;
  const type = head.match.type;
  const ctx = { runId: run.id, snapshotDate: decided.snapshotDate };
  const byTable = new Map<string, TargetSession>();
  for (const def of [...type.targets].sort(
    (a, b) => LOCK_ORDER.indexOf(a.spec.table) - LOCK_ORDER.indexOf(b.spec.table),
  )) {
    const s = await TargetSession.open(deps.databaseUrl, def.spec, ctx);
    sessions.push(s);
    byTable.set(def.spec.table, s);
    await s.lock(deps.lockTimeoutMs ?? 120_000);
  }
  const ref = loadReference();
  const refVersion = seedOf(JSON.stringify([ref.kabupaten, ref.kecamatan, ref.desa, ref.kbli]));
  const estimatedRows =
    f.format === 'csv' && source.bytesRead() > 0
      ? Math.ceil((f.totalBytes / source.bytesRead()) * (head.rows.length + head.titleRows.length + 1))
      : head.rows.length;
  const formats = (headers: readonly string[]) =>
    headers.map((h) => `${h}=${decided.dateOrders.get(h) ?? ''}${decided.isoDates.has(h) ? ':iso' : ''}`).join(',');
  return Promise.all(
    type.targets.map(async (def, ti) => {
      const session = byTable.get(def.spec.table)!;
      // The export's own table holds about one key per row; the others (the businesses of DP Proyek rows) fewer.
      const table = new KeyTable(
        ti === 0 || def.keyHeader === type.targets[0]!.keyHeader ? estimatedRows : estimatedRows / 4,
      );
      const reader = new KnownKeysReader(table, (line) => unescapeCopy(line));
      await session.readKnown((chunk) => reader.push(chunk));
      reader.end();
      return {
        def,
        session,
        table,
        keyColumn: head.match.columns.get(def.keyHeader)!,
        sourceColumns: def.sourceHeaders.map((h) => head.match.columns.get(h)!),
        seed: seedOf(`${MAPPING_VERSION}|${type.id}|${def.spec.table}|${formats(def.sourceHeaders)}|${refVersion}`),
        spool: new Spool(join(spoolDir, `${def.spec.table}.merge`)),
        inserted: 0,
        merged: 0,
        same: 0,
      };
    }),
  );
}

/** Every row of the file through the row router (the head's sample first), to the end of the file. */
async function streamRows(run: ActiveRun, f: FileInRun, targets: RoutedTarget[], rejected: Spool): Promise<void> {
  const { result, head, decided, source, it } = f;
  const ref = loadReference();
  const notes = collectNotes(result);
  const router = new RowRouter({
    file: result.file,
    head,
    checkWidth: f.format === 'csv',
    targets,
    map: createRowMapper(head.match.type, head.match, {
      pivotYear: Number(decided.snapshotDate.slice(0, 4)),
      dateOrders: decided.dateOrders,
      isoDates: decided.isoDates,
      regions: new RegionResolver(buildRegionIndex(ref)),
      kbliTitles: ref.kbli,
      notes: notes.collector,
    }),
    rejected,
    rows: result.rows,
  });
  const batchDone = async () => {
    for (const t of targets) await t.session.flush();
    f.opts.onProgress?.({
      file: result.file,
      rowsRead: result.rows.read,
      bytesRead: source.bytesRead(),
      totalBytes: f.totalBytes,
    });
  };
  for (let i = 0; i < head.rows.length; i++) router.route(head.rows[i]!, head.rowNumbers[i]!);
  for (const r of head.rejected) router.rejectRead(r);
  await batchDone();
  let rest = !head.sheetEnded;
  for (let next = await it.next(); !next.done; next = await it.next()) {
    // Read to the end of the file (for its checksum), importing only the recognised sheet.
    if (!rest) continue;
    const batch = next.value;
    if (batch.sheet !== head.sheet) {
      result.notes.push(`sheet "${batch.sheet}" after "${head.sheet}" ignored (one export per file)`);
      rest = false;
      continue;
    }
    if (run.signal.aborted) throw toError(run.signal.reason);
    for (let i = 0; i < batch.rows.length; i++) router.route(batch.rows[i]!, batch.rowNumbers[i]!);
    for (const r of batch.rejected ?? []) router.rejectRead(r);
    await batchDone();
  }
  result.sha256 = source.sha256();
  result.bytes = source.bytesRead();
  result.notes.push(...source.warnings());
  notes.finish();
  result.rejections = router.rejectionReasons();
}

/** Ends each table's COPY and runs its merge; the per-table outcomes and the merged rows' counts go to the result. */
async function loadTables(result: ImportResult, targets: RoutedTarget[]): Promise<void> {
  const merged = await Promise.all(
    targets.map(async (t) => {
      await t.session.endInserts();
      return t.spool.lines > 0 ? t.session.merge(t.spool.path) : null;
    }),
  );
  result.tables = targets.map((t, ti): TableOutcome => {
    const m = merged[ti] ?? null;
    if (ti === 0 && m) {
      result.rows.inserted += m.inserted;
      result.rows.updated += m.updated;
      result.rows.older += m.older;
      // Rows merged into the same key (a record repeated in the file) count as unchanged.
      result.rows.unchanged += m.unchanged + (t.merged - m.keys);
    }
    return {
      table: t.def.spec.table,
      inserted: t.inserted + (m?.inserted ?? 0),
      updated: m?.updated ?? 0,
      unchanged: t.same + (m?.unchanged ?? 0),
      older: m?.older ?? 0,
    };
  });
}
