/*
 * Laporan: the partnership report of `oss-sync report` (issue 13) in the console. The same model (buildReport) drawn
 * in the console's layout: its cover facts, its sections with their tiles, charts (the report's own SVG) each with the
 * table of its numbers, and its tables; a period (a quarter, by default the last complete one as the CLI chooses it, or
 * a range of days) and a kecamatan to choose; and a download of the report as HTML, PDF or xlsx that streams the bytes
 * `oss-sync report` writes for the same request, under the CLI's file name. Building the figures takes seconds at the
 * office's scale: the page says so, nothing is cached (a sync, an import or a verifier's decision changes them).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fmtId, fmtRupiah } from '../../domain/format.js';
import { localDateTime } from '../../domain/wib.js';
import { fmtRupiahShort } from '../../report/charts.js';
import {
  buildReport,
  generateReport,
  type PeriodInput,
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  type ReportFormat,
  ReportRequestError,
  reportFileName,
  resolvePeriod,
} from '../../report/generate.js';
import { formatCell } from '../../report/html.js';
import {
  lastCompleteQuarter,
  type PartnershipReport,
  parseQuarter,
  quarterPeriod,
  type ReportChart,
  type ReportPeriod,
  type ReportSection,
  type ReportTable,
  type ReportTile,
} from '../../report/partnershipReport.js';
import { ChromiumMissingError } from '../../report/pdf.js';
import { findKecamatan } from '../../store/report.js';
import { dataTable, facts, type Option, selectField, textField, withQuery } from '../components.js';
import { actorOf, type ConsoleDeps, requireRole, sendPage } from '../context.js';
import { type HtmlValue, html, type SafeHtml, trustedSvg } from '../html.js';
import { kecamatanOptions } from './partnerships.js';

const PAGE_PATH = '/laporan';
const DOWNLOAD_PATH = '/laporan/unduh';
const TITLE = 'Laporan kemitraan';
/** The select's choice that reads the period from the two date fields. */
const RANGE = 'rentang';
/** Quarters offered in the select: this one (still running) and the ones before it. */
const QUARTERS_OFFERED = 12;
/** Years a period may lie in (a typo like 0202 would otherwise ask the database for two thousand years). */
const YEAR_MIN = 2000;
const YEAR_MAX = 2100;
/** How the page's fields are named in messages (the CLI names its flags). */
const FIELD_NAMES = { period: 'Periode', from: 'Tanggal dari', to: 'tanggal sampai' } as const;
const FORMAT_LABELS: Readonly<Record<ReportFormat, string>> = { html: 'HTML', pdf: 'PDF', xlsx: 'xlsx' };

/** A query value as typed: the first, trimmed, cut to 40 characters (no period, date or kecamatan is longer); null when absent or empty. */
function queryValue(query: unknown, key: string): string | null {
  const v = (query as Record<string, unknown> | null | undefined)?.[key];
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'string') return null;
  const s = first.trim();
  return s === '' ? null : s.slice(0, 40);
}

/** What the form was sent with, as typed (shown back in the form, also when it is refused). */
type Asked = {
  periode: string | null;
  dari: string | null;
  sampai: string | null;
  kecamatan: string | null;
};

