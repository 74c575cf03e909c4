/*
 * The partnership report as an xlsx workbook (exceljs): a cover sheet, then one sheet per table of the model (the
 * tables beside the charts, then each section's own tables), in the report's order. Row 1 is the bold, frozen header;
 * numbers are numbers with formats that Excel shows in the reader's locale (#,##0; Rp #,##0; 0.0%); a total row is
 * bold; the table's title and note follow under it. Every row of a table is here, also those the HTML leaves out.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ColumnKind, PartnershipReport, ReportTable } from './partnershipReport.js';

const FORMATS: Readonly<Record<ColumnKind, string | undefined>> = {
  text: undefined,
  count: '#,##0',
  rupiah: '"Rp "#,##0',
  volume: '#,##0.000',
  rate: '0.0%',
};

/** The tables of the report in order, each once. */
export function reportTables(report: PartnershipReport): ReportTable[] {
  const seen = new Set<string>();
  const out: ReportTable[] = [];
  for (const s of report.sections) {
    for (const t of [...s.charts.map((c) => c.table), ...s.tables]) {
      if (seen.has(t.key)) continue;
      seen.add(t.key);
      out.push(t);
    }
  }
  return out;
}

/** A sheet name Excel accepts, unique in the workbook. */
function sheetName(wanted: string, used: Set<string>): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Tabel';
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  used.add(name.toLowerCase());
  return name;
}

function addTable(wb: ExcelJS.stream.xlsx.WorkbookWriter, t: ReportTable, used: Set<string>): void {
  const ws = wb.addWorksheet(sheetName(t.sheet, used), {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = t.columns.map((c, i) => {
    const longest = Math.max(
      c.label.length,
      ...t.rows.slice(0, 500).map((r) => (typeof r[i] === 'string' ? (r[i] as string).length : 14)),
    );
    return {
      header: c.label,
      key: String(i),
      width: Math.min(60, Math.max(10, longest + 2)),
      ...(FORMATS[c.kind] ? { style: { numFmt: FORMATS[c.kind]! } } : {}),
    };
  });
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'top', wrapText: true };
  header.commit();
  for (const r of t.rows) ws.addRow(t.columns.map((_, i) => r[i] ?? null)).commit();
  if (t.total && t.rows.length) {
    const total = ws.addRow(t.columns.map((_, i) => t.total![i] ?? null));
    total.font = { bold: true };
    total.commit();
  }
  if (t.rows.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: t.columns.length } };
  ws.addRow([]).commit();
  const title = ws.addRow([t.title]);
  title.font = { italic: true };
  title.commit();
  if (t.note) ws.addRow([t.note]).commit();
  ws.commit();
}

/**
 * The workbook of the report, as the bytes of an .xlsx file. Written with exceljs' streaming writer (rows are
 * serialized as they are added): at 100,000 supplier rows it takes a third of the time of the in-memory workbook.
 */
export async function renderReportXlsx(report: PartnershipReport, generatedAt: Date): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  wb.creator = 'oss-sync';
  wb.created = generatedAt;
  const used = new Set<string>();
  const cover = wb.addWorksheet(sheetName('Sampul', used));
  cover.columns = [{ width: 22 }, { width: 80 }];
  const c = report.cover;
  const heading = cover.addRow([c.title]);
  heading.font = { bold: true, size: 14 };
  heading.commit();
  cover.addRow([c.office]).commit();
  cover.addRow([]).commit();
  const lines: Array<[string, string]> = [
    ['Wilayah', c.region],
    ['Periode', `${c.period} (${c.periodRange})`],
    ...(c.kecamatan ? [['Kecamatan', c.kecamatan] as [string, string]] : []),
    ['Dibuat', c.generatedAt],
    ['Data per', `sinkronisasi terakhir yang berhasil: ${c.dataAsOf}`],
    ['Ringkasan', report.summary],
  ];
  for (const [k, v] of lines) {
    const row = cover.addRow([k, v]);
    row.getCell(1).font = { bold: true };
    row.commit();
  }
  cover.commit();
  for (const t of reportTables(report)) addTable(wb, t, used);
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
