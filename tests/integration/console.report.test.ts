/*
 * Laporan over HTTP, as a browser without JavaScript reads it, on the sandbox world synced by the real CLI and served
 * by a real `serve`: the page shows the figures of the report model (buildReport) for the period and kecamatan asked
 * for, in the console's layout, with every chart beside or above its table; the downloads are the report's files
 * (the HTML byte for byte as generateReport makes it, but for the generation time; the xlsx with the report's sheets;
 * the PDF from Chromium) under the CLI's file names; a bad period or kecamatan is refused with an Indonesian message
 * (400), and a PDF without Chromium with a page that says so (503), never a 500.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { localDateTime } from '../../src/domain/wib.js';
import { createLogger } from '../../src/logger.js';
import { buildReport, generateReport, type ReportRuntime } from '../../src/report/generate.js';
import {
  lastCompleteQuarter,
  type PartnershipReport,
  type ReportCell,
  type ReportColumn,
  type ReportPeriod,
  type ReportTable,
  rangePeriod,
} from '../../src/report/partnershipReport.js';
import { renderReportXlsx, reportTables } from '../../src/report/xlsx.js';
import { type ConsoleWorld, startConsoleWorld } from '../helpers/browser.js';
import { ConsoleClient, signIn, textOf } from '../helpers/consoleClient.js';
import type { ServeProcess } from '../helpers/serveEntry.js';

/** The flash messages of a page. */
const flashes = (html: string) =>
  [...html.matchAll(/<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/g)].map((m) => textOf(m[1]!));

/** The element with `id` (a section, a chart block, a table block) up to its closing tag of the same name. */
function block(html: string, id: string): string {
  const at = html.indexOf(` id="${id}"`);
  expect(at, `an element with id "${id}"`).toBeGreaterThan(-1);
  const start = html.lastIndexOf('<', at);
  const tag = /^<(\w+)/.exec(html.slice(start))![1]!;
  // Blocks of the same tag may nest (a section holds divs): count them.
  const re = new RegExp(`<${tag}\\b|</${tag}>`, 'g');
  re.lastIndex = start;
  let depth = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index + m[0].length);
  }
  throw new Error(`element ${id} is not closed`);
}

/** The body rows of the first table of `html`, as cell texts. */
function tableRows(html: string): string[][] {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]!)),
  );
}

/** The tiles of a section by label: the big figure and the lines under it (the exact Rupiah in their title). */
function tilesOf(html: string): Map<string, { value: string; hints: string[]; exact: string[] }> {
  const out = new Map<string, { value: string; hints: string[]; exact: string[] }>();
  for (const part of html.split('<div class="tile">').slice(1)) {
    const value = textOf(/<div class="value">([\s\S]*?)<\/div>/.exec(part)![1]!);
    const label = textOf(/<div class="label">([\s\S]*?)<\/div>/.exec(part)![1]!);
    const hints = [...part.matchAll(/<div class="hint">([\s\S]*?)<\/div>/g)].map((m) => textOf(m[1]!));
    const exact = [...part.matchAll(/title="([^"]*)"/g)].map((m) => m[1]!);
    out.set(label, { value, hints, exact });
  }
  return out;
}

const id = (n: number, digits = 0) => n.toLocaleString('id-ID', { maximumFractionDigits: digits });

/** A model cell as a person reads it on the page, formatted here with Intl (not with the page's own helpers). */
function shown(cell: ReportCell, column: ReportColumn): string {
  if (cell === null) return '-';
  if (typeof cell === 'string') return cell;
  switch (column.kind) {
    case 'count':
      return id(cell);
    case 'rupiah':
      return `Rp ${id(cell)}`;
    case 'volume':
      return id(cell, 3);
    case 'rate':
      return `${id(cell * 100, 1)}%`;
    default:
      return String(cell);
  }
}

/** The rows a table of the model shows on the page: at most its htmlLimit, then its total. */
function expectedRows(t: ReportTable): string[][] {
  const rows = (t.htmlLimit === undefined ? t.rows : t.rows.slice(0, t.htmlLimit)).map((r) =>
    t.columns.map((c, i) => shown(r[i] ?? null, c)),
  );
  if (t.total && t.rows.length) rows.push(t.columns.map((c, i) => shown(t.total![i] ?? null, c)));
  return rows;
}

function tableOf(report: PartnershipReport, key: string): ReportTable {
  const t = reportTables(report).find((x) => x.key === key);
  if (!t) throw new Error(`the model has no table ${key}`);
  return t;
}

