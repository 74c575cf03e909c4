/*
 * The partnership report as ONE self-contained HTML file: inline CSS, inline SVG charts, no script, no link to
 * anything outside the file, Indonesian, id-ID numbers. Printable as is: A4 with @page margins, the cover on its own
 * page, every section from a new page, charts and table rows never cut in two. The PDF (pdf.ts) is Chromium's print of
 * this file. Pure: model in, string out; every text is escaped here (chart SVG comes escaped from its renderer).
 */
import { fmtDecimal, fmtId, fmtRupiah } from '../domain/format.js';
import type {
  PartnershipReport,
  ReportCell,
  ReportChart,
  ReportColumn,
  ReportSection,
  ReportTable,
  ReportTile,
} from './partnershipReport.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an element body or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const e = escapeHtml;

/** A cell as people read it: 1.234, Rp 1.234.567, 12,5, 45,2%; '-' for none. */
export function formatCell(value: ReportCell, column: ReportColumn): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  switch (column.kind) {
    case 'count':
      return fmtId(value);
    case 'rupiah':
      return fmtRupiah(value);
    case 'volume':
      return fmtDecimal(value, 3);
    case 'rate':
      return `${fmtDecimal(value * 100, 1)}%`;
    default:
      return String(value);
  }
}

const numeric = (c: ReportColumn) => c.kind !== 'text';

function tableHtml(t: ReportTable, opts: { caption: boolean }): string {
  const shown = t.htmlLimit !== undefined ? t.rows.slice(0, t.htmlLimit) : t.rows;
  const head = t.columns.map((c) => `<th scope="col"${numeric(c) ? ' class="num"' : ''}>${e(c.label)}</th>`).join('');
  const row = (cells: readonly ReportCell[], tag = 'td') =>
    `<tr>${t.columns
      .map((c, i) => {
        const v = formatCell(cells[i] ?? null, c);
        const cls = numeric(c) ? ' class="num"' : '';
        return i === 0 && tag === 'td' ? `<th scope="row"${cls}>${e(v)}</th>` : `<${tag}${cls}>${e(v)}</${tag}>`;
      })
      .join('')}</tr>`;
  const body = shown.length
    ? shown.map((r) => row(r)).join('\n')
    : `<tr><td colspan="${t.columns.length}" class="empty">Tidak ada data untuk periode ini.</td></tr>`;
  const foot = t.total && t.rows.length ? `<tfoot>${row(t.total, 'td')}</tfoot>` : '';
  const more =
    t.rows.length > shown.length
      ? `<p class="more">Ditampilkan ${fmtId(shown.length)} dari ${fmtId(t.rows.length)} baris; semua baris ada di versi xlsx (lembar “${e(t.sheet)}”).</p>`
      : '';
  const note = t.note ? `<p class="note">${e(t.note)}</p>` : '';
  const wide = t.columns.length > 5 ? ' wide' : '';
  return `<div class="table${wide}">
<table>${opts.caption ? `<caption>${e(t.title)}</caption>` : ''}
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>${foot}
</table>${more}${note}</div>`;
}

function chartHtml(c: ReportChart): string {
  const full = c.layout === 'full' ? ' full' : '';
  const stacked = full || c.table.columns.length > 4 || c.table.rows.length > 14 ? ' stacked' : '';
  return `<figure class="chart${stacked}${full}">
<figcaption>${e(c.title)}</figcaption>
<div class="pair"><div class="svg">${c.svg}</div>
<div class="numbers">${tableHtml(c.table, { caption: false })}</div></div>
</figure>`;
}

function tileHtml(t: ReportTile): string {
  return `<div class="tile"><div class="tile-label">${e(t.label)}</div>
<div class="tile-count">${e(fmtId(t.count))}</div>
<div class="tile-value">${e(fmtRupiah(t.value))}</div>${
    t.extra ? `<div class="tile-extra">${e(t.extra.label)}: ${e(fmtRupiah(t.extra.value))}</div>` : ''
  }</div>`;
}

function sectionHtml(s: ReportSection, n: number): string {
  const tiles = s.tiles.length ? `<div class="tiles">${s.tiles.map(tileHtml).join('\n')}</div>` : '';
  const notes = s.notes.length
    ? `<div class="notes"><h3>Cara menghitung</h3><ul>${s.notes.map((x) => `<li>${e(x)}</li>`).join('')}</ul></div>`
    : '';
  const tables = s.tables
    .map((t) => `<section class="block"><h3>${e(t.title)}</h3>${tableHtml(t, { caption: false })}</section>`)
    .join('\n');
  return `<section class="section" id="${e(s.key)}">
<h2><span class="no">${n}.</span> ${e(s.title)}</h2>
<p class="intro">${e(s.intro)}</p>
${tiles}
${s.charts.map(chartHtml).join('\n')}
${tables}
${notes}
</section>`;
}