/** A request the page can answer: the period and the kecamatan, with a note about what was left out. */
interface Resolved {
  period: ReportPeriod;
  kecamatan: { code: string; name: string } | null;
  note: string | null;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The period and kecamatan asked for, or the message that says why they cannot be reported on. */
async function resolveAsked(deps: ConsoleDeps, asked: Asked): Promise<Resolved | { error: string }> {
  const today = localDateTime(deps.now(), deps.config.sync.timezone).slice(0, 10);
  let input: PeriodInput;
  let note: string | null = null;
  if (asked.periode === RANGE) {
    if (!asked.dari && !asked.sampai) {
      return { error: 'Untuk rentang tanggal, isi tanggal dari dan tanggal sampai (YYYY-MM-DD).' };
    }
    input = { period: null, from: asked.dari, to: asked.sampai };
  } else if (asked.periode) {
    // A quarter chosen in the select wins over dates still in the form (a range shown before, then a quarter picked).
    input = { period: asked.periode, from: null, to: null };
    if (asked.dari || asked.sampai) {
      note = `Rentang tanggal diabaikan karena triwulan dipilih; pilih “Rentang tanggal” pada Periode untuk memakainya.`;
    }
  } else input = { period: null, from: asked.dari, to: asked.sampai };
  let period: ReportPeriod;
  try {
    period = resolvePeriod(input, today, FIELD_NAMES);
  } catch (err) {
    if (err instanceof ReportRequestError) return { error: `${capitalised(err.message)}.` };
    throw err;
  }
  const year = (d: string) => Number(d.slice(0, 4));
  if (year(period.from) < YEAR_MIN || year(period.to) > YEAR_MAX) {
    return {
      error: `Periode ${period.label} di luar jangkauan laporan: pilih periode antara tahun ${YEAR_MIN} dan ${YEAR_MAX}.`,
    };
  }
  let kecamatan: Resolved['kecamatan'] = null;
  if (asked.kecamatan) {
    kecamatan = await findKecamatan(deps.db, asked.kecamatan);
    if (!kecamatan) {
      return {
        error: `Tidak ada kecamatan “${asked.kecamatan}” di wilayah ini: pilih salah satu dari daftar Kecamatan.`,
      };
    }
  }
  return { period, kecamatan, note };
}

function askedOf(req: FastifyRequest): Asked {
  return {
    periode: queryValue(req.query, 'periode'),
    dari: queryValue(req.query, 'dari'),
    sampai: queryValue(req.query, 'sampai'),
    kecamatan: queryValue(req.query, 'kecamatan'),
  };
}

/** The query of a resolved request: ?periode=2026-Q3 for a quarter, ?dari=…&sampai=… for a range. */
function requestParams(r: Pick<Resolved, 'period' | 'kecamatan'>): Asked {
  const quarter = parseQuarter(r.period.key) !== null;
  return {
    periode: quarter ? r.period.key : null,
    dari: quarter ? null : r.period.from,
    sampai: quarter ? null : r.period.to,
    kecamatan: r.kecamatan?.code ?? null,
  };
}

// ---- The form ----

/** This quarter (running) and the ones before it, newest first; `chosen` added when it is not among them. */
function quarterOptions(today: string, chosen: string | null): Option[] {
  let year = Number(today.slice(0, 4));
  let q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  const out: Option[] = [];
  for (let i = 0; i < QUARTERS_OFFERED; i++) {
    const p = quarterPeriod(year, q);
    out.push({ value: p.key, label: i === 0 ? `${p.label} (sedang berjalan)` : p.label });
    if (--q === 0) {
      q = 4;
      year--;
    }
  }
  const wanted = chosen ? parseQuarter(chosen) : null;
  if (wanted && !out.some((o) => o.value === wanted.key)) {
    out.push({ value: wanted.key, label: wanted.label });
    out.sort((a, b) => b.value.localeCompare(a.value));
  }
  return [{ value: RANGE, label: 'Rentang tanggal (isi Dari dan Sampai)' }, ...out];
}

/** The form's values: the request shown, or what was typed when it was refused. */
function filterForm(
  deps: ConsoleDeps,
  shown: { periode: string; dari: string | null; sampai: string | null; kecamatan: string | null },
) {
  const today = localDateTime(deps.now(), deps.config.sync.timezone).slice(0, 10);
  const kecamatan = kecamatanOptions(deps.config.oss.kdDaerah);
  return html`<form class="filters" method="get" action="${PAGE_PATH}">
${selectField({ name: 'periode', label: 'Periode', options: quarterOptions(today, shown.periode), selected: shown.periode })}
${textField({ name: 'dari', label: 'Dari tanggal (rentang)', type: 'date', value: shown.dari })}
${textField({ name: 'sampai', label: 'Sampai tanggal (rentang)', type: 'date', value: shown.sampai })}
${selectField({ name: 'kecamatan', label: 'Kecamatan', options: kecamatan, selected: shown.kecamatan, any: 'Semua kecamatan' })}
<div class="actions"><button type="submit">Tampilkan laporan</button></div>
</form>
<p class="hint">Laporan disusun langsung dari data saat ini: butuh beberapa detik (sekitar 5 detik untuk 100.000
kemitraan), dan PDF beberapa detik lagi. Triwulan bawaan: triwulan lengkap terakhir, seperti
<code>oss-sync report</code>.</p>`;
}

// ---- The report in the console's layout ----

/** "Rp 2,03 T" with the exact amount on hover. */
const money = (n: number) => html`<span title="${fmtRupiah(n)}">${fmtRupiahShort(n, 2)}</span>`;

function tileHtml(t: ReportTile): SafeHtml {
  return html`<div class="tile"><div class="value">${fmtId(t.count)}</div><div class="label">${t.label}</div>
<div class="hint">Nilai ${money(t.value)}</div>${t.extra ? html`<div class="hint">${t.extra.label}: ${money(t.extra.value)}</div>` : ''}</div>`;
}

/** A report table as a console table (cards on a phone): at most its htmlLimit rows, the total last. */
function tableHtml(t: ReportTable): SafeHtml {
  const shown = shownRows(t);
  const columns = t.columns.map((c) => ({ label: c.label, numeric: c.kind !== 'text' }));
  const cells = (r: readonly (string | number | null)[]): HtmlValue[] =>
    t.columns.map((c, i) => formatCell(r[i] ?? null, c));
  const rows: HtmlValue[][] = shown.map(cells);
  // The total's label in bold; its figures plain (a bold Rupiah amount is wider than a phone's card allows).
  if (t.total && t.rows.length) rows.push(cells(t.total).map((v, i) => (i === 0 ? html`<strong>${v}</strong>` : v)));
  // A wide table scrolls inside its own region (focusable, so a keyboard can scroll it too), never the page.
  return html`<div class="scroll-x" tabindex="0" role="region" aria-label="Tabel: ${t.title}">${dataTable({ columns, rows, empty: 'Tidak ada data untuk periode ini.' })}</div>
${
  t.rows.length > shown.length
    ? html`<p class="hint">Ditampilkan ${fmtId(shown.length)} dari ${fmtId(t.rows.length)} baris; semua baris ada di
berkas xlsx (lembar “${t.sheet}”).</p>`
    : ''
}${t.note ? html`<p class="hint">${t.note}</p>` : ''}`;
}

const shownRows = (t: ReportTable) => (t.htmlLimit !== undefined ? t.rows.slice(0, t.htmlLimit) : t.rows);

/**
 * A chart with its numbers: beside it when the table is narrow (a few columns of counts), under it otherwise (full
 * Rupiah amounts need the width).
 */
function chartHtml(c: ReportChart): SafeHtml {
  const t = c.table;
  const beside =
    c.layout !== 'full' && t.columns.length <= 4 && t.rows.length <= 14 && t.columns.every((x) => x.kind !== 'rupiah');
  return html`<div class="report-chart" id="grafik-${c.key}">
<h3>${c.title}</h3>
${
  beside
    ? html`<div class="chart">${trustedSvg(c.svg)}<div>${tableHtml(t)}</div></div>`
    : html`<div class="chart stacked">${trustedSvg(c.svg)}</div>${tableHtml(t)}`
}
</div>`;
}

/** Tables longer than this start folded (the page stays a page on a phone); their title says how many rows. */
const FOLD_ROWS = 10;

/** A section's own table: under its heading, folded when long. */
function sectionTableHtml(t: ReportTable): SafeHtml {
  if (t.rows.length <= FOLD_ROWS) {
    return html`<div class="report-table" id="tabel-${t.key}"><h3>${t.title}</h3>${tableHtml(t)}</div>`;
  }
  return html`<details class="report-table" id="tabel-${t.key}"><summary><strong>${t.title}</strong>
(${fmtId(t.rows.length)} baris: buka tabel)</summary>${tableHtml(t)}</details>`;
}

function sectionHtml(s: ReportSection, n: number): SafeHtml {
  return html`<section class="card" id="bagian-${s.key}" aria-labelledby="judul-${s.key}">
<h2 id="judul-${s.key}">${n}. ${s.title}</h2>
<p>${s.intro}</p>
${s.tiles.length ? html`<div class="tiles">${s.tiles.map(tileHtml)}</div>` : ''}
${s.charts.map(chartHtml)}
${s.tables.map(sectionTableHtml)}
${
  s.notes.length
    ? html`<details><summary>Cara menghitung</summary><ul>${s.notes.map((x) => html`<li>${x}</li>`)}</ul></details>`
    : ''
}
</section>`;
}

function downloads(r: Resolved, kdDaerah: string): SafeHtml {
  const params = requestParams(r);
  const quarter = params.periode !== null;
  const cli = (f: ReportFormat) =>
    [
      'oss-sync report',
      quarter ? `--period ${r.period.key}` : `--from ${r.period.from} --to ${r.period.to}`,
      r.kecamatan ? `--kecamatan ${r.kecamatan.code}` : null,
      `--format ${f}`,
    ]
      .filter(Boolean)
      .join(' ');
  return html`<section class="card" aria-labelledby="judul-unduh">
<h2 id="judul-unduh">Unduh laporan</h2>
<p class="actions">${REPORT_FORMATS.map(
    (f) =>
      html`<a class="button secondary" href="${withQuery(DOWNLOAD_PATH, { format: f, ...params })}">Unduh ${FORMAT_LABELS[f]}</a>`,
  )}</p>
<p class="hint">Berkas yang sama dengan <code>${cli('pdf')}</code> (atau <code>--format html</code>,
<code>--format xlsx</code>), bernama <code>${reportFileName(kdDaerah, r.period, r.kecamatan?.code ?? null, 'pdf')}</code>.
HTML: satu berkas mandiri untuk dibuka tanpa jaringan; PDF: A4 dengan nomor halaman; xlsx: setiap tabel satu lembar,
dengan semua barisnya.</p>
</section>`;
}

function reportBody(report: PartnershipReport, r: Resolved, kdDaerah: string): SafeHtml {
  const c = report.cover;
  return html`<section class="card" id="ringkasan" aria-labelledby="judul-ringkas">
<h2 id="judul-ringkas">${c.title}</h2>
${facts([
  ['Wilayah', c.kecamatan ? `${c.region} · ${c.kecamatan}` : c.region],
  ['Periode', `${c.period} (${c.periodRange})`],
  ['Dibuat', c.generatedAt],
  ['Data per', `sinkronisasi terakhir yang berhasil: ${c.dataAsOf}`],
  ['Ringkasan', `${report.summary}.`],
])}
<nav aria-label="Isi laporan"><h3>Isi laporan</h3><ol>${report.sections.map(
    (s) => html`<li><a href="#bagian-${s.key}">${s.title}</a></li>`,
  )}</ol></nav>
</section>
${downloads(r, kdDaerah)}
${report.sections.map((s, i) => sectionHtml(s, i + 1))}`;
}

/** The form with what was typed and the message that says why it is not reported on (400). */
function refused(req: FastifyRequest, reply: FastifyReply, deps: ConsoleDeps, asked: Asked, message: string) {
  // The select shows what was chosen when it is one of its choices, else the range (dates typed) or the default.
  const today = localDateTime(deps.now(), deps.config.sync.timezone).slice(0, 10);
  const quarter = asked.periode ? parseQuarter(asked.periode) : null;
  const periode =
    asked.periode === RANGE
      ? RANGE
      : quarter
        ? quarter.key
        : asked.dari || asked.sampai
          ? RANGE
          : lastCompleteQuarter(today).key;
  return sendPage(req, reply, deps, {
    title: TITLE,
    active: 'laporan',
    status: 400,
    flash: { kind: 'error', text: message },
    body: html`${filterForm(deps, { ...asked, periode })}
<p>Laporan belum ditampilkan: perbaiki periode atau kecamatan di atas lalu tekan <strong>Tampilkan laporan</strong>.</p>`,
  });
}

function formValues(r: Resolved) {
  const p = requestParams(r);
  return {
    periode: p.periode ?? RANGE,
    dari: p.dari ?? null,
    sampai: p.sampai ?? null,
    kecamatan: p.kecamatan ?? null,
  };
}

export async function reportPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const kdDaerah = deps.config.oss.kdDaerah;