/** The report's HTML with its generation time ("Dibuat") blanked. */
const withoutGenerationTime = (html: string) =>
  html.replace(/<dt>Dibuat<\/dt><dd>[^<]*<\/dd>/, '<dt>Dibuat</dt><dd>…</dd>');

let world: ConsoleWorld;
let budi: ConsoleClient;
let rt: ReportRuntime;
let config: Config;
let period: ReportPeriod;
let report: PartnershipReport;
let page: string;

beforeAll(async () => {
  world = await startConsoleWorld('laporan');
  budi = await signIn(world.url, 'budi', world.users.budi.password);
  config = loadConfig(world.env);
  rt = { db: world.db, config, log: createLogger('silent'), now: () => new Date() };
  period = lastCompleteQuarter(localDateTime(new Date(), config.sync.timezone).slice(0, 10));
  report = await buildReport(rt, { period, kecamatan: null });
  const res = await budi.request(`/laporan?periode=${period.key}`);
  expect(res.status).toBe(200);
  page = res.html;
}, 180_000);

afterAll(async () => {
  await world?.stop();
});

describe('the Laporan page', () => {
  it('is a console page: the layout, Laporan current in the menu, one h1, and the report asked for', () => {
    expect(page).toContain('<a href="/laporan" aria-current="page">Laporan</a>');
    expect(page.match(/<h1>/g)).toHaveLength(1);
    expect(page).toContain('<h1>Laporan kemitraan</h1>');
    expect(page).not.toMatch(/<iframe/i);
    const summary = textOf(block(page, 'ringkasan'));
    expect(summary).toContain(`Periode ${period.label} (${report.cover.periodRange})`);
    expect(summary).toContain(`Wilayah ${report.cover.region}`);
    expect(summary).toContain(`Data per sinkronisasi terakhir yang berhasil: ${report.cover.dataAsOf}`);
    expect(summary).toContain(`${report.summary}.`);
    // Every section of the report, numbered under its title.
    for (const [i, s] of report.sections.entries()) {
      expect(textOf(block(page, `bagian-${s.key}`))).toContain(`${i + 1}. ${s.title}`);
    }
  });

  it('by default shows the last complete quarter (as `oss-sync report` does), and says that building takes seconds', async () => {
    const res = await budi.request('/laporan');
    expect(res.status).toBe(200);
    expect(res.html).toMatch(new RegExp(`<option value="${period.key}" selected>${period.label}</option>`));
    expect(textOf(res.html)).toContain(`Periode ${period.label}`);
    expect(textOf(res.html)).toContain('sekitar 5 detik untuk 100.000 kemitraan');
  });

  it('shows the tiles of "Berapa yang riil" as the model counts them: count, agreed value, realised value', () => {
    const tiles = tilesOf(block(page, 'bagian-riil'));
    const model = report.sections[0]!.tiles;
    expect([...tiles.keys()]).toEqual(model.map((t) => t.label));
    for (const t of model) {
      const got = tiles.get(t.label)!;
      expect(got.value).toBe(id(t.count));
      expect(got.exact[0]).toBe(`Rp ${id(t.value)}`);
      if (t.extra) {
        expect(got.hints[1]).toMatch(new RegExp(`^${t.extra.label}: Rp `));
        expect(got.exact[1]).toBe(`Rp ${id(t.extra.value)}`);
      }
    }
    expect(model.find((t) => t.key === 'registered')!.count).toBeGreaterThan(0);
  });

  it.each(['status', 'pola', 'kecamatan', 'sektor-ub', 'komoditas', 'temuan'])(
    'shows the table "%s" with the figures of the model, id-ID',
    (key) => {
      const t = tableOf(report, key);
      const where = report.sections.some((s) => s.charts.some((c) => c.table.key === key))
        ? `grafik-${report.sections.flatMap((s) => s.charts).find((c) => c.table.key === key)!.key}`
        : `tabel-${key}`;
      expect(tableRows(block(page, where))).toEqual(expectedRows(t));
    },
  );

  it('draws every chart of the report as its SVG, with its table in the same block', () => {
    const charts = report.sections.flatMap((s) => s.charts);
    expect(page.match(/<svg role="img"/g)).toHaveLength(charts.length);
    for (const c of charts) {
      const b = block(page, `grafik-${c.key}`);
      expect(b).toContain(`<h3>${c.title.replace(/&/g, '&amp;')}</h3>`);
      const label = /<svg role="img" aria-label="([^"]*)"/.exec(b)?.[1];
      expect(label).toBe(/<svg role="img" aria-label="([^"]*)"/.exec(c.svg)?.[1]);
      expect(b).toMatch(c.table.rows.length ? /<table class="data/ : /Tidak ada data untuk periode ini/);
    }
  });

  it("lists the long tables up to the report's limit and sends the reader to the xlsx for the rest", () => {
    const t = tableOf(report, 'pemasok');
    const b = block(page, 'tabel-pemasok');
    expect(tableRows(b)).toEqual(expectedRows(t));
    if (t.rows.length > (t.htmlLimit ?? Infinity)) {
      expect(textOf(b)).toContain(`semua baris ada di berkas xlsx (lembar “${t.sheet}”)`);
    }
    // Individual partners only with the masked NIK.
    for (const r of tableRows(b)) if (r[3]!.startsWith('NIK ')) expect(r[3]).toMatch(/^NIK \d{4}\*{8}\d{4}$/);
  });

  it('for one kecamatan: the same figures as the model of that kecamatan', async () => {
    const lasem = { code: '331714', name: 'Lasem' };
    const res = await budi.request(`/laporan?periode=${period.key}&kecamatan=${lasem.code}`);
    expect(res.status).toBe(200);
    const model = await buildReport(rt, { period, kecamatan: lasem.code });
    expect(textOf(res.html)).toContain(`Wilayah ${model.cover.region} · Kecamatan ${lasem.name}`);
    const tiles = tilesOf(block(res.html, 'bagian-riil'));
    for (const t of model.sections[0]!.tiles) expect(tiles.get(t.label)!.value).toBe(id(t.count));
    expect(tableRows(block(res.html, 'grafik-pola'))).toEqual(expectedRows(tableOf(model, 'pola')));
    expect(res.html).toMatch(/<option value="331714" selected>Lasem<\/option>/);
    expect(res.html).toContain(`/laporan/unduh?format=pdf&amp;periode=${period.key}&amp;kecamatan=331714`);
  });

  it('for a range of days: the figures of that range, and downloads of the same range', async () => {
    const half = rangePeriod(`${period.from.slice(0, 4)}-01-01`, period.to);
    const res = await budi.request(`/laporan?periode=rentang&dari=${half.from}&sampai=${half.to}`);
    expect(res.status).toBe(200);
    const model = await buildReport(rt, { period: half, kecamatan: null });
    expect(textOf(res.html)).toContain(`Periode ${model.cover.period}`);
    expect(res.html).toMatch(/<option value="rentang" selected>/);
    expect(res.html).toContain(`value="${half.from}"`);
    const tiles = tilesOf(block(res.html, 'bagian-riil'));
    for (const t of model.sections[0]!.tiles) expect(tiles.get(t.label)!.value).toBe(id(t.count));
    expect(res.html).toContain(`/laporan/unduh?format=xlsx&amp;dari=${half.from}&amp;sampai=${half.to}`);
  });

  it('a quarter chosen with dates still in the form: the quarter, and a note that the dates were left out', async () => {
    const res = await budi.request(`/laporan?periode=${period.key}&dari=2026-01-01&sampai=2026-02-01`);
    expect(res.status).toBe(200);
    expect(textOf(res.html)).toContain(`Periode ${period.label}`);
    expect(flashes(res.html).join(' ')).toContain('Rentang tanggal diabaikan karena triwulan dipilih');
  });

  it.each([
    ['periode=2026-Q5', 'Periode "2026-Q5" bukan triwulan: tulis TAHUN-Qn, mis. 2026-Q3.'],
    ['periode=kemarin', 'Periode "kemarin" bukan triwulan'],
    ['periode=rentang', 'Untuk rentang tanggal, isi tanggal dari dan tanggal sampai'],
    ['dari=2026-07-01', 'Tanggal dari dan tanggal sampai harus diberikan bersama (YYYY-MM-DD).'],
    [
      'periode=rentang&dari=2026-02-30&sampai=2026-03-31',
      'Tanggal dari "2026-02-30" bukan tanggal YYYY-MM-DD yang sah.',
    ],
    ['dari=2026-09-01&sampai=2026-07-01', 'Tanggal dari 2026-09-01 sesudah tanggal sampai 2026-07-01.'],
    ['dari=0202-01-01&sampai=2026-06-30', 'di luar jangkauan laporan: pilih periode antara tahun 2000 dan 2100'],
    ['kecamatan=331799', 'Tidak ada kecamatan “331799” di wilayah ini'],
    ['kecamatan=%3Cscript%3E', 'Tidak ada kecamatan “<script>” di wilayah ini'],
  ])('?%s is refused with 400 and an Indonesian message, the form kept', async (query, message) => {
    for (const path of ['/laporan', '/laporan/unduh']) {
      const res = await budi.request(`${path}?${query}`);
      expect(res.status, path).toBe(400);
      expect(flashes(res.html).join(' '), path).toContain(message);
      expect(res.html).toContain('<form class="filters" method="get" action="/laporan">');
      expect(res.html).not.toContain('id="bagian-riil"');
      expect(res.html).not.toContain('<script>');
    }
  });

  it('refuses an unknown format with 400', async () => {
    const res = await budi.request(`/laporan/unduh?format=docx&periode=${period.key}`);
    expect(res.status).toBe(400);
    expect(flashes(res.html).join(' ')).toContain('Format “docx” tidak dikenal: pilihan html, pdf, xlsx.');
  });

  it('sends a visitor who is not signed in to the login page', async () => {
    for (const path of ['/laporan', `/laporan/unduh?format=xlsx&periode=${period.key}`]) {
      const res = await new ConsoleClient(world.url).request(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/masuk?next=${encodeURIComponent(path)}`);
    }
  });
});

describe('the downloads', () => {
  it("HTML: the bytes of generateReport (but for the generation time), under the CLI's file name", async () => {
    const res = await budi.request(`/laporan/unduh?format=html&periode=${period.key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="laporan-kemitraan-${config.oss.kdDaerah}-${period.key}.html"`,
    );
    const want = await generateReport(rt, { period, kecamatan: null, format: 'html' });
    expect(res.bytes.toString('utf8')).toMatch(/<dt>Dibuat<\/dt><dd>\d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB<\/dd>/);
    expect(withoutGenerationTime(res.bytes.toString('utf8'))).toBe(withoutGenerationTime(want.bytes.toString('utf8')));
  });

  it("xlsx: opens in exceljs with the report's sheets and figures, named with the kecamatan", async () => {
    const res = await budi.request(`/laporan/unduh?format=xlsx&periode=${period.key}&kecamatan=331714`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="laporan-kemitraan-${config.oss.kdDaerah}-${period.key}-331714.xlsx"`,
    );
    const model = await buildReport(rt, { period, kecamatan: '331714' });
    const expected = new ExcelJS.Workbook();
    await expected.xlsx.load((await renderReportXlsx(model, new Date())) as unknown as ArrayBuffer);
    const got = new ExcelJS.Workbook();
    await got.xlsx.load(res.bytes as unknown as ArrayBuffer);
    const names = got.worksheets.map((w) => w.name);
    expect(names).toEqual(expected.worksheets.map((w) => w.name));
    expect(names.length).toBe(reportTables(model).length + 1);
    expect(got.getWorksheet('Sampul')!.getCell('B6').value).toBe('Kecamatan Lasem');
    // The first sheet of figures: the tiles' counts and values, as numbers.
    const real = got.getWorksheet('Riil')!;
    const tiles = model.sections[0]!.tiles;
    for (const [i, t] of tiles.entries()) {
      expect(real.getRow(i + 2).values).toEqual([undefined, t.label, t.count, t.value]);
    }
  });

  it("PDF: printed by Chromium, A4, under the CLI's file name", async () => {
    const res = await budi.request(`/laporan/unduh?format=pdf&periode=${period.key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="laporan-kemitraan-${config.oss.kdDaerah}-${period.key}.pdf"`,
    );
    expect(res.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  describe('on a server without Chromium', () => {
    let bare: ServeProcess;
    beforeAll(async () => {
      bare = await world.serve({ CHROMIUM_PATH: '/nonexistent/chromium' });
    });
    afterAll(async () => {
      await bare?.stop();
    });

    it('a PDF is answered with a page that says why and offers the HTML and the xlsx (503, not 500)', async () => {
      const c = await signIn(bare.url, 'budi', world.users.budi.password);
      const res = await c.request(`/laporan/unduh?format=pdf&periode=${period.key}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const text = textOf(res.html);
      expect(text).toContain('PDF tidak dapat dibuat');
      expect(text).toMatch(/Chromium tidak terpasang di server ini \( ?\/nonexistent\/chromium tidak ada\)/);
      expect(res.html).toContain(`/laporan/unduh?format=html&amp;periode=${period.key}`);
      expect(res.html).toContain(`/laporan/unduh?format=xlsx&amp;periode=${period.key}`);
      // The other formats still come.
      const html = await c.request(`/laporan/unduh?format=html&periode=${period.key}`);
      expect(html.status).toBe(200);
    });
  });
});