const CSS = `
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
html { color: #1b1f24; background: #ffffff; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.4; }
body { margin: 0 auto; max-width: 190mm; padding: 0 2mm; }
h1, h2, h3 { line-height: 1.2; margin: 0; }
h2 { font-size: 16pt; margin: 0 0 3mm; padding-bottom: 2mm; border-bottom: 2px solid #0b5394; color: #0b5394; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; }
.no { color: #4a5560; }
.cover { min-height: 250mm; display: flex; flex-direction: column; justify-content: space-between; padding: 20mm 0 10mm; }
.cover .office { font-size: 12pt; font-weight: bold; letter-spacing: 0.02em; color: #0b5394; text-transform: uppercase; }
.cover h1 { font-size: 26pt; margin: 14mm 0 6mm; }
.cover .period { font-size: 16pt; margin-bottom: 2mm; }
.cover .range, .cover .filter { font-size: 12pt; color: #4a5560; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 1.5mm 6mm; font-size: 10pt; margin: 0; }
.cover dt { color: #4a5560; }
.cover dd { margin: 0; }
.toc { margin-top: 10mm; }
.cover-tiles { margin: 12mm 0 0; }
.toc ol { margin: 2mm 0 0 5mm; padding: 0; }
.section { break-before: page; page-break-before: always; }
.intro { margin: 0 0 4mm; color: #33404d; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin-bottom: 5mm; }
.tile { border: 1px solid #d0d7de; border-left: 4px solid #0b5394; border-radius: 2mm; padding: 2.5mm 3mm; break-inside: avoid; }
.tile-label { font-size: 8.5pt; color: #4a5560; min-height: 2.4em; }
.tile-count { font-size: 18pt; font-weight: bold; }
.tile-value { font-size: 9pt; }
.tile-extra { font-size: 8pt; color: #1a7f37; margin-top: 1mm; }
figure { margin: 0 0 6mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: bold; font-size: 11pt; margin-bottom: 2mm; break-after: avoid; page-break-after: avoid; }
.pair { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 4mm; align-items: start; }
.stacked .pair { grid-template-columns: minmax(0, 1fr); }
.stacked .svg { max-width: 150mm; }
.full .svg { max-width: none; }
.full { break-inside: auto; page-break-inside: auto; }
.full .svg { break-inside: avoid; page-break-inside: avoid; margin-bottom: 3mm; }
.wide tbody th:first-child, .wide thead th:first-child { min-width: 32mm; }
.svg svg { width: 100%; height: auto; display: block; }
.block { break-inside: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
.wide table { font-size: 7.5pt; }
thead { display: table-header-group; }
tfoot { display: table-row-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: 1mm 1.5mm; border-bottom: 1px solid #e3e8ee; }
thead th { border-bottom: 1.5px solid #1b1f24; font-weight: bold; background: #f3f6f9; }
tbody th { font-weight: normal; }
tfoot th, tfoot td { font-weight: bold; border-top: 1.5px solid #1b1f24; }
.num { text-align: right; white-space: nowrap; }
.empty { color: #4a5560; font-style: italic; }
.note, .more { font-size: 7.5pt; color: #4a5560; margin: 1mm 0 0; }
.notes { font-size: 8pt; color: #33404d; break-inside: avoid; }
.notes ul { margin: 0; padding-left: 5mm; }
@media screen { body { padding: 8mm 4mm; } .section { margin-top: 12mm; } }
`;

/** The report as one HTML document. */
export function renderReportHtml(report: PartnershipReport): string {
  const c = report.cover;
  const toc = report.sections.map((s) => `<li>${e(s.title)}</li>`).join('');
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${c.title} – ${c.region} – ${c.period}`)}</title>
<style>${CSS}</style>
</head>
<body>
<section class="cover">
<div>
<div class="office">${e(c.office)}</div>
<h1>${e(c.title)}</h1>
<div class="period">${e(c.period)}</div>
<div class="range">${e(c.periodRange)}</div>
${c.kecamatan ? `<div class="filter">${e(c.kecamatan)}</div>` : ''}
${c.highlights.length ? `<div class="tiles cover-tiles">${c.highlights.map(tileHtml).join('\n')}</div>` : ''}
<nav class="toc"><strong>Isi laporan</strong><ol>${toc}</ol></nav>
</div>
<dl>
<dt>Wilayah</dt><dd>${e(c.region)}${c.kecamatan ? ` · ${e(c.kecamatan)}` : ''}</dd>
<dt>Periode</dt><dd>${e(c.period)} (${e(c.periodRange)})</dd>
<dt>Dibuat</dt><dd>${e(c.generatedAt)}</dd>
<dt>Data per</dt><dd>sinkronisasi terakhir yang berhasil: ${e(c.dataAsOf)}</dd>
<dt>Sumber</dt><dd>Data OSS RBA yang disinkronkan oss-sync (skema analytics)</dd>
</dl>
</section>
${report.sections.map((s, i) => sectionHtml(s, i + 1)).join('\n')}
</body>
</html>
`;
}
