/*
 * Temuan: the verification queue in the browser. The queue filters like `oss-sync discrepancies list` (active findings
 * by default), pages on the server and downloads the field-visit xlsx of the current filter; a finding's page shows
 * its message, its evidence as tables, the records it is about and its history, and — for verifiers — the moves the
 * lifecycle allows from its status and its assignment. Every move goes through transitionFinding / assignFinding
 * under the signed-in user; the lifecycle's refusals reach the verifier in Indonesian.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  JENIS_IZIN,
  JENIS_PELAKU_USAHA,
  POLA_KEMITRAAN,
  SKALA_RESIKO,
  SKALA_USAHA,
  STATUS_IZIN,
  STATUS_KEMITRAAN,
  STATUS_NIB,
  STATUS_PENANAMAN_MODAL,
} from '../../domain/codes.js';
import { fmtDecimal, fmtId, fmtRupiah } from '../../domain/format.js';
import { ENTITY_TYPES, type EntityType } from '../../domain/glossary.js';
import { toWibDate } from '../../domain/wib.js';
import { maskDigitsInside, mayHoldNik } from '../../normalize/identity.js';
import { loadReference } from '../../reference.js';
import { RULES, ruleByCode, SEVERITIES } from '../../rules/index.js';
import type { Db } from '../../store/db.js';
import {
  entityNibs,
  type FindingEventRow,
  type FindingFilter,
  type FindingOrder,
  type FindingRow,
  findingEvents,
  findingVisitDetails,
  getFinding,
  listFindings,
  resolveKecamatan,
} from '../../store/findings.js';
import { listUsers, type WebUser } from '../../store/users.js';
import { ASSIGNABLE_ROLES, AssignmentError, assignFinding } from '../../verification/assignment.js';
import { loadDesaNames, type VisitFinding, visitOrder, writeFindingsXlsx } from '../../verification/findingsExport.js';
import {
  ALLOWED_TRANSITIONS,
  FINDING_STATUSES,
  FindingNotFoundError,
  type FindingStatus,
  IllegalTransitionError,
  isFindingStatus,
  NOTE_REQUIRED,
  transitionFinding,
  VERIFIER_STATUSES,
  type VerifierStatus,
} from '../../verification/lifecycle.js';
import { ENTITY_LABELS, SEVERITY_LABELS, STATUS_LABELS } from '../../verification/summary.js';
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
import { actorOf, audit, type ConsoleDeps, csrfField, redirect, requireRole, sendPage, setFlash } from '../context.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';
import { nibLink, partnershipLink } from '../present.js';
import { roleAllows } from '../session.js';

/** Rows per page of the queue. */
export const PAGE_SIZE = 50;
/** The queue counts at most this many matches ("lebih dari 10.000"). */
const COUNT_CAP = 10_000;
/** The field-visit xlsx holds at most this many findings (the first of the queue's order). */
export const EXPORT_CAP = 20_000;
/** At most this many findings per bulk action. */
const BULK_MAX = 500;

const ACTIVE_STATUSES: readonly FindingStatus[] = ['open', 'in_review', 'confirmed'];

type Query = Record<string, string | string[] | undefined>;

const first = (v: unknown): string => {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim() : '';
};
const all = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

// ---------------------------------------------------------------------------------------------------------------
// The queue's filter: query string → FindingFilter, and back (the links of the pager and the xlsx).

const SORTS: Readonly<Record<string, FindingOrder>> = {
  '': 'severity',
  terbaru: 'newest',
  terlama: 'oldest',
  aturan: 'rule',
};
const SORT_OPTIONS: readonly Option[] = [
  { value: '', label: 'Tingkat, lalu terbaru' },
  { value: 'terbaru', label: 'Terbaru' },
  { value: 'terlama', label: 'Terlama' },
  { value: 'aturan', label: 'Aturan' },
];

/** "Me" and "nobody" in the assignee fields: a user name never starts with "~" (src/cli/users.ts USERNAME). */
const ASSIGNED_ME = '~saya';
const ASSIGNED_NOBODY = '~tidak-ada';

export interface QueueParams {
  status: string;
  aturan: string;
  tingkat: string;
  kecamatan: string;
  jenis: string;
  ditugaskan: string;
  q: string;
  urut: string;
}

interface ParsedQueue {
  params: QueueParams;
  filter: FindingFilter;
  /** Filter values that were not understood (ignored), in Indonesian. */
  problems: string[];
}

/** The region's kecamatan from the reference, by name. */
function regionKecamatan(kdDaerah: string): Option[] {
  return Object.entries(loadReference().kecamatan)
    .filter(([code]) => code.startsWith(kdDaerah))
    .map(([code, name]) => ({ value: code, label: name }))
    .sort((a, b) => a.label.localeCompare(b.label, 'id'));
}

async function parseQueue(deps: ConsoleDeps, req: FastifyRequest): Promise<ParsedQueue> {
  const q = req.query as Query;
  const problems: string[] = [];
  const params: QueueParams = {
    status: first(q.status),
    aturan: first(q.aturan).toUpperCase(),
    tingkat: first(q.tingkat),
    kecamatan: first(q.kecamatan),
    jenis: first(q.jenis),
    ditugaskan: first(q.ditugaskan),
    q: first(q.q).slice(0, 100),
    urut: first(q.urut),
  };
  const filter: FindingFilter = {};
  const ignore = (name: keyof QueueParams, text: string) => {
    problems.push(text);
    params[name] = '';
  };

  if (params.status === 'semua') {
    // every status
  } else if (params.status === '') filter.statuses = ACTIVE_STATUSES;
  else if (isFindingStatus(params.status)) filter.statuses = [params.status];
  else {
    ignore('status', `Status "${params.status}" tidak dikenal; yang ditampilkan temuan aktif.`);
    filter.statuses = ACTIVE_STATUSES;
  }
  if (params.aturan) {
    if (ruleByCode(params.aturan)) filter.rules = [params.aturan];
    else ignore('aturan', `Aturan "${params.aturan}" tidak dikenal (filter aturan diabaikan).`);
  }
  if (params.tingkat) {
    if ((SEVERITIES as readonly string[]).includes(params.tingkat)) filter.severities = [params.tingkat];
    else ignore('tingkat', `Tingkat "${params.tingkat}" tidak dikenal (filter tingkat diabaikan).`);
  }
  if (params.kecamatan) {
    const codes = await resolveKecamatan(deps.db, params.kecamatan);
    if (codes.length === 0) {
      ignore('kecamatan', `Tidak ada kecamatan "${params.kecamatan}" (filter kecamatan diabaikan).`);
    } else {
      filter.kecamatan = codes;
      if (codes.length === 1) params.kecamatan = codes[0]!;
    }
  }
  if (params.jenis) {
    if ((ENTITY_TYPES as readonly string[]).includes(params.jenis)) filter.entityTypes = [params.jenis as EntityType];
    else ignore('jenis', `Jenis entitas "${params.jenis}" tidak dikenal (filter jenis diabaikan).`);
  }
  if (params.ditugaskan === ASSIGNED_ME) filter.assignedTo = actorOf(req);
  else if (params.ditugaskan === ASSIGNED_NOBODY) filter.assignedTo = null;
  else if (params.ditugaskan) filter.assignedTo = params.ditugaskan.slice(0, 100);
  if (params.q) filter.search = params.q;
  const order = SORTS[params.urut];
  if (order) filter.order = order;
  else {
    ignore('urut', `Urutan "${params.urut}" tidak dikenal; diurutkan menurut tingkat.`);
    filter.order = 'severity';
  }
  return { params, filter, problems };
}

