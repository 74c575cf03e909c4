/*
 * `oss-sync import FILE… [--snapshot YYYY-MM-DD] [--by NAME] [--reason TEXT] [--json]`: loads OSS dashboard exports (xlsx or
 * csv), each file as its own run. Exit 0 when every file was imported with no row rejected, 3 when some files were
 * not imported or some rows were rejected (they are in quarantine), 1 when no file was imported, 4 when a sync holds
 * the run lock.
 */
import { fmt } from '../domain/format.js';
import { type ImportResult, importExportFile, renderImportSummary } from '../import/index.js';
import { isCalendarDate } from '../normalize/index.js';
import type { Runtime } from '../runtime.js';
import type { Invocation } from './program.js';
import { EXIT } from './sync.js';
import { currentUser, optionalString, UsageError } from './usage.js';

export async function importCommand(rt: Runtime, inv: Invocation): Promise<number> {
  const values = inv.opts as { snapshot?: string; by?: string; reason?: string; json?: boolean };
  const positionals = inv.args;
  const snapshot = optionalString(values.snapshot);
  if (snapshot !== null) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(snapshot);
    if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
      throw new UsageError(`--snapshot must be a date YYYY-MM-DD, got "${snapshot}"`);
    }
  }
  const tty = Boolean(process.stderr.isTTY) && !values.json;
  const requestedBy = optionalString(values.by) ?? (await currentUser());
  const results: ImportResult[] = [];
  for (const file of positionals) {
    let lastDraw = 0;
    const result = await importExportFile(rt.importDeps(), file, {
      requestedBy,
      reason: optionalString(values.reason),
      ...(snapshot ? { snapshotDate: snapshot } : {}),
      onProgress: (p) => {
        if (!tty || Date.now() - lastDraw < 250) return;
        lastDraw = Date.now();
        const pct = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytesRead / p.totalBytes) * 100)) : 0;
        process.stderr.write(`\r  ${p.file}: ${fmt(p.rowsRead)} rows read (${pct}%)   `);
      },
    }).finally(() => {
      if (tty) process.stderr.write('\r\x1b[K');
    });
    results.push(result);
    if (!values.json) process.stdout.write(`${renderImportSummary(result)}\n\n`);
  }
  const succeeded = results.filter((r) => r.status === 'succeeded').length;
  if (values.json) {
    const read = results.reduce((s, r) => s + r.rows.read, 0);
    process.stdout.write(
      `${JSON.stringify({ files: results.length, imported: succeeded, rowsRead: read, results }, null, 2)}\n`,
    );
  } else if (results.length > 1) {
    const read = results.reduce((s, r) => s + r.rows.read, 0);
    process.stdout.write(`${succeeded} of ${results.length} files imported; ${fmt(read)} rows read.\n`);
  }
  if (succeeded === 0) return EXIT.failed;
  const complete = succeeded === results.length && results.every((r) => r.rows.rejected === 0);
  return complete ? EXIT.succeeded : EXIT.partial;
}
