/*
 * Kemitraan: the list (search, filters, sorting, server-side paging with a capped count) and one partnership with
 * both parties, the agreement, its quarterly realisation (chart and table), its findings and its change history.
 * Also the view helpers the Pelaku usaha pages share (dates, code labels, finding links, query parsing).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { POLA_KEMITRAAN, SKALA_USAHA, STATUS_KEMITRAAN } from '../../domain/codes.js';
import { fmtDecimal, fmtId, fmtRupiah, fmtVolume } from '../../domain/format.js';
import { toWibDate } from '../../domain/wib.js';
import { loadReference } from '../../reference.js';
import { barChart } from '../../report/charts.js';
import {
  type FindingLink,
  getPartnership,
  HISTORY_LIMIT,
  type HistoryRow,
  listPartnerships,
  type PartnershipDetail,
  type PartnershipListRow,
  type PartnershipSort,
  type PeriodMode,
  partnershipFindings,
  partnershipHistory,
  partnershipRealisation,
  partnershipUbs,
  type RealisationRow,
} from '../../store/browse.js';
import { ENTITY_LABELS } from '../../verification/summary.js';
import {
  dataTable,
  facts,
  type Option,
  pageNumber,
  pager,
  selectField,
  severityBadge,
  statusBadge,
  textField,
  timeText,
  withQuery,
} from '../components.js';
import { type ConsoleDeps, requireRole, sendPage } from '../context.js';
import { type HtmlValue, html, type SafeHtml, trustedSvg } from '../html.js';
import { codeLabel, dateText, externalLink, kbliText, kecamatanName, nibLink, quarterText, ROMAN } from '../present.js';

export const PAGE_SIZE = 50;
/** Deepest page a list serves (100,000 rows at 50 a page); a larger number shows this one. */
export const MAX_PAGE = 2_000;

/** Findings as a list of links with their severity and status. */
export function findingsTable(rows: readonly FindingLink[], self: { type: string; id: string } | null): SafeHtml {
  return dataTable({
    columns: [{ label: 'Temuan' }, { label: 'Tingkat' }, { label: 'Status' }, { label: 'Tentang' }, { label: 'Pesan' }],
    rows: rows.map((f) => [
      html`<a href="/temuan/${f.id}">#${fmtId(f.id)} ${f.rule_title ?? f.rule_code}</a>`,
      severityBadge(f.severity),
      statusBadge(f.status),
      self && f.entity_type === self.type && f.entity_id === self.id
        ? 'Data ini'
        : html`${ENTITY_LABELS[f.entity_type] ?? f.entity_type} ${entityLink(f.entity_type, f.entity_id)}`,
      f.message,
    ]),
    empty: 'Tidak ada temuan.',
  });
}

function entityLink(type: string, id: string): HtmlValue {
  if (type === 'kemitraan') return html`<a href="/kemitraan/${encodeURIComponent(id)}">${id}</a>`;
  if (type === 'pelaku_usaha') return nibLink(id);
  return id;
}

/** The first value of a query-string key, trimmed; null when absent or empty. */
function rawValue(query: unknown, key: string): string | null {
  const v = (query as Record<string, unknown> | null | undefined)?.[key];
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'string') return null;
  const s = first.trim();
  return s === '' ? null : s;
}

/**
 * Reads the query string with one schema per key. A value that does not fit its schema is left out (the list shows
 * everything it would have filtered) and its key is listed in `ignored`, for a note on the page: never a 500.
 */
export function readQuery<S extends Record<string, z.ZodType>>(
  shape: S,
  query: unknown,
): { values: { [K in keyof S]: z.output<S[K]> | null }; ignored: string[] } {
  const values = {} as { [K in keyof S]: z.output<S[K]> | null };
  const ignored: string[] = [];
  for (const key of Object.keys(shape) as Array<keyof S & string>) {
    const raw = rawValue(query, key);
    if (raw === null) {
      values[key] = null;
      continue;
    }
    const parsed = shape[key]!.safeParse(raw);
    if (parsed.success) values[key] = parsed.data as z.output<S[typeof key]>;
    else {
      values[key] = null;
      ignored.push(key);
    }
  }
  return { values, ignored };
}

