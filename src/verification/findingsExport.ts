/*
 * The field-visit sheet a verifier takes out: one row per finding with Indonesian headers, the businesses' names,
 * address, desa and coordinates, and empty columns for the visit, sorted by kecamatan and desa (route planning),
 * then severity. As csv (`;` by default: an Indonesian Excel reads `,` as the decimal mark) or as an xlsx that
 * prints A4 landscape with a summary sheet. Every text cell is neutralized against formula injection (OSS data and
 * verifier notes are untrusted).
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { csvField, neutralizeFormula } from '../domain/cells.js';
import { ruleByCode } from '../rules/index.js';
import type { FindingFilter, FindingRow, FindingVisitRow } from '../store/findings.js';
import { evidenceLines } from './evidence.js';
import { ENTITY_LABELS, SEVERITY_LABELS, STATUS_LABELS } from './summary.js';

/** A finding with where to visit it. */
export interface VisitFinding extends FindingRow {
  visit: FindingVisitRow | null;
  /** The desa/kelurahan name of visit.kd_desa, when known. */
  desa: string | null;
}

type Cell = string | number | Date | null;

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** The business names of a finding: UB and UMKM for a partnership, the business otherwise. */
function businessNames(f: VisitFinding): string {
  if (f.entity_type === 'kemitraan') {
    return [f.visit?.nama_ub && `UB: ${f.visit.nama_ub}`, f.visit?.nama_umkm && `UMKM: ${f.visit.nama_umkm}`]
      .filter(Boolean)
      .join('\n');
  }
  return f.visit?.nama_usaha ?? '';
}

const EXPORT_COLUMNS: ReadonlyArray<{ header: string; width: number; value: (f: VisitFinding) => Cell }> = [
  { header: 'Kecamatan', width: 14, value: (f) => f.kecamatan ?? '' },
  { header: 'Desa/Kelurahan', width: 18, value: (f) => f.desa ?? f.visit?.kd_desa ?? '' },
  { header: 'ID Temuan', width: 10, value: (f) => f.id },
  { header: 'Tingkat', width: 11, value: (f) => SEVERITY_LABELS[f.severity] ?? f.severity },
  { header: 'Kode Aturan', width: 24, value: (f) => f.rule_code },
  { header: 'Aturan', width: 30, value: (f) => f.rule_title ?? ruleByCode(f.rule_code)?.title ?? '' },
  { header: 'Status', width: 16, value: (f) => STATUS_LABELS[f.status] ?? f.status },
  { header: 'Jenis Entitas', width: 16, value: (f) => ENTITY_LABELS[f.entity_type] ?? f.entity_type },
  { header: 'ID Entitas', width: 22, value: (f) => f.entity_id },
  { header: 'Nama Usaha', width: 30, value: businessNames },
  { header: 'Alamat', width: 34, value: (f) => f.visit?.alamat ?? '' },
  { header: 'Kode Wilayah', width: 13, value: (f) => f.visit?.kd_desa ?? f.kd_daerah ?? '' },
  { header: 'Lintang', width: 11, value: (f) => f.visit?.lat ?? null },
  { header: 'Bujur', width: 11, value: (f) => f.visit?.lng ?? null },
  { header: 'Pesan', width: 60, value: (f) => f.message },
  { header: 'Bukti', width: 44, value: (f) => evidenceLines(f.evidence, '').join('\n') },
  { header: 'Pertama Terlihat', width: 14, value: (f) => f.first_seen_at },
  { header: 'Terakhir Terlihat', width: 14, value: (f) => f.last_seen_at },
  { header: 'Diverifikasi Oleh', width: 16, value: (f) => f.verified_by ?? '' },
  { header: 'Catatan', width: 26, value: (f) => f.note ?? '' },
  { header: 'Tanggal Kunjungan', width: 14, value: () => null },
  { header: 'Petugas', width: 18, value: () => null },
  { header: 'Hasil Kunjungan', width: 30, value: () => null },
];

/** The export's header row (Indonesian). */
export const EXPORT_HEADERS: readonly string[] = EXPORT_COLUMNS.map((c) => c.header);

const DATE_HEADERS = new Set(['Pertama Terlihat', 'Terakhir Terlihat', 'Tanggal Kunjungan']);
const WRAP_HEADERS = ['Nama Usaha', 'Alamat', 'Pesan', 'Bukti', 'Catatan', 'Hasil Kunjungan'];

