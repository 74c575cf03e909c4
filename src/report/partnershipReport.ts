/*
 * The partnership report as a model (issue 13): the query results of src/store/report.ts → a cover and sections, each
 * with tiles, charts (server-side SVG, each with the table of its numbers) and tables. Pure: no IO, no clock (the
 * generation time comes in). The same model is rendered as HTML (html.ts, and PDF from it) and xlsx (xlsx.ts), so the
 * three formats show the same figures. Texts are Indonesian; numbers stay numbers in the model (the renderers format
 * them id-ID).
 */
import { POLA_KEMITRAAN, STATUS_KEMITRAAN } from '../domain/codes.js';
import { fmtDecimal, fmtId } from '../domain/format.js';
import { humanTime } from '../domain/wib.js';
import { IDENTITY_RULES } from '../rules/identity.js';
import { RULES } from '../rules/index.js';
import { LICENSING_RULES } from '../rules/licensing.js';
import { PARTNERSHIP_RULES } from '../rules/partnership.js';
import type { BreakdownRow, FlowRow, ReportData } from '../store/report.js';
import { barChart, donutChart, flowChart, fmtRupiahShort, PALETTE, scatterMap } from './charts.js';

// ---------------------------------------------------------------------------------------------------------------
// The model

/** How a column's numbers are written: count 1.234, rupiah Rp 1.234, volume 12,5, rate 45,2%. */
export type ColumnKind = 'text' | 'count' | 'rupiah' | 'volume' | 'rate';

export interface ReportColumn {
  label: string;
  kind: ColumnKind;
}

export type ReportCell = string | number | null;

export interface ReportTable {
  /** Stable key (tests and the console address tables by it). */
  key: string;
  title: string;
  /** The xlsx sheet name: unique, at most 31 characters. */
  sheet: string;
  columns: ReportColumn[];
  rows: ReportCell[][];
  /** A closing "Jumlah" row, when the rows add up. */
  total?: ReportCell[];
  /** The HTML and PDF show at most this many rows (the xlsx has them all). */
  htmlLimit?: number;
  note?: string;
}

export interface ReportChart {
  key: string;
  title: string;
  svg: string;
  /** The chart's numbers. */
  table: ReportTable;
  /** 'full': the chart takes the page's width and its table follows under it (maps, flow diagrams). */
  layout?: 'beside' | 'full';
}

export interface ReportTile {
  key: string;
  label: string;
  count: number;
  /** Agreed value (Rp) of the agreements counted. */
  value: number;
  /** How the tile is counted, in one sentence. */
  note: string;
  /** A second figure (the realised value of the tile "with realisation"). */
  extra?: { label: string; value: number };
}

export interface ReportSection {
  key: string;
  title: string;
  intro: string;
  tiles: ReportTile[];
  charts: ReportChart[];
  tables: ReportTable[];
  notes: string[];
}

export interface ReportCover {
  title: string;
  office: string;
  region: string;
  period: string;
  periodRange: string;
  kecamatan: string | null;
  generatedAt: string;
  dataAsOf: string;
  /** The headline tiles of "Berapa yang riil", repeated on the cover. */
  highlights: ReportTile[];
}

export interface PartnershipReport {
  cover: ReportCover;
  sections: ReportSection[];
  /** One line for the terminal. */
  summary: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Periods

/** A report period: calendar days in the office's time zone. */
export interface ReportPeriod {
  from: string;
  to: string;
  /** For file names: '2026-Q3', or '20260701-20260815'. */
  key: string;
  /** For people: 'Triwulan III 2026', or '1 Juli 2026 – 15 Agustus 2026'. */
  label: string;
}

const MONTHS = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
];
const ROMAN = ['I', 'II', 'III', 'IV'];