/** The note about filters that were left out. */
export function ignoredNote(ignored: readonly string[], labels: Readonly<Record<string, string>>) {
  return ignored.length === 0
    ? undefined
    : {
        kind: 'info' as const,
        text: `Nilai filter tidak dikenal dan diabaikan: ${ignored.map((k) => labels[k] ?? k).join(', ')}.`,
      };
}

/** The codes of a table as options, in code order ('10' and '99' are integer-like keys: JS lists them first). */
export const optionsOf = (table: Readonly<Record<string, string>>): Option[] =>
  Object.entries(table)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([value, label]) => ({ value, label: `${value} ${label}` }));

/** The kecamatan of the office's region, by name. */
export function kecamatanOptions(kdDaerah: string): Option[] {
  return Object.entries(loadReference().kecamatan)
    .filter(([code]) => code.startsWith(kdDaerah))
    .sort((a, b) => a[1].localeCompare(b[1], 'id'))
    .map(([value, label]) => ({ value, label }));
}

const codeOf = (table: Readonly<Record<string, string>>) =>
  z.string().refine((v) => Object.hasOwn(table, v), 'kode tidak dikenal');

export const pageSchema = z.string().regex(/^\d{1,7}$/);

// ---- Kemitraan list ----

const SORT_LABELS: Readonly<Record<PartnershipSort, string>> = {
  terbaru: 'Perubahan terbaru',
  nilai: 'Nilai terbesar',
  nama: 'Nama UB (A–Z)',
};

const PERIOD_LABELS: Readonly<Record<PeriodMode, string>> = {
  mulai: 'Mulai pada periode',
  berjalan: 'Berjalan pada periode',
};

const LIST_QUERY = {
  q: z.string().max(100),
  pola: codeOf(POLA_KEMITRAAN),
  status: codeOf(STATUS_KEMITRAAN),
  kecamatan: z.string().regex(/^\d{6}$/),
  ub: z.string().regex(/^\d{13}$/),
  tahun: z.coerce.number().int().min(2000).max(2100),
  triwulan: z.coerce.number().int().min(1).max(4),
  periode: z.enum(['mulai', 'berjalan']),
  urut: z.enum(['terbaru', 'nilai', 'nama']),
  dihapus: z.literal('1'),
  halaman: pageSchema,
};

const LIST_LABELS: Readonly<Record<string, string>> = {
  q: 'pencarian',
  pola: 'pola',
  status: 'status',
  kecamatan: 'kecamatan',
  ub: 'usaha besar',
  tahun: 'tahun',
  triwulan: 'triwulan',
  periode: 'periode',
  urut: 'urutan',
  dihapus: 'tampilkan yang dihapus',
  halaman: 'halaman',
};

function umkmCell(r: { nib_umkm: string | null; nama_umkm: string | null }): HtmlValue {
  if (r.nib_umkm) return html`${r.nama_umkm ?? '-'}<br>${nibLink(r.nib_umkm)}`;
  return html`${r.nama_umkm ?? '-'}<br><span class="hint">perorangan (tanpa NIB)</span>`;
}

function lastRealisation(r: PartnershipListRow): HtmlValue {
  if (r.realisasi_tahun === null || r.realisasi_triwulan === null) return html`<span class="hint">belum ada</span>`;
  return html`${quarterText(r.realisasi_tahun, r.realisasi_triwulan)}<br>${fmtRupiah(r.realisasi_nilai)}`;
}

function listRows(rows: readonly PartnershipListRow[]): HtmlValue[][] {
  return rows.map((r) => [
    html`<a href="/kemitraan/${encodeURIComponent(r.id_kemitraan)}">${r.id_kemitraan}</a>${
      r.deleted_at ? html` <span class="badge">Dihapus</span>` : ''
    }`,
    r.nib_ub ? html`${r.nama_ub ?? '-'}<br>${nibLink(r.nib_ub)}` : (r.nama_ub ?? '-'),
    umkmCell(r),
    codeLabel(POLA_KEMITRAAN, r.pola_kemitraan),
    codeLabel(STATUS_KEMITRAAN, r.status_kemitraan),
    kecamatanName(r.kd_kecamatan),
    fmtRupiah(r.nilai_kemitraan),
    lastRealisation(r),
  ]);
}

