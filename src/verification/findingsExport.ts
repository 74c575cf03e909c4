/*
 * The findings export a verifier takes on a field visit: one row per finding with Indonesian headers, as csv or as an
 * xlsx with a summary sheet. Every text cell is neutralized against formula injection (OSS data and verifier notes
 * are untrusted).
 */
import ExcelJS from 'exceljs';
import { csvField, neutralizeFormula } from '../domain/cells.js';
import { ruleByCode } from '../rules/index.js';
import type { FindingFilter, FindingRow } from '../store/findings.js';
import { evidenceLines } from './evidence.js';
import { ENTITY_LABELS, SEVERITY_LABELS, STATUS_LABELS } from './summary.js';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '-');

const EXPORT_COLUMNS: ReadonlyArray<{ header: string; width: number; value: (f: FindingRow) => string | number }> = [
  { header: 'ID Temuan', width: 10, value: (f) => f.id },
  { header: 'Kode Aturan', width: 26, value: (f) => f.rule_code },
  { header: 'Aturan', width: 34, value: (f) => f.rule_title ?? ruleByCode(f.rule_code)?.title ?? '' },
  { header: 'Tingkat', width: 11, value: (f) => SEVERITY_LABELS[f.severity] ?? f.severity },
  { header: 'Status', width: 18, value: (f) => STATUS_LABELS[f.status] ?? f.status },
  { header: 'Jenis Entitas', width: 18, value: (f) => ENTITY_LABELS[f.entity_type] ?? f.entity_type },
  { header: 'ID Entitas', width: 26, value: (f) => f.entity_id },
  { header: 'Kode Wilayah', width: 13, value: (f) => f.kd_daerah ?? '' },
  { header: 'Kecamatan', width: 14, value: (f) => f.kecamatan ?? '' },
  { header: 'Pesan', width: 80, value: (f) => f.message },
  { header: 'Bukti', width: 60, value: (f) => evidenceLines(f.evidence, '').join('\n') },
  { header: 'Pertama Terlihat', width: 16, value: (f) => day(f.first_seen_at) },
  { header: 'Terakhir Terlihat', width: 16, value: (f) => day(f.last_seen_at) },
  { header: 'Diverifikasi Oleh', width: 18, value: (f) => f.verified_by ?? '' },
  { header: 'Catatan', width: 30, value: (f) => f.note ?? '' },
  { header: 'Catatan Lapangan', width: 30, value: () => '' },
];

/** The export's header row (Indonesian). */
export const EXPORT_HEADERS: readonly string[] = EXPORT_COLUMNS.map((c) => c.header);

/** The findings as csv text (CRLF lines, no BOM). */
export function findingsCsv(rows: readonly FindingRow[]): string {
  return [
    EXPORT_HEADERS.map((h) => csvField(h)).join(','),
    ...rows.map((f) => EXPORT_COLUMNS.map((c) => csvField(c.value(f))).join(',')),
  ].join('\r\n');
}

/** Writes the findings xlsx: the findings sheet and a summary per kecamatan and rule. */
export async function writeFindingsXlsx(
  rows: readonly FindingRow[],
  file: string,
  filter: FindingFilter,
): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'oss-sync';
  wb.created = new Date();
  const ws = wb.addWorksheet('Temuan', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, key: c.header, width: c.width }));
  for (const f of rows) ws.addRow(EXPORT_COLUMNS.map((c) => neutralizeFormula(c.value(f))));
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_COLUMNS.length } };
  for (const name of ['Pesan', 'Bukti', 'Catatan', 'Catatan Lapangan']) {
    ws.getColumn(EXPORT_HEADERS.indexOf(name) + 1).alignment = { wrapText: true, vertical: 'top' };
  }
  const summary = wb.addWorksheet('Ringkasan');
  summary.columns = [
    { header: 'Kecamatan', key: 'kecamatan', width: 18 },
    { header: 'Kode Aturan', key: 'rule', width: 30 },
    { header: 'Jumlah Temuan', key: 'n', width: 14 },
  ];
  const tally = new Map<string, number>();
  for (const f of rows) {
    const key = `${f.kecamatan ?? '(tanpa kecamatan)'}\u0000${f.rule_code}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  for (const [key, n] of [...tally].sort(([a], [b]) => a.localeCompare(b))) {
    const [kecamatan, rule] = key.split('\u0000');
    summary.addRow({ kecamatan: neutralizeFormula(kecamatan), rule, n });
  }
  summary.getRow(1).font = { bold: true };
  summary.addRow([]);
  summary.addRow([
    `Status: ${filter.statuses ? filter.statuses.map((s) => STATUS_LABELS[s] ?? s).join(', ') : 'semua'}`,
  ]);
  await wb.xlsx.writeFile(file);
}