/** The filter's query parameters without the empty ones (links keep the filter). */
const queueQuery = (p: QueueParams): Record<string, string> => ({ ...p });

/** Enabled verifiers and admins: who a finding can be assigned to. */
async function assignableUsers(db: Db): Promise<WebUser[]> {
  return (await listUsers(db)).filter((u) => !u.disabledAt && ASSIGNABLE_ROLES.includes(u.role));
}

const userLabel = (u: WebUser) => (u.fullName ? `${u.fullName} (${u.username})` : u.username);

// ---------------------------------------------------------------------------------------------------------------
// The lifecycle's refusals, in Indonesian.

const statusLabel = (s: string | null) => (s === null ? '-' : (STATUS_LABELS[s] ?? s));

/** What a verifier does to reach each status (used in "periksa dulu"). */
const MOVE_VERBS: Readonly<Record<VerifierStatus, string>> = {
  open: 'mengembalikan ke antrean',
  in_review: 'memeriksa',
  confirmed: 'mengonfirmasi',
  dismissed: 'menolak',
};

/** The first step of a two-step move, or null. */
function stepVia(from: FindingStatus, to: string): VerifierStatus | null {
  return ALLOWED_TRANSITIONS[from].find((mid) => ALLOWED_TRANSITIONS[mid].includes(to as VerifierStatus)) ?? null;
}

/** A move the lifecycle allows that was refused: the note it needs is missing (the actor is always signed in). */
function isMissingNote(err: IllegalTransitionError): boolean {
  return (
    err.from !== null &&
    (NOTE_REQUIRED as readonly string[]).includes(err.to) &&
    ALLOWED_TRANSITIONS[err.from].includes(err.to as VerifierStatus)
  );
}

/** Why a move was refused, as a sentence for the verifier. */
export function transitionMessage(err: IllegalTransitionError): string {
  const id = err.findingId;
  const from = err.from;
  if (isMissingNote(err)) {
    return `Catatan wajib diisi untuk ${MOVE_VERBS[err.to as VerifierStatus]} temuan.`;
  }
  if (!(VERIFIER_STATUSES as readonly string[]).includes(err.to)) {
    return err.to === 'resolved'
      ? `Status ${statusLabel('resolved')} diberikan oleh evaluasi saat aturan tidak lagi berlaku, bukan oleh verifikator.`
      : `"${err.to}" bukan status yang dapat diberikan verifikator.`;
  }
  if (from === null) return `Temuan #${id} tidak dapat dipindahkan ke ${statusLabel(err.to)}.`;
  if (from === err.to) return `Temuan #${id} sudah berstatus ${statusLabel(from)}.`;
  if (from === 'resolved') {
    return `Temuan #${id} sudah selesai otomatis (aturan tidak lagi berlaku) dan tidak dapat diubah; temuan terbuka lagi sendiri bila aturan berlaku kembali.`;
  }
  const head = `Temuan #${id} tidak dapat dipindahkan dari ${statusLabel(from)} ke ${statusLabel(err.to)}`;
  const via = stepVia(from, err.to);
  if (via === 'in_review') {
    return `${head}: ${from === 'open' ? 'periksa dulu' : 'kembalikan dulu ke pemeriksaan'} (${statusLabel(via)}).`;
  }
  if (via) return `${head}: pindahkan dulu ke ${statusLabel(via)}.`;
  return `${head}: dari ${statusLabel(from)} hanya boleh ke ${ALLOWED_TRANSITIONS[from].map(statusLabel).join(' atau ')}.`;
}