// ---- One partnership ----

const FIELD_LABELS: Readonly<Record<string, string>> = {
  nib_ub: 'NIB UB',
  nama_ub: 'Nama UB',
  id_proyek_ub: 'ID proyek UB',
  kbli_ub: 'KBLI UB',
  nib_umkm: 'NIB UMKM',
  nama_umkm: 'Nama UMKM',
  kbli_umkm: 'KBLI UMKM',
  nik_umkm_masked: 'NIK UMKM (disamarkan)',
  nik_umkm_province: 'Provinsi NIK UMKM',
  nik_umkm_issues: 'Masalah NIK UMKM',
  skala_usaha_umkm: 'Skala usaha UMKM',
  pola_kemitraan: 'Pola kemitraan',
  objek_kemitraan: 'Objek kemitraan',
  volume: 'Volume',
  satuan: 'Satuan',
  periode_volume: 'Periode volume',
  nilai_kemitraan: 'Nilai kemitraan',
  tgl_kesepakatan: 'Tanggal kesepakatan',
  tgl_mulai: 'Tanggal mulai',
  tgl_berakhir: 'Tanggal berakhir',
  kd_daerah_pelaksanaan: 'Daerah pelaksanaan',
  kd_kecamatan: 'Kecamatan',
  no_dokumen: 'Nomor dokumen',
  url_dokumen: 'Tautan dokumen',
  status_kemitraan: 'Status kemitraan',
  tgl_pengajuan: 'Tanggal pengajuan',
  tgl_perubahan: 'Perubahan di OSS',
  placeholder_fields: 'Kolom berisi "-"',
  deleted_at: 'Dihapus dari OSS',
  nilai_realisasi: 'Nilai realisasi',
  volume_realisasi: 'Volume realisasi',
  sumber: 'Sumber',
};

/** Columns whose change is not shown: keyed hashes say nothing to a reader (the masked form's change is shown). */
const HIDDEN_FIELDS = new Set(['nik_umkm_hash']);

const TRIGGER_LABELS: Readonly<Record<string, string>> = {
  schedule: 'sinkronisasi terjadwal',
  manual: 'sinkronisasi manual',
  push: 'push OSS (receiveNIB)',
  import: 'impor ekspor OSS',
};