  app.get(PAGE_PATH, { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const asked = askedOf(req);
    const resolved = await resolveAsked(deps, asked);
    if ('error' in resolved) return refused(req, reply, deps, asked, resolved.error);
    const report = await buildReport(deps, { period: resolved.period, kecamatan: resolved.kecamatan?.code ?? null });
    return sendPage(req, reply, deps, {
      title: TITLE,
      active: 'laporan',
      ...(resolved.note ? { flash: { kind: 'info' as const, text: resolved.note } } : {}),
      body: html`${filterForm(deps, formValues(resolved))}
${reportBody(report, resolved, kdDaerah)}`,
    });
  });

  app.get(DOWNLOAD_PATH, { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const asked = askedOf(req);
    const format = (queryValue(req.query, 'format') ?? 'html').toLowerCase();
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      return refused(
        req,
        reply,
        deps,
        asked,
        `Format “${format}” tidak dikenal: pilihan ${REPORT_FORMATS.join(', ')}.`,
      );
    }
    const resolved = await resolveAsked(deps, asked);
    if ('error' in resolved) return refused(req, reply, deps, asked, resolved.error);
    const f = format as ReportFormat;
    const kecamatan = resolved.kecamatan?.code ?? null;
    const started = performance.now();
    let bytes: Buffer;
    try {
      ({ bytes } = await generateReport(deps, { period: resolved.period, kecamatan, format: f }));
    } catch (err) {
      if (!(err instanceof ChromiumMissingError)) throw err;
      req.log.warn({ executablePath: err.executablePath }, 'report pdf refused: chromium missing');
      const params = requestParams(resolved);
      return sendPage(req, reply, deps, {
        title: 'PDF tidak dapat dibuat',
        active: 'laporan',
        status: 503,
        body: html`<p>PDF laporan dicetak oleh Chromium, dan Chromium tidak terpasang di server ini
(<code>${err.executablePath}</code> tidak ada). Petugas TI dapat memasangnya (<code>apt-get install chromium</code>) atau
mengatur <code>CHROMIUM_PATH</code>.</p>
<p>Sementara itu laporan yang sama tersedia sebagai
<a href="${withQuery(DOWNLOAD_PATH, { format: 'html', ...params })}">HTML</a> (dapat dicetak dari peramban) dan
<a href="${withQuery(DOWNLOAD_PATH, { format: 'xlsx', ...params })}">xlsx</a>.</p>
<p><a href="${withQuery(PAGE_PATH, params)}">Kembali ke Laporan</a></p>`,
      });
    }
    const name = reportFileName(kdDaerah, resolved.period, kecamatan, f);
    req.log.info(
      {
        by: actorOf(req),
        format: f,
        period: resolved.period.key,
        kecamatan,
        bytes: bytes.length,
        ms: Math.round(performance.now() - started),
      },
      'report downloaded',
    );
    return reply
      .header('content-disposition', `attachment; filename="${name}"`)
      .type(REPORT_CONTENT_TYPES[f])
      .send(bytes);
  });
}