/** Desa/kelurahan names by 10-digit code, from the region reference. */
export function loadDesaNames(): Readonly<Record<string, string>> {
  const file = new URL('../../config/reference/wilayah.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { desa?: Record<string, string> }).desa ?? {};
}

/** Route order: kecamatan, desa, then severity and rule. */
export function visitOrder(rows: readonly VisitFinding[]): VisitFinding[] {
  const key = (s: string | null) => s ?? '\uffff';
  return [...rows].sort(
    (a, b) =>
      key(a.kecamatan).localeCompare(key(b.kecamatan), 'id') ||
      key(a.desa ?? a.visit?.kd_desa ?? null).localeCompare(key(b.desa ?? b.visit?.kd_desa ?? null), 'id') ||
      (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
      a.rule_code.localeCompare(b.rule_code) ||
      a.id - b.id,
  );
}

/** A date as the WIB calendar day 'YYYY-MM-DD' (csv). */
const wibDay = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

/** The findings as csv text (CRLF lines, no BOM), in route order. */
export function findingsCsv(rows: readonly VisitFinding[], delimiter: ';' | ',' = ';'): string {
  const text = (v: Cell): string | number =>
    v === null
      ? ''
      : v instanceof Date
        ? wibDay(v)
        : typeof v === 'number' && delimiter === ';'
          ? String(v).replace('.', ',')
          : v;
  return [
    EXPORT_HEADERS.map((h) => csvField(h, delimiter)).join(delimiter),
    ...visitOrder(rows).map((f) => EXPORT_COLUMNS.map((c) => csvField(text(c.value(f)), delimiter)).join(delimiter)),
  ].join('\r\n');
}

/** Writes the findings xlsx: the visit sheet (A4 landscape, header repeated on every page) and a summary. */
export async function writeFindingsXlsx(
  rows: readonly VisitFinding[],
  file: string,
  filter: FindingFilter,
): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'oss-sync';
  wb.created = new Date();
  const ws = wb.addWorksheet('Temuan', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: 'Halaman &P dari &N' },
  });
  ws.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, key: c.header, width: c.width }));
  for (const f of visitOrder(rows)) {
    ws.addRow(
      EXPORT_COLUMNS.map((c) => {
        const v = c.value(f);
        // A WIB calendar day as a real date cell (midnight UTC of that day, so Excel shows the same day).
        return v instanceof Date ? new Date(`${wibDay(v)}T00:00:00Z`) : neutralizeFormula(v);
      }),
    );
  }
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_COLUMNS.length } };
  for (const name of WRAP_HEADERS) {
    ws.getColumn(EXPORT_HEADERS.indexOf(name) + 1).alignment = { wrapText: true, vertical: 'top' };
  }
  for (const name of DATE_HEADERS) ws.getColumn(EXPORT_HEADERS.indexOf(name) + 1).numFmt = 'dd/mm/yyyy';
  for (const name of ['Lintang', 'Bujur']) ws.getColumn(EXPORT_HEADERS.indexOf(name) + 1).numFmt = '0.000000';

  const summary = wb.addWorksheet('Ringkasan', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  summary.columns = [
    { header: 'Kode Aturan', key: 'rule', width: 30 },
    { header: 'Aturan', key: 'title', width: 50 },
    { header: 'Tingkat', key: 'severity', width: 12 },
    { header: 'Jumlah Temuan', key: 'n', width: 14 },
  ];
  const tally = new Map<string, { title: string; severity: string; n: number }>();
  for (const f of rows) {
    const t = tally.get(f.rule_code) ?? {
      title: f.rule_title ?? ruleByCode(f.rule_code)?.title ?? '',
      severity: SEVERITY_LABELS[f.severity] ?? f.severity,
      n: 0,
    };
    t.n += 1;
    tally.set(f.rule_code, t);
  }
  for (const [rule, t] of [...tally].sort(([a], [b]) => a.localeCompare(b))) {
    summary.addRow({ rule, title: neutralizeFormula(t.title), severity: t.severity, n: t.n });
  }
  summary.addRow({ rule: 'Jumlah', n: rows.length }).font = { bold: true };
  summary.getRow(1).font = { bold: true };
  summary.addRow([]);
  summary.addRow([
    `Status: ${filter.statuses ? filter.statuses.map((s) => STATUS_LABELS[s] ?? s).join(', ') : 'semua'}`,
  ]);
  await wb.xlsx.writeFile(file);
}