/** A history value as a reader expects it: Rupiah, id-ID numbers, dates, WIB times, codes with labels. */
function historyValue(field: string, value: unknown, timeZone: string): HtmlValue {
  if (value === null || value === undefined) return html`<span class="hint">(kosong)</span>`;
  if (Array.isArray(value)) return value.length === 0 ? html`<span class="hint">(kosong)</span>` : value.join(', ');
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
        ? Number(value)
        : null;
  switch (field) {
    case 'nilai_kemitraan':
    case 'nilai_realisasi':
      return n === null ? String(value) : fmtRupiah(n);
    case 'volume':
    case 'volume_realisasi':
      return n === null ? String(value) : fmtDecimal(n, 3);
    case 'pola_kemitraan':
      return codeLabel(POLA_KEMITRAAN, String(value));
    case 'status_kemitraan':
      return codeLabel(STATUS_KEMITRAAN, String(value));
    case 'skala_usaha_umkm':
      return codeLabel(SKALA_USAHA, String(value));
    case 'kd_kecamatan':
      return `${value} ${kecamatanName(String(value))}`;
    case 'tgl_kesepakatan':
    case 'tgl_mulai':
    case 'tgl_berakhir':
      return dateText(String(value));
    case 'tgl_pengajuan':
    case 'tgl_perubahan':
    case 'deleted_at': {
      const d = new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : timeText(d, timeZone);
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function historyTarget(h: HistoryRow): string {
  if (h.entity_type !== 'kemitraan_realisasi') return 'Kemitraan';
  const [, tahun, triwulan] = h.entity_id.split('|');
  return `Realisasi ${quarterText(Number(tahun), Number(triwulan))}`;
}

/** The run that wrote a value: a link to it, with what started it. */
export function runCell(runId: number | null, trigger: string | null, importFile: string | null = null): HtmlValue {
  if (runId === null) return '-';
  const what = trigger === 'import' && importFile ? `impor ${importFile}` : (TRIGGER_LABELS[trigger ?? ''] ?? trigger);
  return html`<a href="/sinkronisasi/${runId}">Run #${fmtId(runId)}</a>${what ? html`<br><span class="hint">${what}</span>` : ''}`;
}

function historySection(history: { rows: HistoryRow[]; more: boolean }, timeZone: string): SafeHtml {
  const rows = history.rows.filter((h) => !HIDDEN_FIELDS.has(h.field));
  return html`<section aria-labelledby="riwayat"><h2 id="riwayat">Riwayat perubahan</h2>
${
  history.more
    ? html`<p class="hint">Ditampilkan ${fmtId(HISTORY_LIMIT)} perubahan terbaru; perubahan yang lebih lama tersimpan di
        tabel change_history (skema analitik).</p>`
    : ''
}
${dataTable({
  columns: [
    { label: 'Waktu (WIB)' },
    { label: 'Data' },
    { label: 'Kolom' },
    { label: 'Sebelum → sesudah' },
    { label: 'Oleh' },
  ],
  rows: rows.map((h) => [
    timeText(h.changed_at, timeZone),
    historyTarget(h),
    FIELD_LABELS[h.field] ?? h.field,
    html`${historyValue(h.field, h.old_value, timeZone)} → ${historyValue(h.field, h.new_value, timeZone)}`,
    runCell(h.run_id, h.run_trigger, h.import_file),
  ]),
  empty: 'Belum ada perubahan sejak kemitraan ini pertama kali disimpan.',
})}
</section>`;
}

function partyCards(k: PartnershipDetail): SafeHtml {
  const ub = facts([
    ['Nama', k.nama_ub],
    ['NIB', k.nib_ub ? nibLink(k.nib_ub) : null],
    [
      'Skala usaha',
      k.ub ? codeLabel(SKALA_USAHA, k.ub.skala_usaha) : html`<span class="hint">dokumen NIB belum tersimpan</span>`,
    ],
    ['KBLI', kbliText(k.kbli_ub)],
    ['ID proyek UB', k.id_proyek_ub],
  ]);
  const umkm = facts([
    ['Nama', k.nama_umkm],
    ['NIB', k.nib_umkm ? nibLink(k.nib_umkm) : html`<span class="hint">tanpa NIB (perorangan)</span>`],
    // A partner without a NIB is known by its NIK: only the masked form is stored.
    ...(k.nib_umkm ? [] : ([['NIK (disamarkan)', k.nik_umkm_masked]] as Array<[string, HtmlValue]>)),
    ['Skala usaha (di kemitraan)', codeLabel(SKALA_USAHA, k.skala_usaha_umkm)],
    ...(k.umkm
      ? ([['Skala usaha (dokumen NIB)', codeLabel(SKALA_USAHA, k.umkm.skala_usaha)]] as Array<[string, HtmlValue]>)
      : []),
    ['KBLI', kbliText(k.kbli_umkm)],
  ]);
  return html`<section aria-labelledby="pihak"><h2 id="pihak">Para pihak</h2><div class="grid">
<section class="card" aria-labelledby="pihak-ub"><h3 id="pihak-ub">Usaha besar (UB)</h3>${ub}</section>
<section class="card" aria-labelledby="pihak-umkm"><h3 id="pihak-umkm">Mitra UMKM</h3>${umkm}</section>
</div></section>`;
}

function placeText(kdDaerah: string | null, kdKecamatan: string | null): HtmlValue {
  if (!kdDaerah) return null;
  const desa = loadReference().desa[kdDaerah];
  const kec = kdKecamatan ? loadReference().kecamatan[kdKecamatan] : undefined;
  const named = [desa ? `Desa/Kel. ${desa}` : null, kec ? `Kec. ${kec}` : null].filter(Boolean).join(', ');
  return named ? `${named} (${kdDaerah})` : kdDaerah;
}

function agreementSection(k: PartnershipDetail, timeZone: string): SafeHtml {
  const volume =
    k.volume === null ? null : `${fmtVolume(k.volume, k.satuan)}${k.periode_volume ? ` per ${k.periode_volume}` : ''}`;
  return html`<section class="card" aria-labelledby="perjanjian"><h2 id="perjanjian">Perjanjian</h2>${facts([
    ['Pola kemitraan', codeLabel(POLA_KEMITRAAN, k.pola_kemitraan)],
    ['Objek kemitraan', k.objek_kemitraan],
    ['Volume disepakati', volume],
    ['Nilai kemitraan', fmtRupiah(k.nilai_kemitraan)],
    ['Tanggal kesepakatan', dateText(k.tgl_kesepakatan)],
    ['Tanggal mulai', dateText(k.tgl_mulai)],
    ['Tanggal berakhir', dateText(k.tgl_berakhir)],
    ['Status', codeLabel(STATUS_KEMITRAAN, k.status_kemitraan)],
    ['Lokasi pelaksanaan', placeText(k.kd_daerah_pelaksanaan, k.kd_kecamatan)],
    ['Nomor dokumen', k.no_dokumen],
    ['Dokumen perjanjian', externalLink(k.url_dokumen, 'Buka dokumen')],
    ['Diajukan di OSS', timeText(k.tgl_pengajuan, timeZone)],
    ['Perubahan terakhir di OSS', timeText(k.tgl_perubahan, timeZone)],
    ['Terakhir disimpan', html`${timeText(k.updated_at, timeZone)} · ${runCell(k.last_run_id, null)}`],
  ])}</section>`;
}

function realisationSection(k: PartnershipDetail, rows: readonly RealisationRow[]): SafeHtml {
  if (rows.length === 0) {
    return html`<section aria-labelledby="realisasi"><h2 id="realisasi">Realisasi per triwulan</h2>
<p class="empty">Belum ada realisasi yang dilaporkan (LKPM).</p></section>`;
  }
  const total = rows.reduce((a, r) => a + (r.nilai_realisasi ?? 0), 0);
  const units = new Set(rows.map((r) => r.satuan).filter((s): s is string => !!s));
  const volumeTotal = units.size <= 1 ? rows.reduce((a, r) => a + (r.volume_realisasi ?? 0), 0) : null;
  const rate =
    k.nilai_kemitraan && k.nilai_kemitraan > 0
      ? `${fmtDecimal((total / k.nilai_kemitraan) * 100, 1)}% dari nilai kemitraan ${fmtRupiah(k.nilai_kemitraan)}`
      : 'nilai kemitraan tidak diketahui';
  const categories = rows.map((r) => quarterText(r.tahun, r.triwulan));
  const chart = barChart({
    title: `Nilai realisasi per triwulan, kemitraan ${k.id_kemitraan}`,
    unit: 'rupiah',
    categories,
    series: [{ name: 'Nilai realisasi', values: rows.map((r) => r.nilai_realisasi) }],
    // Past a few quarters, columns crowd their labels: bars from the left keep every quarter and value readable.
    horizontal: rows.length > 6,
  });
  const quarters = dataTable({
    columns: [
      { label: 'Triwulan' },
      { label: 'Nilai', numeric: true },
      { label: 'Volume', numeric: true },
      { label: 'Sumber' },
    ],
    rows: [
      ...rows.map((r) => [
        quarterText(r.tahun, r.triwulan),
        fmtRupiah(r.nilai_realisasi),
        fmtVolume(r.volume_realisasi, r.satuan),
        r.sumber ?? '-',
      ]),
      [
        html`<strong>Total</strong>`,
        html`<strong>${fmtRupiah(total)}</strong>`,
        volumeTotal === null ? 'satuan berbeda' : fmtVolume(volumeTotal, [...units][0] ?? null),
        '',
      ],
    ],
  });
  return html`<section aria-labelledby="realisasi"><h2 id="realisasi">Realisasi per triwulan</h2>
<p>Total realisasi ${fmtId(rows.length)} triwulan <strong>${fmtRupiah(total)}</strong>: ${rate}.</p>
<div class="chart">${trustedSvg(chart)}<div>${quarters}</div></div>
</section>`;
}

export async function partnershipPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const tz = deps.config.sync.timezone;

  app.get('/kemitraan', { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const { values: v, ignored } = readQuery(LIST_QUERY, req.query);
    const page = pageNumber(v.halaman, MAX_PAGE);
    const sort: PartnershipSort = v.urut ?? 'terbaru';
    const periodMode: PeriodMode = v.periode ?? 'mulai';
    if (v.triwulan !== null && v.tahun === null) ignored.push('triwulan');
    const [result, ubs] = await Promise.all([
      listPartnerships(deps.db, {
        q: v.q,
        pola: v.pola,
        status: v.status,
        kdKecamatan: v.kecamatan,
        nibUb: v.ub,
        tahun: v.tahun,
        triwulan: v.tahun === null ? null : v.triwulan,
        periodMode,
        includeDeleted: v.dihapus === '1',
        sort,
        page,
        pageSize: PAGE_SIZE,
      }),
      partnershipUbs(deps.db),
    ]);
    const params = {
      q: v.q,
      pola: v.pola,
      status: v.status,
      kecamatan: v.kecamatan,
      ub: v.ub,
      tahun: v.tahun,
      triwulan: v.tahun === null ? null : v.triwulan,
      periode: v.tahun === null || periodMode === 'mulai' ? null : periodMode,
      urut: sort === 'terbaru' ? null : sort,
      dihapus: v.dihapus,
    };
    const thisYear = Number(toWibDate(deps.now()).slice(0, 4));
    const years: Option[] = [];
    for (let y = thisYear + 1; y >= 2018; y--) years.push({ value: String(y), label: String(y) });
    const ubOptions = ubs.map((u) => ({ value: u.nib, label: `${u.nama ?? '(tanpa nama)'} · ${u.nib}` }));
    if (v.ub && !ubs.some((u) => u.nib === v.ub)) ubOptions.unshift({ value: v.ub, label: v.ub });
    const body = html`
<form method="get" action="/kemitraan" class="filters" role="search" aria-label="Cari dan saring kemitraan">
  ${textField({ name: 'q', label: 'Cari (nama UB/UMKM, NIB, ID kemitraan)', value: v.q, type: 'search' })}
  ${selectField({ name: 'pola', label: 'Pola', options: optionsOf(POLA_KEMITRAAN), selected: v.pola, any: 'Semua pola' })}
  ${selectField({ name: 'status', label: 'Status', options: optionsOf(STATUS_KEMITRAAN), selected: v.status, any: 'Semua status' })}
  ${selectField({ name: 'kecamatan', label: 'Kecamatan', options: kecamatanOptions(deps.config.oss.kdDaerah), selected: v.kecamatan, any: 'Semua kecamatan' })}
  ${selectField({ name: 'ub', label: 'Usaha besar (UB)', options: ubOptions, selected: v.ub, any: 'Semua UB' })}
  ${selectField({ name: 'tahun', label: 'Tahun', options: years, selected: v.tahun === null ? null : String(v.tahun), any: 'Semua tahun' })}
  ${selectField({
    name: 'triwulan',
    label: 'Triwulan',
    options: ROMAN.map((r, i) => ({ value: String(i + 1), label: `Triwulan ${r}` })),
    selected: v.triwulan === null ? null : String(v.triwulan),
    any: 'Setahun penuh',
  })}
  ${selectField({
    name: 'periode',
    label: 'Periode berarti',
    options: Object.entries(PERIOD_LABELS).map(([value, label]) => ({ value, label })),
    selected: periodMode,
  })}
  ${selectField({
    name: 'urut',
    label: 'Urutkan',
    options: Object.entries(SORT_LABELS).map(([value, label]) => ({ value, label })),
    selected: sort,
  })}
  <label class="field"><span>Tampilkan yang dihapus</span><input type="checkbox" name="dihapus" value="1"${
    v.dihapus === '1' ? html` checked` : ''
  }></label>
  <div class="actions"><button type="submit">Terapkan</button><a class="button secondary" href="/kemitraan">Hapus filter</a></div>
</form>
<p class="hint">"Mulai pada periode": tanggal mulai jatuh pada tahun/triwulan itu. "Berjalan pada periode": mulai sebelum
periode berakhir dan belum berakhir ketika periode dimulai. Kemitraan yang sudah tidak ada di OSS (dihapus) disembunyikan
kecuali dicentang.</p>
<p id="jumlah"><strong>${result.atLeast ? `Lebih dari ${fmtId(result.total)}` : fmtId(result.total)}</strong> kemitraan cocok.</p>
${dataTable({
  columns: [
    { label: 'ID kemitraan' },
    { label: 'Usaha besar (UB)' },
    { label: 'Mitra UMKM' },
    { label: 'Pola' },
    { label: 'Status' },
    { label: 'Kecamatan' },
    { label: 'Nilai', numeric: true },
    { label: 'Realisasi terakhir', numeric: true },
  ],
  rows: listRows(result.rows),
  empty: 'Tidak ada kemitraan yang cocok dengan pencarian dan filter ini.',
})}
${pager({
  path: '/kemitraan',
  params,
  page,
  pageSize: PAGE_SIZE,
  total: result.total,
  totalIsAtLeast: result.atLeast,
  shown: result.rows.length,
})}`;
    const flash = ignoredNote(ignored, LIST_LABELS);
    return sendPage(req, reply, deps, { title: 'Kemitraan', active: 'kemitraan', body, ...(flash ? { flash } : {}) });
  });

  app.get<{ Params: { id: string } }>(
    '/kemitraan/:id',
    { preHandler: requireRole(deps, 'viewer') },
    async (req, reply) => {
      const id = req.params.id;
      const k = id.length <= 64 ? await getPartnership(deps.db, id) : null;
      if (!k) {
        return sendPage(req, reply, deps, {
          title: 'Kemitraan tidak ditemukan',
          active: 'kemitraan',
          status: 404,
          body: html`<p>Tidak ada kemitraan dengan ID <code>${id}</code> di basis data oss-sync. Periksa ID-nya, atau
            cari di <a href="${withQuery('/kemitraan', { q: id.slice(0, 100) })}">daftar kemitraan</a>.</p>`,
        });
      }
      const [realisation, findings, history] = await Promise.all([
        partnershipRealisation(deps.db, k.id_kemitraan),
        partnershipFindings(deps.db, k.id_kemitraan),
        partnershipHistory(deps.db, k.id_kemitraan),
      ]);
      const body = html`
${
  k.deleted_at
    ? html`<div class="flash flash-info" role="status">Kemitraan ini tidak lagi ada di daftar OSS: ditandai dihapus pada
        ${timeText(k.deleted_at, tz)} (${runCell(k.deleted_run_id, null)}). Datanya tetap disimpan.</div>`
    : ''
}
<p><a href="/kemitraan">‹ Daftar kemitraan</a></p>
${partyCards(k)}
${agreementSection(k, tz)}
${realisationSection(k, realisation)}
<section aria-labelledby="temuan"><h2 id="temuan">Temuan</h2>
${findingsTable(findings, { type: 'kemitraan', id: k.id_kemitraan })}</section>
${historySection(history, tz)}`;
      return sendPage(req, reply, deps, { title: `Kemitraan ${k.id_kemitraan}`, active: 'kemitraan', body });
    },
  );
}
