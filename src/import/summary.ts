/** The import summary a person reads (terminal and the drop folder's `<file>.report.txt`). */
import { fmt, table } from '../domain/format.js';
import { renderFindingsSummary } from '../verification/summary.js';
import type { ImportResult } from './result.js';

const ORDER_TEXT = { dmy: 'day-first (d/m/Y)', mdy: 'month-first (m/d/Y)' } as const;

export function renderImportSummary(r: ImportResult): string {
  const seconds = (r.durationMs / 1000).toFixed(1);
  if (r.refused) {
    return [`Import of ${r.file}: REFUSED (nothing was written)`, `  ${r.error ?? ''}`].join('\n');
  }
  const out: string[] = [];
  out.push(
    `Import run ${r.runId ?? '-'}: ${r.status.toUpperCase()} in ${seconds} s: ${r.file}`,
    `  ${r.exportType ?? 'unknown export'} (${r.format}${r.sheet ? `, sheet "${r.sheet}"` : ''}), snapshot ${r.snapshotDate ?? '-'} (from the ${r.snapshotFrom ?? '-'})`,
  );
  if (r.sha256) {
    out.push(
      `  sha256 ${r.sha256}, ${fmt(r.bytes)} bytes` +
        (r.earlierImports.length ? `; the same file was imported before by run ${r.earlierImports.join(', ')}` : ''),
    );
  }
  if (r.error) out.push(`  ! ${r.error}`);
  const rows = r.rows;
  out.push(
    `  rows: ${fmt(rows.read)} read, ${fmt(rows.inserted)} new, ${fmt(rows.updated)} changed, ${fmt(rows.unchanged)} unchanged, ` +
      `${fmt(rows.older)} older than stored (kept), ${fmt(rows.rejected)} rejected` +
      (rows.duplicates ? `; ${fmt(rows.duplicates)} rows repeat a record read earlier in the file` : '') +
      (rows.blank ? `; ${fmt(rows.blank)} empty rows skipped` : ''),
  );
  if (rows.rejected) {
    const n = rows.rejected === 1 ? '1 row' : `${fmt(rows.rejected)} rows`;
    out.push(`  ! ${n} rejected: none of their values was stored (see "Rejected rows" below)`);
  }
  if (r.tables.length) {
    out.push(
      '',
      table(
        ['table', 'new', 'changed', 'unchanged', 'older (kept)'],
        r.tables.map((t) => [t.table, t.inserted, t.updated, t.unchanged, t.older]),
      ),
    );
  }
  if (r.rejections.length) {
    out.push(
      '',
      `Rejected rows: ${fmt(rows.rejected)} (in quarantine with file, sheet, row and column; ${fmt(r.quarantined)} new entries). Top reasons:`,
      table(
        ['column', 'expected', 'rows', 'examples (row: value)'],
        r.rejections
          .slice(0, 8)
          .map((x) => [x.column, x.expected, x.rows, x.examples.map((e) => `${e.row}: "${e.got}"`).join(', ')]),
      ),
    );
  }
  if (r.unknownDescriptions.length) {
    out.push(
      '',
      'Descriptions not in the OSS code tables (stored as written, not guessed):',
      table(
        ['column', 'value', 'rows', 'first row'],
        r.unknownDescriptions.slice(0, 10).map((u) => [u.column, u.value, u.rows, u.firstRow]),
      ),
    );
  }
  if (r.unresolvedRegions.length) {
    out.push(
      '',
      'Region names without a Kemendagri code in the reference data (code left empty):',
      table(
        ['column', 'name', 'why', 'rows', 'first row'],
        r.unresolvedRegions
          .slice(0, 10)
          .map((u) => [
            u.column,
            u.name,
            u.reason === 'outside' ? 'area not in reference' : 'unknown name',
            u.rows,
            u.firstRow,
          ]),
      ),
    );
  }
  if (r.dateColumns.length) {
    out.push(
      '',
      `Date columns: ${r.dateColumns
        .map(
          (d) =>
            `"${d.column}" ${ORDER_TEXT[d.order]} ${d.by === 'values' ? `(${fmt(d.dayFirstOnly)} values only day-first, ${fmt(d.monthFirstOnly)} only month-first)` : '(by the export’s convention: every sampled value fits both)'}`,
        )
        .join('; ')}`,
    );
  }
  if (r.findings && 'error' in r.findings) out.push('', `Findings not evaluated: ${r.findings.error}`);
  else if (r.findings) out.push('', ...renderFindingsSummary(r.findings.counts, { guard: r.findings.guard }));
  if (r.nibsQueued) out.push(`NIBs first seen here, queued for inqueryNIB: ${fmt(r.nibsQueued)}`);
  for (const n of r.notes) out.push(`  - ${n}`);
  return out.join('\n');
}