/** Whether `s` is a real calendar day written YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** '1 Juli 2026'. */
export function longDate(date: string): string {
  return `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

/** The period of one calendar quarter. */
export function quarterPeriod(year: number, quarter: number): ReportPeriod {
  const month = (quarter - 1) * 3 + 1;
  const from = `${year}-${String(month).padStart(2, '0')}-01`;
  const end = new Date(Date.UTC(year, month + 2, 0)).toISOString().slice(0, 10);
  return { from, to: end, key: `${year}-Q${quarter}`, label: `Triwulan ${ROMAN[quarter - 1]} ${year}` };
}

/** '2026-Q3' (also 2026Q3, 2026-q3) → that quarter; null when the text is not a quarter. */
export function parseQuarter(text: string): ReportPeriod | null {
  const m = /^(\d{4})-?[Qq]([1-4])$/.exec(text.trim());
  return m ? quarterPeriod(Number(m[1]), Number(m[2])) : null;
}

/** The last quarter that has ended on `today` ('YYYY-MM-DD'). */
export function lastCompleteQuarter(today: string): ReportPeriod {
  const year = Number(today.slice(0, 4));
  const current = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  return current === 1 ? quarterPeriod(year - 1, 4) : quarterPeriod(year, current - 1);
}

/** A period of whole days from `from` to `to` (both included; checked by the caller). */
export function rangePeriod(from: string, to: string): ReportPeriod {
  const asQuarter = parseQuarter(`${from.slice(0, 4)}-Q${Math.floor((Number(from.slice(5, 7)) - 1) / 3) + 1}`);
  if (asQuarter && asQuarter.from === from && asQuarter.to === to) return asQuarter;
  return {
    from,
    to,
    key: `${from.replace(/-/g, '')}-${to.replace(/-/g, '')}`,
    label: `${longDate(from)} – ${longDate(to)}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Building the model

/** Approximate centroids of the region's kecamatan (config/reference/kecamatan-centroid.json). */
export type { KecamatanCentroids } from '../reference.js';

import type { KecamatanCentroids } from '../reference.js';

export interface ReportContext {
  period: ReportPeriod;
  /** 'Kabupaten Rembang'. */
  regionName: string;
  generatedAt: Date;
  timeZone: string;
  centroids: KecamatanCentroids;
  /** The region's bounding box: the map's frame. */
  bounds: { latMin: number; latMax: number; lngMin: number; lngMax: number };
}

/** The rule families of src/rules (the catalogue's sections). */
const FAMILIES: ReadonlyArray<{ name: string; codes: ReadonlySet<string> }> = [
  { name: 'Identitas dan format', codes: new Set(IDENTITY_RULES.map((r) => r.code)) },
  { name: 'Kemitraan', codes: new Set(PARTNERSHIP_RULES.map((r) => r.code)) },
  { name: 'Perizinan', codes: new Set(LICENSING_RULES.map((r) => r.code)) },
];

/** The family of a rule code ('Lainnya' for a code no longer in the catalogue). */
export function ruleFamily(code: string): string {
  return FAMILIES.find((f) => f.codes.has(code))?.name ?? 'Lainnya';
}

const label = (table: Readonly<Record<string, string>>, code: string | null, none: string) =>
  code === null ? none : table[code] ? `${code} ${table[code]}` : code;

/** Realised ÷ agreed, or null when nothing was agreed. */
const rate = (realised: number | null, agreed: number | null) =>
  realised === null || agreed === null || agreed === 0 ? null : realised / agreed;

const C = {
  text: (label: string): ReportColumn => ({ label, kind: 'text' }),
  count: (label: string): ReportColumn => ({ label, kind: 'count' }),
  rupiah: (label: string): ReportColumn => ({ label, kind: 'rupiah' }),
  volume: (label: string): ReportColumn => ({ label, kind: 'volume' }),
  rate: (label: string): ReportColumn => ({ label, kind: 'rate' }),
};

const BREAKDOWN_COLUMNS = [
  C.count('Terdaftar'),
  C.count('Berjalan (03)'),
  C.rupiah('Nilai disepakati (03, 05)'),
  C.rupiah('Realisasi dalam periode'),
  C.rupiah('Realisasi s.d. akhir periode'),
  C.rate('Rasio realisasi'),
];

const breakdownCells = (r: BreakdownRow): ReportCell[] => [
  r.registered,
  r.running,
  r.agreed,
  r.realisedPeriod,
  r.realisedCumulative,
  rate(r.realisedCumulative, r.agreed),
];

function breakdownTotal(rows: readonly BreakdownRow[], lead: ReportCell[]): ReportCell[] {
  const sum = (f: (r: BreakdownRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const agreed = sum((r) => r.agreed);
  const cumulative = sum((r) => r.realisedCumulative);
  return [
    ...lead,
    sum((r) => r.registered),
    sum((r) => r.running),
    agreed,
    sum((r) => r.realisedPeriod),
    cumulative,
    rate(cumulative, agreed),
  ];
}

const BREAKDOWN_NOTE =
  'Terdaftar: semua kesepakatan yang tidak ditarik dan mulai paling lambat akhir periode. Nilai disepakati dan ' +
  'realisasi dihitung dari kesepakatan 03 Berjalan dan 05 Selesai; rasio realisasi = realisasi s.d. akhir periode ÷ ' +
  'nilai disepakati.';

/** The report model of `data` (from loadReportData) for `ctx`. */
export function buildPartnershipReport(data: ReportData, ctx: ReportContext): PartnershipReport {
  const tz = ctx.timeZone;
  const sections = [realSection(data), breakdownSection(data, ctx), supplySection(data), findingsSection(data)];
  const headline = new Set(['registered', 'running', 'runningRealised', 'continuous']);
  const cover: ReportCover = {
    title: 'Laporan Kemitraan Usaha Besar – UMKM',
    office: `DPMPTSP ${ctx.regionName}`,
    region: ctx.regionName,
    period: ctx.period.label,
    periodRange: `${longDate(ctx.period.from)} – ${longDate(ctx.period.to)}`,
    kecamatan: data.query.kecamatan ? `Kecamatan ${data.kecamatanName ?? data.query.kecamatan}` : null,
    generatedAt: humanTime(ctx.generatedAt, tz),
    dataAsOf: data.lastSync ? humanTime(data.lastSync, tz) : 'belum ada sinkronisasi yang berhasil',
    highlights: sections[0]!.tiles.filter((t) => headline.has(t.key)),
  };
  const r = data.real;
  const summary =
    `${fmtId(r.registered.count)} kesepakatan terdaftar, ${fmtId(r.running.count)} berjalan, ` +
    `${fmtId(r.runningRealised.count)} berjalan dengan realisasi dalam periode (${fmtRupiahShort(r.runningRealised.realised)}), ` +
    `${fmtId(r.continuous.count)} berkelanjutan`;
  return { cover, sections, summary };
}

function realSection(data: ReportData): ReportSection {
  const r = data.real;
  const tiles: ReportTile[] = [
    {
      key: 'registered',
      label: 'Terdaftar',
      ...r.registered,
      note:
        'Kesepakatan di OSS yang tidak ditarik, dengan tanggal mulai (tgl_mulai, atau tgl_kesepakatan bila kosong) ' +
        'paling lambat akhir periode, berstatus apa pun (rincian per status di tabel).',
    },
    {
      key: 'running',
      label: 'Berjalan (03)',
      ...r.running,
      note: 'Kesepakatan terdaftar berstatus 03 Berjalan.',
    },
    {
      key: 'runningRealised',
      label: 'Berjalan, ada realisasi dalam periode',
      count: r.runningRealised.count,
      value: r.runningRealised.value,
      extra: { label: 'Realisasi dalam periode', value: r.runningRealised.realised },
      note:
        'Kesepakatan berjalan (03) yang melaporkan realisasi bernilai atau bervolume lebih dari 0 untuk triwulan ' +
        'dalam periode, di dalam masa kemitraannya (analytics.kemitraan_triwulan).',
    },
    {
      key: 'continuous',
      label: 'Berkelanjutan',
      ...r.continuous,
      note:
        'Kesepakatan berjalan (03) yang melaporkan realisasi di setiap triwulan penuh sejak triwulan mulainya sampai ' +
        'akhir periode (kemitraan_triwulan.wajib_lapor), dan punya paling sedikit satu triwulan penuh.',
    },
    {
      key: 'ended',
      label: 'Selesai (05)',
      ...r.ended,
      note: 'Kesepakatan terdaftar berstatus 05 Selesai (masa kemitraan sudah berakhir).',
    },
    {
      key: 'cancelled',
      label: 'Dibatalkan (06)',
      ...r.cancelled,
      note:
        'Kesepakatan terdaftar berstatus 06 Dibatalkan: tetap dihitung dalam Terdaftar, tidak dalam nilai ' +
        'disepakati dan realisasi di bagian berikut.',
    },
    {
      key: 'withdrawn',
      label: 'Ditarik dari OSS',
      ...r.withdrawn,
      note:
        'Kesepakatan yang dulu ada di OSS tetapi tidak lagi ada di daftar OSS (ditarik, deleted_at terisi), mulai ' +
        'paling lambat akhir periode: tidak termasuk Terdaftar maupun angka lain laporan ini.',
    },
  ];
  const tileTable: ReportTable = {
    key: 'real',
    title: 'Berapa yang riil: jumlah dan nilai kesepakatan',
    sheet: 'Riil',
    columns: [C.text('Kelompok'), C.count('Jumlah kesepakatan'), C.rupiah('Nilai kesepakatan')],
    rows: tiles.map((t) => [t.label, t.count, t.value]),
    note: `Realisasi dalam periode dari kesepakatan berjalan yang melapor: Rp ${fmtDecimal(r.runningRealised.realised, 0)}.`,
  };
  const chart: ReportChart = {
    key: 'real',
    title: 'Jumlah kesepakatan per kelompok',
    svg: barChart({
      title: 'Jumlah kesepakatan per kelompok',
      categories: tiles.map((t) => t.label),
      series: [{ name: 'Kesepakatan', values: tiles.map((t) => t.count) }],
      horizontal: true,
      width: 520,
    }),
    table: tileTable,
  };
  const statusTable: ReportTable = {
    key: 'status',
    title: 'Kesepakatan terdaftar menurut status',
    sheet: 'Status',
    columns: [C.text('Status'), C.count('Jumlah kesepakatan'), C.rupiah('Nilai kesepakatan')],
    rows: data.statuses.map((s) => [label(STATUS_KEMITRAAN, s.status, '(tanpa status)'), s.count, s.value]),
    total: ['Jumlah', data.statuses.reduce((a, s) => a + s.count, 0), data.statuses.reduce((a, s) => a + s.value, 0)],
  };
  return {
    key: 'riil',
    title: 'Berapa yang riil',
    intro:
      'Berapa kesepakatan kemitraan yang sungguh berjalan: dari yang terdaftar di OSS sampai yang melaporkan ' +
      'realisasi setiap triwulan.',
    tiles,
    charts: [chart],
    tables: [statusTable],
    notes: tiles.map((t) => `${t.label}: ${t.note}`),
  };
}

function breakdownSection(data: ReportData, ctx: ReportContext): ReportSection {
  const pola: ReportTable = {
    key: 'pola',
    title: 'Menurut pola kemitraan',
    sheet: 'Pola',
    columns: [C.text('Pola kemitraan'), ...BREAKDOWN_COLUMNS],
    rows: data.byPattern.map((r) => [label(POLA_KEMITRAAN, r.key, '(tanpa pola)'), ...breakdownCells(r)]),
    total: breakdownTotal(data.byPattern, ['Jumlah']),
    note: BREAKDOWN_NOTE,
  };
  const polaChart: ReportChart = {
    key: 'pola',
    title: 'Kesepakatan terdaftar menurut pola',
    svg: donutChart({
      title: 'Kesepakatan terdaftar menurut pola',
      slices: data.byPattern.map((r) => ({
        name: label(POLA_KEMITRAAN, r.key, '(tanpa pola)'),
        value: r.registered,
      })),
      totalLabel: 'kesepakatan',
      width: 520,
    }),
    table: pola,
  };

  const kecName = (kd: string | null) =>
    kd === null ? '(tanpa kecamatan)' : data.kecamatanNames[kd] ? data.kecamatanNames[kd]! : `${kd} (luar wilayah)`;
  const kecamatan: ReportTable = {
    key: 'kecamatan',
    title: 'Menurut kecamatan pelaksanaan',
    sheet: 'Kecamatan',
    columns: [C.text('Kecamatan'), ...BREAKDOWN_COLUMNS],
    rows: data.byKecamatan.map((r) => [kecName(r.key), ...breakdownCells(r)]),
    total: breakdownTotal(data.byKecamatan, ['Jumlah']),
    note: BREAKDOWN_NOTE,
  };
  const kecamatanChart: ReportChart = {
    key: 'kecamatan',
    title: 'Kesepakatan terdaftar dan berjalan per kecamatan',
    svg: barChart({
      title: 'Kesepakatan terdaftar dan berjalan per kecamatan',
      categories: data.byKecamatan.map((r) => kecName(r.key)),
      series: [
        { name: 'Terdaftar', values: data.byKecamatan.map((r) => r.registered) },
        { name: 'Berjalan (03)', values: data.byKecamatan.map((r) => r.running) },
      ],
      horizontal: true,
      width: 520,
    }),
    table: kecamatan,
  };

  const mapTable: ReportTable = {
    key: 'peta',
    title: 'Lokasi kemitraan dan proyek per kecamatan',
    sheet: 'Peta',
    columns: [
      C.text('Kecamatan'),
      C.count('Kemitraan (pelaksanaan)'),
      C.count('Lokasi proyek UB'),
      C.count('Lokasi proyek UMKM mitra'),
    ],
    rows: data.map.byKecamatan.map((r) => [kecName(r.kdKecamatan), r.partnerships, r.ubLocations, r.umkmLocations]),
    total: [
      'Jumlah',
      data.map.byKecamatan.reduce((a, r) => a + r.partnerships, 0),
      data.map.byKecamatan.reduce((a, r) => a + r.ubLocations, 0),
      data.map.byKecamatan.reduce((a, r) => a + r.umkmLocations, 0),
    ],
    note:
      'Lokasi proyek: lokasi (proyek_lokasi) dari proyek UB yang disebut pada kesepakatan dan dari proyek mitra UMKM ' +
      `ber-NIB, per kecamatan dari kode wilayah lokasinya.${data.map.outside ? ` ${fmtId(data.map.outside)} lokasi tanpa koordinat di dalam wilayah tidak digambar.` : ''} ` +
      'Titik kecamatan pada peta adalah perkiraan pusat kecamatan (config/reference/kecamatan-centroid.json).',
  };
  const mapChart: ReportChart = {
    key: 'peta',
    title: 'Peta lokasi kemitraan dan proyek',
    svg: pointMap(data, ctx),
    table: mapTable,
    layout: 'full',
  };

  const sectorTable = (key: 'ub' | 'umkm', rows: readonly BreakdownRow[]): ReportTable => ({
    key: `sektor-${key}`,
    title: `Menurut kategori KBLI ${key === 'ub' ? 'usaha besar' : 'UMKM mitra'}`,
    sheet: `Sektor ${key.toUpperCase()}`,
    columns: [C.text(`Kategori KBLI ${key === 'ub' ? 'UB' : 'UMKM'}`), ...BREAKDOWN_COLUMNS],
    rows: rows.map((r) => [label(data.sectionTitles, r.key, '(KBLI tidak dikenal)'), ...breakdownCells(r)]),
    total: breakdownTotal(rows, ['Jumlah']),
    note: `Kategori (seksi) KBLI 2020 dari KBLI ${key === 'ub' ? 'usaha besar' : 'UMKM'} pada kesepakatan (analytics.kbli_seksi). ${BREAKDOWN_NOTE}`,
  });
  const sectorChart = (key: 'ub' | 'umkm', rows: readonly BreakdownRow[]): ReportChart => {
    const title = `Kesepakatan terdaftar menurut kategori KBLI ${key === 'ub' ? 'usaha besar' : 'UMKM'}`;
    return {
      key: `sektor-${key}`,
      title,
      svg: barChart({
        title,
        categories: rows.map((r) =>
          r.key === null ? '(tidak dikenal)' : `${r.key} ${data.sectionTitles[r.key] ?? ''}`,
        ),
        series: [{ name: 'Terdaftar', values: rows.map((r) => r.registered) }],
        horizontal: true,
        width: 520,
      }),
      table: sectorTable(key, rows),
    };
  };

  const ubRows = data.byUb;
  const ub: ReportTable = {
    key: 'ub',
    title: 'Menurut usaha besar',
    sheet: 'Usaha Besar',
    columns: [
      C.text('Usaha besar'),
      C.text('NIB'),
      C.text('Kategori KBLI'),
      C.count('Mitra UMKM'),
      ...BREAKDOWN_COLUMNS,
    ],
    rows: ubRows.map((r) => [r.name ?? '-', r.key, r.seksi, r.partners, ...breakdownCells(r)]),
    htmlLimit: 40,
    note: `Mitra UMKM: mitra berbeda (NIB, atau NIK yang disamarkan bila tanpa NIB) pada kesepakatan terdaftar. ${BREAKDOWN_NOTE}`,
  };
  const top = ubRows.slice(0, 10);
  const ubChart: ReportChart = {
    key: 'ub',
    title: 'Nilai disepakati dan realisasi, 10 usaha besar teratas',
    svg: barChart({
      title: 'Nilai disepakati dan realisasi, 10 usaha besar teratas',
      categories: top.map((r) => r.name ?? r.key ?? '-'),
      series: [
        { name: 'Nilai disepakati', values: top.map((r) => r.agreed) },
        { name: 'Realisasi s.d. akhir periode', values: top.map((r) => r.realisedCumulative) },
      ],
      unit: 'rupiah',
      horizontal: true,
      width: 520,
    }),
    table: {
      key: 'ub-top',
      title: 'Nilai disepakati dan realisasi, 10 usaha besar teratas',
      sheet: 'UB Teratas',
      columns: [C.text('Usaha besar'), C.rupiah('Nilai disepakati'), C.rupiah('Realisasi s.d. akhir periode')],
      rows: top.map((r) => [r.name ?? r.key ?? '-', r.agreed, r.realisedCumulative]),
    },
  };
  return {
    key: 'rincian',
    title: 'Menurut pola, kecamatan, sektor dan usaha besar',
    intro:
      'Kesepakatan terdaftar dirinci menurut pola kemitraan, kecamatan tempat kemitraan dilaksanakan, kategori KBLI ' +
      'kedua pihak, dan usaha besar.',
    tiles: [],
    charts: [
      polaChart,
      kecamatanChart,
      mapChart,
      sectorChart('ub', data.bySectorUb),
      sectorChart('umkm', data.bySectorUmkm),
      ubChart,
    ],
    tables: [ub],
    notes: [BREAKDOWN_NOTE],
  };
}

const quarterLabel = (tahun: number, triwulan: number) => `${tahun} Tw ${ROMAN[triwulan - 1] ?? triwulan}`;

/** "Nelayan Kec. Sarang": the partner group of a flow and where it is. */
function groupName(f: Pick<FlowRow, 'kelompok' | 'kdKecamatan' | 'namaKecamatan'>): string {
  const group = f.kelompok ?? 'Mitra lain';
  if (f.namaKecamatan) return `${group} Kec. ${f.namaKecamatan}`;
  if (f.kdKecamatan) return `${group} (luar wilayah, ${f.kdKecamatan})`;
  return `${group} (kecamatan tidak diketahui)`;
}

/** The flow's weight in the diagram: realised volume, or the agreed one when nothing was realised. */
const flowWeight = (f: FlowRow) => (f.realised !== null && f.realised > 0 ? f.realised : (f.agreed ?? 0));

function supplySection(data: ReportData): ReportSection {
  const s = data.supply;
  const VOLUME_NOTE =
    'Kesepakatan 03 Berjalan dan 05 Selesai dengan volume dalam satuan yang dikenal (analytics.rantai_pasok), per ' +
    'triwulan periode dalam masa kemitraannya (rantai_pasok_triwulan). Volume disepakati per triwulan = volume ' +
    'kesepakatan × faktor periode_volume; kg dihitung sebagai ton (÷ 1.000). Satuan unit: pcs, buah, lembar dan ' +
    'sejenisnya.';
  const commodity: ReportTable = {
    key: 'komoditas',
    title: 'Volume per komoditas dalam periode',
    sheet: 'Komoditas',
    columns: [
      C.text('Komoditas'),
      C.text('Satuan'),
      C.count('Kesepakatan'),
      C.count('Mitra'),
      C.volume('Volume disepakati'),
      C.volume('Volume realisasi'),
      C.rate('Rasio realisasi'),
    ],
    rows: s.byCommodity.map((r) => [
      r.komoditas,
      r.satuan,
      r.agreements,
      r.partners,
      r.agreed,
      r.realised,
      rate(r.realised, r.agreed),
    ]),
    note: VOLUME_NOTE,
  };
  const tons = s.byCommodity.filter((r) => r.satuan === 'ton');
  const commodityChart: ReportChart = {
    key: 'komoditas',
    title: 'Volume disepakati dan realisasi per komoditas (ton)',
    svg: barChart({
      title: 'Volume disepakati dan realisasi per komoditas (ton)',
      categories: tons.map((r) => r.komoditas),
      series: [
        { name: 'Disepakati', values: tons.map((r) => r.agreed) },
        { name: 'Realisasi', values: tons.map((r) => r.realised) },
      ],
      unit: 'ton',
      horizontal: true,
      width: 520,
    }),
    table: commodity,
  };
  const quarters: ReportTable = {
    key: 'komoditas-triwulan',
    title: 'Volume per komoditas dan triwulan',
    sheet: 'Komoditas per Triwulan',
    columns: [
      C.text('Komoditas'),
      C.text('Satuan'),
      C.text('Triwulan'),
      C.volume('Volume disepakati'),
      C.volume('Volume realisasi'),
      C.rate('Rasio realisasi'),
    ],
    rows: s.byQuarter.map((r) => [
      r.komoditas,
      r.satuan,
      quarterLabel(r.tahun, r.triwulan),
      r.agreed,
      r.realised,
      rate(r.realised, r.agreed),
    ]),
  };
  const perUb: ReportTable = {
    key: 'rantai-ub',
    title: 'Volume per usaha besar dan komoditas',
    sheet: 'Rantai Pasok per UB',
    columns: [
      C.text('Usaha besar'),
      C.text('Komoditas'),
      C.text('Satuan'),
      C.count('Kesepakatan'),
      C.count('Mitra'),
      C.volume('Volume disepakati'),
      C.volume('Volume realisasi'),
      C.rate('Rasio realisasi'),
    ],
    rows: s.byUb.map((r) => [
      r.namaUb ?? r.nibUb ?? '-',
      r.komoditas,
      r.satuan,
      r.agreements,
      r.partners,
      r.agreed,
      r.realised,
      rate(r.realised, r.agreed),
    ]),
    htmlLimit: 40,
  };
  const suppliers: ReportTable = {
    key: 'pemasok',
    title: 'Pemasok: mitra UMKM per usaha besar',
    sheet: 'Pemasok',
    columns: [
      C.text('Usaha besar'),
      C.text('Komoditas'),
      C.text('Mitra'),
      C.text('NIB / NIK (disamarkan)'),
      C.text('Kelompok mitra'),
      C.text('Kecamatan mitra'),
      C.text('Satuan'),
      C.volume('Volume disepakati'),
      C.volume('Volume realisasi'),
    ],
    rows: s.suppliers.map((r) => [
      r.namaUb ?? '-',
      r.komoditas,
      r.namaMitra ?? '-',
      r.perorangan ? `NIK ${r.nikMasked ?? '-'}` : (r.nibUmkm ?? '-'),
      r.kelompok ?? '-',
      r.namaKecamatan ?? (r.kdKecamatan ? `${r.kdKecamatan} (luar wilayah)` : '-'),
      r.satuan,
      r.agreed,
      r.realised,
    ]),
    htmlLimit: 60,
    note:
      'Satu baris per kesepakatan. Mitra perorangan (tanpa NIB) ditulis dengan nama dan NIK yang disamarkan; ' +
      'kecamatan mitra: domisili NIB-nya, atau tempat pelaksanaan kemitraan bila tanpa NIB.',
  };
  const units = [...new Set(s.flows.map((f) => f.satuan))];
  const flowCharts: ReportChart[] = units.map((unit) => {
    const flows = s.flows.filter((f) => f.satuan === unit);
    const title = `Aliran pasokan dari kelompok mitra ke usaha besar (${unit})`;
    return {
      key: `aliran-${unit}`,
      title,
      svg: supplyFlowChart(title, flows, unit),
      layout: 'full',
      table: {
        key: `aliran-${unit}`,
        title,
        sheet: `Aliran ${unit}`.slice(0, 31),
        columns: [
          C.text('Kelompok mitra'),
          C.text('Usaha besar'),
          C.volume(`Disepakati (${unit})`),
          C.volume(`Realisasi (${unit})`),
          C.volume(`Bobot diagram (${unit})`),
        ],
        rows: flows.map((f) => [groupName(f), f.namaUb ?? f.nibUb ?? '-', f.agreed, f.realised, flowWeight(f)]),
        htmlLimit: 40,
        note: 'Lebar aliran: volume realisasi dalam periode, atau volume disepakati bila belum ada realisasi.',
      },
    };
  });
  return {
    key: 'rantai-pasok',
    title: 'Rantai pasok',
    intro:
      'Untuk setiap kesepakatan yang menyebut volume: berapa yang disepakati dan berapa yang terealisasi, per ' +
      'komoditas, per usaha besar, dan siapa pemasoknya.',
    tiles: [],
    charts: [commodityChart, ...flowCharts],
    tables: [quarters, perUb, suppliers],
    notes: [VOLUME_NOTE],
  };
}

const FINDING_KINDS = [
  { key: 'opened', label: 'Dibuka' },
  { key: 'confirmed', label: 'Dikonfirmasi' },
  { key: 'dismissed', label: 'Ditolak verifikator' },
  { key: 'resolved', label: 'Selesai' },
] as const;

function findingsSection(data: ReportData): ReportSection {
  const families = [...FAMILIES.map((f) => f.name), 'Lainnya'];
  const byFamily = families
    .map((name) => {
      const rows = data.findings.filter((f) => ruleFamily(f.ruleCode) === name);
      return {
        name,
        counts: FINDING_KINDS.map((k) => rows.reduce((a, r) => a + r[k.key], 0)),
        present: rows.length > 0,
      };
    })
    .filter((f) => f.name !== 'Lainnya' || f.present);
  const familyTable: ReportTable = {
    key: 'temuan',
    title: 'Temuan dalam periode per kelompok aturan',
    sheet: 'Temuan',
    columns: [C.text('Kelompok aturan'), ...FINDING_KINDS.map((k) => C.count(k.label))],
    rows: byFamily.map((f) => [f.name, ...f.counts]),
    total: ['Jumlah', ...FINDING_KINDS.map((_, i) => byFamily.reduce((a, f) => a + f.counts[i]!, 0))],
    note:
      'Jumlah temuan berbeda yang dalam periode (hari kalender WIB): dibuka (terdeteksi atau dibuka kembali), ' +
      'dikonfirmasi atau ditolak oleh verifikator, atau selesai otomatis karena aturan tidak lagi terpenuhi ' +
      '(analytics.discrepancy_events).',
  };
  const chart: ReportChart = {
    key: 'temuan',
    title: 'Temuan dalam periode per kelompok aturan',
    svg: barChart({
      title: 'Temuan dalam periode per kelompok aturan',
      categories: byFamily.map((f) => f.name),
      series: FINDING_KINDS.map((k, i) => ({ name: k.label, values: byFamily.map((f) => f.counts[i]!) })),
      width: 520,
    }),
    table: familyTable,
  };
  const titles = new Map(RULES.map((r) => [r.code, r.title]));
  const perRule: ReportTable = {
    key: 'temuan-aturan',
    title: 'Temuan dalam periode per aturan',
    sheet: 'Temuan per Aturan',
    columns: [
      C.text('Kode aturan'),
      C.text('Aturan'),
      C.text('Kelompok'),
      ...FINDING_KINDS.map((k) => C.count(k.label)),
    ],
    rows: data.findings.map((f) => [
      f.ruleCode,
      titles.get(f.ruleCode) ?? '-',
      ruleFamily(f.ruleCode),
      f.opened,
      f.confirmed,
      f.dismissed,
      f.resolved,
    ]),
  };
  return {
    key: 'temuan',
    title: 'Temuan dalam periode',
    intro: 'Temuan ketidaksesuaian data yang dibuka, diverifikasi dan selesai dalam periode.',
    tiles: [],
    charts: [chart],
    tables: [perRule],
    notes: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The point map and the flow diagram (drawn by charts.ts)

/**
 * Project locations (UB and UMKM partners, binned to about 1 km) and the partnerships per kecamatan at the kecamatan
 * centroids, over the region's bounding box. No tiles, no outlines.
 */
function pointMap(data: ReportData, ctx: ReportContext): string {
  const partnerships = new Map(data.map.byKecamatan.map((r) => [r.kdKecamatan, r.partnerships]));
  const centroids = Object.entries(ctx.centroids).map(([kd, c]) => ({ ...c, n: partnerships.get(kd) ?? 0 }));
  const sum = (pts: ReadonlyArray<{ n: number }>) => pts.reduce((a, p) => a + p.n, 0);
  const description =
    `${fmtId(sum(data.map.ub))} lokasi proyek UB dan ${fmtId(sum(data.map.umkm))} lokasi proyek UMKM mitra; ` +
    `kemitraan per kecamatan: ${centroids
      .filter((c) => c.n > 0)
      .map((c) => `${c.nama} ${fmtId(c.n)}`)
      .join(', ')}`;
  return scatterMap({
    title: 'Peta lokasi kemitraan dan proyek',
    description,
    bounds: ctx.bounds,
    width: 690,
    layers: [
      {
        name: 'Kemitraan per kecamatan',
        color: 'rgba(130, 80, 223, 0.3)',
        borderColor: PALETTE[3]!,
        size: { min: 6, scale: 3 },
        labelled: true,
        points: centroids.map((c) => ({ lat: c.lat, lng: c.lng, n: c.n, label: `${c.nama} (${fmtId(c.n)})` })),
        z: 1,
      },
      {
        name: 'Lokasi proyek UB',
        symbol: 'rect',
        color: PALETTE[0]!,
        size: { min: 6, scale: 2 },
        points: data.map.ub,
        z: 3,
      },
      {
        name: 'Lokasi proyek UMKM mitra',
        color: PALETTE[1]!,
        opacity: 0.8,
        size: { min: 4, scale: 1.5 },
        points: data.map.umkm,
        z: 2,
      },
    ],
  });
}

const ubName = (f: FlowRow) => f.namaUb ?? f.nibUb ?? '-';

/** A sankey from partner groups (left) to the large businesses they supply (right), in one unit. */
function supplyFlowChart(title: string, flows: readonly FlowRow[], unit: string): string {
  return flowChart({
    title,
    unit,
    flows: flows.map((f) => ({ from: groupName(f), to: ubName(f), value: flowWeight(f) })),
    otherFrom: 'kelompok lain',
    otherTo: 'usaha besar lain',
  });
}