/** The same refusal in a few words, for the list of a bulk action ("#12 sudah Ditolak (bukan masalah)"). */
function shortRefusal(err: IllegalTransitionError): string {
  const from = err.from;
  if (isMissingNote(err)) return `#${err.findingId} perlu catatan`;
  if (from === null) return `#${err.findingId} tidak dapat dipindahkan`;
  if (from === err.to) return `#${err.findingId} sudah ${statusLabel(from)}`;
  if (from === 'resolved') return `#${err.findingId} sudah selesai otomatis`;
  const via = stepVia(from, err.to);
  return `#${err.findingId} masih ${statusLabel(from)}${via === 'in_review' && from === 'open' ? ': periksa dulu' : via ? `: pindahkan dulu ke ${statusLabel(via)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Bulk actions.

/** A bulk action: a status to move to, or an assignee (null: withdraw). */
export type BulkAction = { kind: 'status'; to: VerifierStatus } | { kind: 'assign'; to: string | null };

export interface BulkOutcome {
  kind: 'ok' | 'info' | 'error';
  text: string;
  done: number[];
  skipped: Array<{ id: number; reason: string }>;
}

const listText = (items: readonly string[], max = 10) =>
  items.length > max ? `${items.slice(0, max).join(', ')} dan ${fmtId(items.length - max)} lainnya` : items.join(', ');

/**
 * Applies one action to each finding in turn (each its own transaction, as the CLI would): a finding whose move the
 * lifecycle refuses is skipped and named in the outcome; nothing else stops the others.
 */
export async function applyBulk(
  db: Db,
  ids: readonly number[],
  action: BulkAction,
  opts: { by: string; note: string | null },
): Promise<BulkOutcome> {
  const done: number[] = [];
  const skipped: Array<{ id: number; reason: string }> = [];
  const note = opts.note?.trim() || null;
  if (ids.length === 0) return { kind: 'error', text: 'Pilih dulu temuan yang akan diproses.', done, skipped };
  if (action.kind === 'status' && NOTE_REQUIRED.includes(action.to) && !note) {
    return {
      kind: 'error',
      text: `Catatan wajib diisi untuk ${MOVE_VERBS[action.to]} temuan; tidak ada temuan yang dipindahkan.`,
      done,
      skipped,
    };
  }
  for (const id of ids) {
    try {
      if (action.kind === 'status') {
        await transitionFinding(db, id, { to: action.to, by: opts.by, note });
        done.push(id);
      } else {
        const r = await assignFinding(db, id, { to: action.to, by: opts.by });
        if (r.changed) done.push(id);
        else skipped.push({ id, reason: `#${id} sudah ${action.to ? `ditugaskan ke ${r.to}` : 'tanpa penugasan'}` });
      }
    } catch (err) {
      if (err instanceof IllegalTransitionError) skipped.push({ id, reason: shortRefusal(err) });
      else if (err instanceof FindingNotFoundError) skipped.push({ id, reason: `#${id} tidak ada` });
      else if (err instanceof AssignmentError) return { kind: 'error', text: err.message, done, skipped };
      else throw err;
    }
  }
  const what =
    action.kind === 'status'
      ? `dipindahkan ke ${statusLabel(action.to)}`
      : action.to
        ? `ditugaskan ke ${action.to}`
        : 'dicabut penugasannya';
  const head = `${fmtId(done.length)} temuan ${what}`;
  const text = skipped.length
    ? `${head}; ${fmtId(skipped.length)} tidak: ${listText(skipped.map((s) => s.reason))}.`
    : `${head}.`;
  return { kind: done.length === 0 ? 'error' : skipped.length ? 'info' : 'ok', text, done, skipped };
}

/** The bulk action of the `aksi` field, or null. */
function parseBulkAction(aksi: string, me: string): BulkAction | null {
  if ((VERIFIER_STATUSES as readonly string[]).includes(aksi)) return { kind: 'status', to: aksi as VerifierStatus };
  const m = /^tugaskan:(.+)$/.exec(aksi);
  if (!m) return null;
  const who = m[1]!;
  return { kind: 'assign', to: who === ASSIGNED_NOBODY ? null : who === ASSIGNED_ME ? me : who };
}

/** Only a queue URL on this site: the bulk form returns there. */
function safeQueueUrl(v: unknown): string {
  return typeof v === 'string' && /^\/temuan(\?[^#\s]*)?$/.test(v) ? v : '/temuan';
}

// ---------------------------------------------------------------------------------------------------------------
// Evidence as tables: Indonesian labels, formatted values, codes with their label, ids as links.

const EVIDENCE_LABELS: Readonly<Record<string, string>> = {
  alasan: 'Alasan',
  bangunan_gedung: 'Bangunan gedung',
  batas_hari: 'Batas (hari)',
  batas_penjualan_tahunan: 'Batas penjualan tahunan',
  bulan_berjalan: 'Bulan berjalan',
  checklist: 'Daftar izin (checklist)',
  di_ub: 'Pada UB',
  di_umkm: 'Pada UMKM',
  flag_umk: 'Penanda UMK',
  id_kemitraan: 'ID kemitraan',
  id_proyek: 'ID proyek',
  id_proyek_lokasi: 'ID lokasi proyek',
  identitas: 'Nomor identitas (disamarkan)',
  identitas_sama: 'Identitas yang sama',
  jawaban_oss: 'Jawaban OSS',
  jenis: 'Jenis',
  jenis_izin_wajib: 'Jenis izin wajib',
  jenis_pelaku_usaha: 'Jenis pelaku usaha',
  jumlah_investasi: 'Jumlah investasi',
  jumlah_proyek: 'Jumlah proyek',
  kbli: 'KBLI',
  kbli_ub: 'KBLI UB',
  kbli_umkm: 'KBLI UMKM',
  kd_dni_wajib_bermitra: 'Kode bidang usaha wajib bermitra',
  kd_status: 'Status izin',
  kemitraan_berjalan: 'Kemitraan berjalan',
  kode: 'Kode',
  kode_provinsi: 'Kode provinsi',
  kolom: 'Kolom',
  kotak_batas: 'Kotak batas wilayah',
  lat_lng: 'Koordinat',
  lat_max: 'Lintang maks.',
  lat_min: 'Lintang min.',
  lng_max: 'Bujur maks.',
  lng_min: 'Bujur min.',
  lokasi: 'Lokasi',
  masalah: 'Masalah',
  modal_usaha: 'Modal usaha',
  nama: 'Nama',
  nama_berbeda: 'Nama yang berbeda',
  nama_di_kesepakatan: 'Nama di kesepakatan',
  nama_di_oss: 'Nama di OSS',
  nama_izin: 'Nama izin',
  nama_ub: 'Nama UB',
  nama_umkm: 'Nama UMKM',
  nib: 'NIB',
  nib_dengan_npwp_sama: 'NIB dengan NPWP yang sama',
  nib_ub: 'NIB UB',
  nib_umkm: 'NIB UMKM',
  nik_umkm_masked: 'NIK UMKM (disamarkan)',
  nilai: 'Nilai',
  nilai_kemitraan: 'Nilai kemitraan',
  nilai_per_tahun: 'Nilai per tahun',
  nilai_realisasi_total: 'Total nilai realisasi',
  npwp: 'NPWP',
  npwp_perseroan: 'NPWP',
  npwp_perseroan_raw: 'NPWP seperti diterima',
  pembelian_pematang_tanah: 'Pembelian/pematangan tanah',
  pemegang_saham_asing: 'Pemegang saham asing',
  periode_volume: 'Periode volume',
  persen_pma: 'Persentase PMA',
  perseroan_daerah_id: 'Wilayah domisili',
  pihak: 'Pihak',
  pola_kemitraan: 'Pola kemitraan',
  proyek_daerah_id: 'Wilayah proyek',
  satuan: 'Satuan',
  sejak: 'Sejak',
  skala_menurut_modal: 'Skala menurut modal',
  skala_resiko: 'Tingkat risiko',
  skala_umkm: 'Skala UMKM',
  skala_usaha: 'Skala usaha',
  skala_usaha_oss: 'Skala usaha di OSS',
  skala_usaha_umkm: 'Skala UMKM di kesepakatan',
  status_kemitraan: 'Status kemitraan',
  status_nib: 'Status NIB',
  status_penanaman_modal: 'Status penanaman modal',
  sumber_skala: 'Sumber skala',
  tgl_berakhir: 'Tanggal berakhir',
  tgl_mulai: 'Tanggal mulai',
  tgl_pengajuan: 'Tanggal pengajuan',
  tidak_ditemukan: 'Tidak ditemukan',
  triwulan_dilaporkan: 'Triwulan dilaporkan',
  triwulan_terakhir: 'Triwulan terakhir',
  tumpang_tindih_dengan: 'Tumpang tindih dengan',
  uraian_status: 'Uraian status',
  volume: 'Volume',
  volume_disepakati_untuk_periode: 'Volume disepakati untuk periode',
  volume_realisasi_total: 'Total volume realisasi',
  wilayah: 'Wilayah',
};

const labelOf = (key: string): string => {
  const l = EVIDENCE_LABELS[key];
  if (l) return l;
  const words = key.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Codes the rules put in `masalah` lists. */
const PROBLEM_LABELS: Readonly<Record<string, string>> = {
  length: 'panjang tidak sesuai',
  month: 'bulan lahir tidak sah',
  day: 'tanggal lahir tidak sah',
  serial: 'nomor urut 0000',
  entity_prefix: 'awalan NPWP badan tidak sesuai',
  province: 'kode provinsi tidak dikenal',
  desa_kelurahan: 'desa/kelurahan tidak dikenal',
  kecamatan: 'kecamatan tidak dikenal',
  kabupaten: 'kabupaten/kota tidak dikenal',
  provinsi: 'provinsi tidak dikenal',
  kbli_ub: 'KBLI UB tidak sesuai pola',
  kbli_umkm: 'KBLI UMKM tidak sesuai pola',
  tertukar: 'lintang dan bujur tertukar',
  berakhir_sebelum_mulai: 'berakhir sebelum mulai',
  tidak_ada_kemitraan_berjalan: 'tidak ada kemitraan berjalan',
};
const COLUMN_LABELS: Readonly<Record<string, string>> = {
  nib_ub: 'NIB UB',
  nib_umkm: 'NIB UMKM',
  kd_daerah_pelaksanaan: 'Wilayah pelaksanaan',
  perseroan_daerah_id: 'Wilayah domisili',
  proyek_daerah_id: 'Wilayah proyek',
  kbli: 'KBLI',
};

const CODE_TABLES: ReadonlyArray<readonly [RegExp, Readonly<Record<string, string>>]> = [
  [/^skala_(usaha|umkm|menurut_modal)/, SKALA_USAHA],
  [/^status_kemitraan$/, STATUS_KEMITRAAN],
  [/^pola_kemitraan$/, POLA_KEMITRAAN],
  [/^status_nib$/, STATUS_NIB],
  [/^status_penanaman_modal$/, STATUS_PENANAMAN_MODAL],
  [/^jenis_izin/, JENIS_IZIN],
  [/^kd_status$/, STATUS_IZIN],
  [/^skala_resiko$/, SKALA_RESIKO],
  [/^jenis_pelaku_usaha$/, JENIS_PELAKU_USAHA],
  [/^(masalah|alasan|jenis)$/, PROBLEM_LABELS],
  [/^kolom$/, COLUMN_LABELS],
];

const MONEY_KEY = /^(nilai|modal_usaha|jumlah_investasi|bangunan_gedung|pembelian_pematang_tanah|batas_penjualan)/;
const REGION_KEY = /(daerah_id|^kode$|^wilayah$|^kd_daerah)/;
const NIB_KEY = /^nib(_ub|_umkm)?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const dayFormat = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A region code with its name: '3317052023 Sarang, Kec. Sarang'. */
function regionText(code: string): string {
  const ref = loadReference();
  const name =
    code.length === 10
      ? ref.desa[code] && `${ref.desa[code]}, Kec. ${ref.kecamatan[code.slice(0, 6)] ?? code.slice(0, 6)}`
      : code.length === 6
        ? ref.kecamatan[code] && `Kec. ${ref.kecamatan[code]}`
        : code.length === 4
          ? ref.kabupaten[code]
          : code.length === 2
            ? ref.provinces[code]
            : undefined;
  return name ? `${code} ${name}` : code;
}

/** A string that could be an identity number is shown masked, whatever key it came under. */
function safeText(s: string): string {
  const digits = s.replace(/[.\-\s]/g, '');
  return /^\d+$/.test(digits) && mayHoldNik(digits) ? maskDigitsInside(s) : s;
}

/** One evidence value for people, formatted by what its key says it is: codes with labels, Rp, nested tables. */
export function evidenceValue(key: string, v: unknown, tz: string): HtmlValue {
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) {
    if (v.length === 0) return html`<span class="empty">(tidak ada)</span>`;
    if (v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      return evidenceRows(v as Array<Record<string, unknown>>, tz);
    }
    return html`<ul>${v.map((x) => html`<li>${evidenceValue(key, x, tz)}</li>`)}</ul>`;
  }
  if (typeof v === 'object') return evidenceFacts(v as Record<string, unknown>, tz);
  if (typeof v === 'boolean') return v ? 'Ya' : 'Tidak';
  if (typeof v === 'number') {
    if (MONEY_KEY.test(key)) return fmtRupiah(v);
    if (key === 'persen_pma') return `${fmtDecimal(v)} %`;
    return /^(lat|lng)/.test(key) ? fmtDecimal(v, 6) : fmtDecimal(v, 3);
  }
  const s = safeText(String(v));
  for (const [re, table] of CODE_TABLES) {
    if (re.test(key)) {
      const label = table[s];
      return label ? (s === label || /^[a-z_]+$/.test(s) ? label : `${s} ${label}`) : s;
    }
  }
  if (NIB_KEY.test(key) && /^\d{13}$/.test(s)) return nibLink(s);
  if (key === 'id_kemitraan' && s.startsWith('K-')) return partnershipLink(s);
  if (/^kbli/.test(key)) {
    const title = loadReference().kbli[s];
    return title ? `${s} ${title}` : s;
  }
  if (REGION_KEY.test(key) && /^\d+$/.test(s)) return regionText(s);
  if (DATE_RE.test(s)) {
    const d = new Date(`${s}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? s : dayFormat.format(d);
  }
  if (INSTANT_RE.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? s : timeText(d, tz);
  }
  return s;
}

/** An evidence object as label → value pairs (nested objects nest). */
function evidenceFacts(o: Record<string, unknown>, tz: string): SafeHtml {
  const entries = Object.entries(o);
  if (entries.length === 0) return html`<span class="empty">(tidak ada)</span>`;
  return facts(entries.map(([k, v]) => [labelOf(k), evidenceValue(k, v, tz)] as const));
}

/** A list of evidence objects as a table, one column per key. */
function evidenceRows(items: ReadonlyArray<Record<string, unknown>>, tz: string): SafeHtml {
  const keys = [...new Set(items.flatMap((i) => Object.keys(i)))];
  return dataTable({
    columns: keys.map((k) => ({ label: labelOf(k) })),
    rows: items.map((i) => keys.map((k) => evidenceValue(k, i[k], tz))),
    className: 'evidence',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Shared bits of the queue and a finding.

const ENTITY_SHORT: Readonly<Record<string, string>> = {
  kemitraan: 'Kemitraan',
  pelaku_usaha: 'NIB',
  proyek: 'Proyek',
  perizinan: 'Izin',
};

/** The record a finding is about, as a link to its page (a project or licence: its NIB's page). */
function entityCell(f: Pick<FindingRow, 'entity_type' | 'entity_id'>, nib: string | undefined): SafeHtml {
  const label = ENTITY_SHORT[f.entity_type] ?? f.entity_type;
  switch (f.entity_type) {
    case 'kemitraan':
      return html`${label} ${partnershipLink(f.entity_id)}`;
    case 'pelaku_usaha':
      return html`${label} ${nibLink(f.entity_id)}`;
    default:
      return html`${label} ${f.entity_id}${nib ? html`<br>NIB ${nibLink(nib)}` : ''}`;
  }
}

const kecamatanText = (f: FindingRow) =>
  f.kecamatan ? `${f.kecamatan} (${f.kd_kecamatan})` : (f.kd_kecamatan ?? f.kd_daerah ?? '-');
/** The kecamatan in a queue row: its name (the code when it has none). */
const kecamatanShort = (f: FindingRow) => f.kecamatan ?? f.kd_kecamatan ?? f.kd_daerah ?? '-';

const ruleTitle = (f: FindingRow) => f.rule_title ?? ruleByCode(f.rule_code)?.title ?? '';

function findingIdParam(raw: string): number | null {
  if (!/^\d{1,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

const notFound = (req: FastifyRequest, reply: FastifyReply, deps: ConsoleDeps, raw: string) =>
  sendPage(req, reply, deps, {
    title: 'Temuan tidak ditemukan',
    active: 'temuan',
    status: 404,
    body: html`<p>Tidak ada temuan <strong>#${raw}</strong>.</p><p><a href="/temuan">Kembali ke antrean temuan</a></p>`,
  });

const EVENT_LABELS: Readonly<Record<string, string>> = {
  detected: 'Terdeteksi',
  transition: 'Perubahan status',
  evidence_changed: 'Bukti berubah',
  resolved: 'Selesai otomatis',
  reopened: 'Dibuka lagi',
  assigned: 'Penugasan',
};

/** The label of the button that moves a finding from `from` to `to`. */
function moveLabel(from: FindingStatus, to: VerifierStatus): string {
  switch (to) {
    case 'in_review':
      return from === 'open' ? 'Periksa (Sedang diperiksa)' : 'Periksa ulang (Sedang diperiksa)';
    case 'confirmed':
      return 'Konfirmasi (masalah nyata)';
    case 'dismissed':
      return 'Tolak (bukan masalah)';
    case 'open':
      return 'Kembalikan ke antrean (Terbuka)';
  }
}

const noteRequiredText = () =>
  `Catatan wajib diisi untuk ${NOTE_REQUIRED.map((s) => MOVE_VERBS[s]).join(' atau ')} temuan; untuk tindakan lain boleh kosong.`;

// ---------------------------------------------------------------------------------------------------------------

export async function findingPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const tz = deps.config.sync.timezone;
  const kecamatanOptions = regionKecamatan(deps.config.oss.kdDaerah);

  app.get('/temuan', { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const { params, filter, problems } = await parseQueue(deps, req);
    const page = pageNumber((req.query as Query).halaman, Math.ceil(COUNT_CAP / PAGE_SIZE) + 1);
    const canAct = roleAllows(req.viewer!.user.role, 'verifier');
    const [result, users] = await Promise.all([
      listFindings(deps.db, { ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, countCap: COUNT_CAP }),
      assignableUsers(deps.db),
    ]);
    const nibs = await entityNibs(deps.db, result.rows);
    const me = actorOf(req);
    const query = queueQuery(params);
    const here = withQuery('/temuan', { ...query, halaman: page > 1 ? page : null });

    const assigneeOptions: Option[] = [
      { value: ASSIGNED_ME, label: 'Saya' },
      { value: ASSIGNED_NOBODY, label: 'Belum ditugaskan' },
      ...users.map((u) => ({ value: u.username, label: userLabel(u) })),
    ];
    if (params.ditugaskan && !assigneeOptions.some((o) => o.value === params.ditugaskan)) {
      assigneeOptions.push({ value: params.ditugaskan, label: params.ditugaskan });
    }
    const filters = html`<form class="filters" method="get" action="/temuan" role="search" aria-label="Saring temuan">
${selectField({
  name: 'status',
  label: 'Status',
  any: 'Aktif (terbuka, diperiksa, terkonfirmasi)',
  options: [
    ...FINDING_STATUSES.map((s) => ({ value: s, label: statusLabel(s) })),
    { value: 'semua', label: 'Semua status' },
  ],
  selected: params.status,
})}
${selectField({
  name: 'aturan',
  label: 'Aturan',
  any: 'Semua aturan',
  options: RULES.map((r) => ({ value: r.code, label: `${r.code} — ${r.title}` })),
  selected: params.aturan,
})}
${selectField({
  name: 'tingkat',
  label: 'Tingkat',
  any: 'Semua tingkat',
  options: SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] ?? s })),
  selected: params.tingkat,
})}
${selectField({ name: 'kecamatan', label: 'Kecamatan', any: 'Semua kecamatan', options: kecamatanOptions, selected: params.kecamatan })}
${selectField({
  name: 'jenis',
  label: 'Jenis entitas',
  any: 'Semua jenis',
  options: ENTITY_TYPES.map((t) => ({ value: t, label: ENTITY_LABELS[t] ?? t })),
  selected: params.jenis,
})}
${selectField({ name: 'ditugaskan', label: 'Ditugaskan ke', any: 'Siapa saja', options: assigneeOptions, selected: params.ditugaskan })}
${textField({ name: 'q', label: 'Cari (NIB, ID kemitraan, ID proyek, pesan)', value: params.q, type: 'search' })}
${selectField({ name: 'urut', label: 'Urutkan', options: SORT_OPTIONS, selected: params.urut })}
<div class="actions"><button type="submit">Terapkan</button><a class="button secondary" href="/temuan">Atur ulang</a></div>
</form>`;

    const exportLink = html`<p class="actions"><a class="button secondary" href="${withQuery('/temuan/ekspor.xlsx', query)}">Unduh xlsx (kunjungan lapangan)</a>
<span class="hint">Berisi temuan filter ini (paling banyak ${fmtId(EXPORT_CAP)}${
      result.totalIsAtLeast || result.total > EXPORT_CAP
        ? html`; filter ini lebih besar, jadi persempit bila perlu semuanya`
        : ''
    }), diurutkan per kecamatan dan desa untuk rute kunjungan.</span></p>`;

    const columns = [
      ...(canAct ? [{ label: 'Pilih' }] : []),
      { label: 'ID', numeric: true },
      { label: 'Tingkat' },
      { label: 'Aturan' },
      { label: 'Entitas' },
      { label: 'Kecamatan' },
      { label: 'Status' },
      { label: 'Ditugaskan ke' },
      { label: 'Pertama terlihat' },
    ];
    const rows = result.rows.map((f) => [
      ...(canAct
        ? [html`<input type="checkbox" name="id" value="${String(f.id)}" aria-label="Pilih temuan #${String(f.id)}">`]
        : []),
      html`<a href="/temuan/${String(f.id)}">#${String(f.id)}</a>`,
      severityBadge(f.severity),
      html`<strong>${f.rule_code}</strong><br>${ruleTitle(f)}`,
      entityCell(f, nibs.get(`${f.entity_type}:${f.entity_id}`)),
      kecamatanShort(f),
      statusBadge(f.status),
      f.assigned_to ?? '-',
      timeText(f.first_seen_at, tz),
    ]);
    const table = dataTable({
      columns,
      rows,
      empty: 'Tidak ada temuan yang cocok dengan filter ini.',
      className: 'queue',
    });
    const listHeading = html`<h2>${
      params.status === 'semua'
        ? 'Semua temuan'
        : params.status
          ? `Temuan ${statusLabel(params.status)}`
          : 'Temuan aktif'
    }</h2>`;
    const paging = pager({
      path: '/temuan',
      params: query,
      page,
      pageSize: PAGE_SIZE,
      total: result.total,
      totalIsAtLeast: result.totalIsAtLeast,
      shown: result.rows.length,
    });

    // Label and select side by side (for/id): the select's accessible name is "Tindakan", not its chosen option too.
    const bulkOptions = html`<div class="field"><span><label for="aksi-massal">Tindakan</label></span><select id="aksi-massal" name="aksi" required>
<option value="">Pilih tindakan…</option>
<option value="in_review">Periksa (Sedang diperiksa)</option>
<option value="confirmed">Konfirmasi (Terkonfirmasi)</option>
<option value="dismissed">Tolak (bukan masalah)</option>
<option value="open">Kembalikan ke antrean (Terbuka)</option>
<optgroup label="Tugaskan ke …">
<option value="tugaskan:${ASSIGNED_ME}">Tugaskan ke saya sendiri (${me})</option>
${users.filter((u) => u.username !== me).map((u) => html`<option value="tugaskan:${u.username}">Tugaskan ke ${userLabel(u)}</option>`)}
<option value="tugaskan:${ASSIGNED_NOBODY}">Cabut penugasan</option>
</optgroup>
</select></div>`;
    const body = canAct
      ? html`${filters}${exportLink}
<form method="post" action="/temuan/massal" class="bulk">
${csrfField(reply)}
<input type="hidden" name="kembali" value="${here}">
<section class="card" aria-labelledby="massal-judul">
<h2 id="massal-judul">Tindakan untuk temuan terpilih</h2>
<div class="actions">
<label class="field"><span>Pilih semua di halaman ini</span><input type="checkbox" data-select-all="id"></label>
${bulkOptions}
<label class="field"><span>Catatan</span><textarea name="catatan" rows="2" maxlength="2000"></textarea></label>
<button type="submit">Jalankan</button>
</div>
<p class="hint">${noteRequiredText()} Temuan yang tidak dapat dipindahkan dilewati dan disebutkan.</p>
</section>
${listHeading}${table}
</form>
${paging}`
      : html`${filters}${exportLink}${listHeading}${table}${paging}`;

    return sendPage(req, reply, deps, {
      title: 'Temuan',
      active: 'temuan',
      body,
      ...(problems.length ? { flash: { kind: 'error' as const, text: problems.join(' ') } } : {}),
    });
  });

  app.get('/temuan/ekspor.xlsx', { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const { filter } = await parseQueue(deps, req);
    const { rows, totalIsAtLeast } = await listFindings(deps.db, {
      ...filter,
      limit: EXPORT_CAP,
      countCap: EXPORT_CAP,
    });
    const details = new Map(
      (
        await findingVisitDetails(
          deps.db,
          rows.map((f) => Number(f.id)),
        )
      ).map((d) => [Number(d.finding_id), d]),
    );
    const desa = loadDesaNames();
    const visits: VisitFinding[] = visitOrder(
      rows.map((f) => {
        const visit = details.get(Number(f.id)) ?? null;
        return { ...f, visit, desa: visit?.kd_desa ? (desa[visit.kd_desa] ?? null) : null };
      }),
    );
    const name = `temuan-${deps.config.oss.kdDaerah}-${toWibDate(deps.now()).replace(/-/g, '')}.xlsx`;
    const dir = await mkdtemp(join(tmpdir(), 'oss-sync-temuan-'));
    try {
      const file = join(dir, name);
      await writeFindingsXlsx(visits, file, filter);
      const body = await readFile(file);
      if (totalIsAtLeast) reply.header('x-oss-sync-truncated', String(EXPORT_CAP));
      return reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(body);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.post('/temuan/massal', { preHandler: requireRole(deps, 'verifier') }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const back = safeQueueUrl(body.kembali);
    const ids = [...new Set(all(body.id).map((s) => findingIdParam(s.trim())))].filter((n): n is number => n !== null);
    const me = actorOf(req);
    const action = parseBulkAction(first(body.aksi), me);
    if (!action) {
      setFlash(reply, 'error', 'Pilih tindakan untuk temuan terpilih.');
      return redirect(reply, back);
    }
    if (ids.length > BULK_MAX) {
      setFlash(reply, 'error', `Paling banyak ${fmtId(BULK_MAX)} temuan sekaligus; tidak ada yang diproses.`);
      return redirect(reply, back);
    }
    const note = first(body.catatan).slice(0, 2000) || null;
    const outcome = await applyBulk(deps.db, ids, action, { by: me, note });
    if (outcome.done.length > 0) {
      await audit(
        deps,
        req,
        'finding.bulk',
        outcome.done
          .map((id) => `#${id}`)
          .join(',')
          .slice(0, 1000),
        {
          action: action.kind === 'status' ? action.to : 'assign',
          ...(action.kind === 'assign' ? { assignedTo: action.to } : {}),
          note,
          done: outcome.done,
          skipped: outcome.skipped,
        },
      );
    }
    setFlash(reply, outcome.kind, outcome.text);
    return redirect(reply, back);
  });

  app.get<{ Params: { id: string } }>(
    '/temuan/:id',
    { preHandler: requireRole(deps, 'viewer') },
    async (req, reply) => {
      const id = findingIdParam(req.params.id);
      const f = id === null ? null : await getFinding(deps.db, id);
      if (!f || id === null) return notFound(req, reply, deps, req.params.id);
      const canAct = roleAllows(req.viewer!.user.role, 'verifier');
      const [events, nibs, visits, users] = await Promise.all([
        findingEvents(deps.db, id),
        entityNibs(deps.db, [f]),
        findingVisitDetails(deps.db, [id]),
        canAct ? assignableUsers(deps.db) : Promise.resolve([]),
      ]);
      const rule = ruleByCode(f.rule_code);
      const nib = nibs.get(`${f.entity_type}:${f.entity_id}`);
      const runLink = (runId: number | null) =>
        runId === null ? '' : html` (<a href="/sinkronisasi/${String(runId)}">run ${String(runId)}</a>)`;

      const summary = html`<section class="card" aria-labelledby="ringkasan">
<h2 id="ringkasan">${f.rule_code} — ${ruleTitle(f)}</h2>
<p>${severityBadge(f.severity)} ${statusBadge(f.status)}${f.assigned_to ? html` · ditugaskan ke <strong>${f.assigned_to}</strong>` : ''}</p>
<p class="message">${f.message}</p>
${rule ? html`<p class="hint">${rule.description}</p>` : ''}
</section>`;
      const details = html`<section class="card" aria-labelledby="rincian">
<h2 id="rincian">Rincian</h2>
${facts([
  ['Aturan', `${f.rule_code} — ${ruleTitle(f)}`],
  ['Tingkat', SEVERITY_LABELS[f.severity] ?? f.severity],
  [
    'Status',
    html`${statusLabel(f.status)}${f.verified_by ? html` · oleh ${f.verified_by}, ${timeText(f.verified_at, tz)}` : ''}`,
  ],
  ['Catatan verifikator', f.note],
  ['Ditugaskan ke', f.assigned_to ? html`${f.assigned_to} · sejak ${timeText(f.assigned_at, tz)}` : 'Belum ditugaskan'],
  ['Entitas', entityCell(f, nib)],
  ['Kecamatan', kecamatanText(f)],
  ['Pertama terlihat', html`${timeText(f.first_seen_at, tz)}${runLink(f.first_run_id)}`],
  ['Terakhir terlihat', html`${timeText(f.last_seen_at, tz)}${runLink(f.last_run_id)}`],
  ...(f.resolved_at
    ? [['Selesai otomatis', html`${timeText(f.resolved_at, tz)}${runLink(f.resolved_run_id)}`] as const]
    : []),
  ...(f.reopen_count > 0 ? [['Dibuka lagi', `${fmtId(f.reopen_count)} kali`] as const] : []),
])}
</section>`;
      const actions = canAct ? actionsCard(reply, f, users, actorOf(req)) : '';

      const evidence = html`<section class="card" aria-labelledby="bukti">
<h2 id="bukti">Bukti</h2>
${evidenceFacts(f.evidence ?? {}, tz)}
</section>`;

      const visit = visits[0];
      const relatedLinks = relatedRecords(f, nib);
      const desa = visit?.kd_desa ? loadDesaNames()[visit.kd_desa] : undefined;
      const related = html`<section class="card" aria-labelledby="terkait">
<h2 id="terkait">Data terkait</h2>
<ul>${relatedLinks.map((l) => html`<li>${l}</li>`)}</ul>
${
  visit
    ? html`<h3>Lokasi kunjungan</h3>${facts([
        ...(f.entity_type === 'kemitraan'
          ? ([
              ['Usaha besar (UB)', visit.nama_ub],
              ['Mitra UMKM', visit.nama_umkm],
            ] as const)
          : ([['Nama usaha', visit.nama_usaha]] as const)),
        ['Alamat', visit.alamat],
        ['Desa/kelurahan', visit.kd_desa ? (desa ? `${desa} (${visit.kd_desa})` : visit.kd_desa) : null],
        [
          'Koordinat',
          visit.lat !== null && visit.lng !== null
            ? `lintang ${fmtDecimal(visit.lat, 6)} · bujur ${fmtDecimal(visit.lng, 6)}`
            : null,
        ],
      ])}`
    : ''
}
</section>`;

      const history = html`<section class="card" aria-labelledby="riwayat">
<h2 id="riwayat">Riwayat</h2>
<p class="hint">Terlama di atas; waktu dalam WIB.</p>
${historyTable(events, tz)}
</section>`;

      return sendPage(req, reply, deps, {
        title: `Temuan #${id}`,
        active: 'temuan',
        body: html`<p><a href="/temuan">‹ Kembali ke antrean</a></p>${summary}${actions}${details}${evidence}${related}${history}`,
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/temuan/:id/status',
    { preHandler: requireRole(deps, 'verifier') },
    async (req, reply) => {
      const id = findingIdParam(req.params.id);
      if (id === null) return notFound(req, reply, deps, req.params.id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const to = first(body.status);
      const note = first(body.catatan).slice(0, 2000) || null;
      try {
        const r = await transitionFinding(deps.db, id, { to, by: actorOf(req), note });
        await audit(deps, req, 'finding.transition', `#${id}`, { from: r.from, to: r.to, note, eventId: r.eventId });
        setFlash(reply, 'ok', `Temuan #${id} dipindahkan dari ${statusLabel(r.from)} ke ${statusLabel(r.to)}.`);
      } catch (err) {
        if (err instanceof FindingNotFoundError) return notFound(req, reply, deps, req.params.id);
        if (!(err instanceof IllegalTransitionError)) throw err;
        setFlash(reply, 'error', transitionMessage(err));
      }
      return redirect(reply, `/temuan/${id}`);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/temuan/:id/tugaskan',
    { preHandler: requireRole(deps, 'verifier') },
    async (req, reply) => {
      const id = findingIdParam(req.params.id);
      if (id === null) return notFound(req, reply, deps, req.params.id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const raw = first(body.kepada);
      const me = actorOf(req);
      const to = raw === ASSIGNED_NOBODY || raw === '' ? null : raw === ASSIGNED_ME ? me : raw;
      try {
        const r = await assignFinding(deps.db, id, { to, by: me });
        if (r.changed) {
          await audit(deps, req, 'finding.assign', `#${id}`, { from: r.from, to: r.to, eventId: r.eventId });
          setFlash(reply, 'ok', r.to ? `Temuan #${id} ditugaskan ke ${r.to}.` : `Penugasan temuan #${id} dicabut.`);
        } else {
          setFlash(
            reply,
            'info',
            r.to ? `Temuan #${id} sudah ditugaskan ke ${r.to}.` : `Temuan #${id} memang belum ditugaskan.`,
          );
        }
      } catch (err) {
        if (err instanceof FindingNotFoundError) return notFound(req, reply, deps, req.params.id);
        if (!(err instanceof AssignmentError)) throw err;
        setFlash(reply, 'error', err.message);
      }
      return redirect(reply, `/temuan/${id}`);
    },
  );
}

/**
 * A verifier's actions on a finding: the moves the lifecycle allows from its status (one button each, full width on
 * a phone; the note is required, natively and on the server, only for the moves that need one), and its assignment.
 */
function actionsCard(reply: FastifyReply, f: FindingRow, users: readonly WebUser[], me: string): SafeHtml {
  const from = f.status as FindingStatus;
  const moves = ALLOWED_TRANSITIONS[from] ?? [];
  const noted = NOTE_REQUIRED.filter((s) => moves.includes(s));
  const needsNote = noted.length > 0;
  const moveForm =
    moves.length === 0
      ? html`<p>Temuan ini ${from === 'resolved' ? 'sudah selesai otomatis (aturan tidak lagi berlaku)' : 'tidak dapat dipindahkan'}: tidak ada tindakan verifikator. Bila aturan berlaku lagi, temuan terbuka kembali sendiri.</p>`
      : html`<form method="post" action="/temuan/${String(f.id)}/status" class="move">
${csrfField(reply)}
<label class="field"><span>Catatan${needsNote ? ` (wajib untuk ${noted.map((m) => MOVE_VERBS[m]).join(' atau ')})` : ' (boleh kosong)'}</span><textarea name="catatan" rows="3" maxlength="2000"${needsNote ? html` required aria-describedby="catatan-wajib"` : ''}></textarea></label>
<p class="hint"${needsNote ? html` id="catatan-wajib"` : ''}>${needsNote ? noteRequiredText() : 'Catatan tersimpan di riwayat temuan bersama nama Anda.'}</p>
<div class="grid moves">
${moves.map((m) => {
  const style = m === 'dismissed' ? html` class="danger"` : m === 'open' ? html` class="secondary"` : '';
  // The note is required for some moves only: the others skip the browser's check of the required field.
  const skipCheck = needsNote && !NOTE_REQUIRED.includes(m) ? html` formnovalidate` : '';
  return html`<button type="submit" name="status" value="${m}"${style}${skipCheck}>${moveLabel(from, m)}</button>`;
})}
</div>
</form>`;
  const options: Option[] = [
    { value: ASSIGNED_ME, label: `Saya sendiri (${me})` },
    ...users.filter((u) => u.username !== me).map((u) => ({ value: u.username, label: userLabel(u) })),
    { value: ASSIGNED_NOBODY, label: 'Tidak ada' },
  ];
  const selected = f.assigned_to === null ? ASSIGNED_NOBODY : f.assigned_to === me ? ASSIGNED_ME : f.assigned_to;
  if (f.assigned_to !== null && !options.some((o) => o.value === selected)) {
    options.push({ value: f.assigned_to, label: `${f.assigned_to} (tidak aktif lagi)` });
  }
  return html`<section class="card" aria-labelledby="tindakan">
<h2 id="tindakan">Tindakan</h2>
<h3>Ubah status</h3>
${moveForm}
<h3>Penugasan</h3>
<form method="post" action="/temuan/${String(f.id)}/tugaskan" class="assign">
${csrfField(reply)}
<div class="actions">
${selectField({ name: 'kepada', label: 'Ditugaskan ke', options, selected })}
<button type="submit" class="secondary">Simpan penugasan</button>
</div>
</form>
</section>`;
}

/** Links to the records a finding is about: its entity (and a project's or licence's NIB) and its related keys. */
function relatedRecords(f: FindingRow, nib: string | undefined): SafeHtml[] {
  const out: SafeHtml[] = [entityCell(f, nib)];
  const seen = new Set([`${f.entity_type}:${f.entity_id}`]);
  for (const key of f.related ?? []) {
    if (seen.has(key)) continue;
    seen.add(key);
    const at = key.indexOf(':');
    const type = key.slice(0, at);
    const value = key.slice(at + 1);
    if (at < 0 || !(ENTITY_TYPES as readonly string[]).includes(type)) out.push(html`${key}`);
    else out.push(entityCell({ entity_type: type as EntityType, entity_id: value }, undefined));
  }
  return out;
}

function historyTable(events: readonly FindingEventRow[], tz: string): SafeHtml {
  return dataTable({
    columns: [
      { label: 'Waktu' },
      { label: 'Peristiwa' },
      { label: 'Status' },
      { label: 'Oleh' },
      { label: 'Catatan' },
      { label: 'Run' },
    ],
    rows: events.map((e) => [
      timeText(e.at, tz),
      EVENT_LABELS[e.kind] ?? e.kind,
      e.from_status && e.from_status !== e.to_status
        ? `${statusLabel(e.from_status)} → ${statusLabel(e.to_status)}`
        : statusLabel(e.to_status),
      e.actor === 'system' ? 'Sistem (evaluasi otomatis)' : e.actor,
      e.note ?? '-',
      e.run_id === null ? '-' : html`<a href="/sinkronisasi/${String(e.run_id)}">${String(e.run_id)}</a>`,
    ]),
    empty: 'Belum ada riwayat.',
  });
}
