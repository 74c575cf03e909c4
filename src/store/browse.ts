/*
 * Read side of the console's Kemitraan and Pelaku usaha pages: filtered lists with capped counts, one partnership
 * with its realisation, findings and change history, one NIB with its families. Every value is a binding; lists
 * page with LIMIT/OFFSET and count at most COUNT_CAP + 1 rows, so a page load never counts a whole 100k table.
 * Identity numbers leave this module only masked: NIKs as their *_masked column, NPWPs masked here.
 */
import type { Knex } from 'knex';
import { maskDigitsInside } from '../normalize/identity.js';

/** Counts stop here: beyond it a list says "lebih dari 10.000". */
export const COUNT_CAP = 10_000;

/** How many change-history rows a partnership page shows (the newest). */
export const HISTORY_LIMIT = 200;

/** How many findings, and partnerships per side, a detail page lists. */
export const DETAIL_LIST_LIMIT = 200;

export interface Counted<T> {
  rows: T[];
  /** Exact when `atLeast` is false; COUNT_CAP when more rows match. */
  total: number;
  atLeast: boolean;
}

type Binding = Knex.RawBinding;

/** `%text%` for ILIKE with the text's own % _ \ taken literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function cappedCount(db: Knex, from: string, where: string, bindings: readonly Binding[]) {
  const r = await db.raw(`select count(*)::int as n from (select 1 from ${from} ${where} limit ?) c`, [
    ...bindings,
    COUNT_CAP + 1,
  ]);
  const n = r.rows[0].n as number;
  return { total: Math.min(n, COUNT_CAP), atLeast: n > COUNT_CAP };
}

/** A WHERE clause built from parts that each carry their own bindings. */
class Where {
  private readonly parts: string[] = [];
  readonly bindings: Binding[] = [];
  add(sql: string, ...values: Binding[]): void {
    this.parts.push(sql);
    this.bindings.push(...values);
  }
  get sql(): string {
    return this.parts.length > 0 ? `where ${this.parts.join(' and ')}` : '';
  }
}

// ---- Kemitraan list ----

export type PartnershipSort = 'terbaru' | 'nilai' | 'nama';
/** 'mulai': tgl_mulai falls in the period; 'berjalan': the agreement's dates overlap the period. */
export type PeriodMode = 'mulai' | 'berjalan';

export interface PartnershipFilter {
  /** Name of the UB or UMKM (substring, any case), a NIB of either party, or an id_kemitraan. */
  q?: string | null;
  pola?: string | null;
  status?: string | null;
  kdKecamatan?: string | null;
  nibUb?: string | null;
  /** A calendar year, optionally one quarter of it (1–4). */
  tahun?: number | null;
  triwulan?: number | null;
  periodMode?: PeriodMode;
  includeDeleted?: boolean;
  sort?: PartnershipSort;
  page: number;
  pageSize: number;
}

export interface PartnershipListRow {
  id_kemitraan: string;
  nib_ub: string | null;
  nama_ub: string | null;
  nib_umkm: string | null;
  nama_umkm: string | null;
  pola_kemitraan: string | null;
  status_kemitraan: string | null;
  kd_kecamatan: string | null;
  nilai_kemitraan: number | null;
  tgl_mulai: string | null;
  tgl_perubahan: Date | null;
  deleted_at: Date | null;
  /** The latest quarter with a realisation (null: none). */
  realisasi_tahun: number | null;
  realisasi_triwulan: number | null;
  realisasi_nilai: number | null;
}

/** [first day, day after the last] of a year or one of its quarters, as 'YYYY-MM-DD'. */
export function periodBounds(tahun: number, triwulan: number | null): [string, string] {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (triwulan === null) return [`${tahun}-01-01`, `${tahun + 1}-01-01`];
  const m = (triwulan - 1) * 3 + 1;
  return [`${tahun}-${pad(m)}-01`, triwulan === 4 ? `${tahun + 1}-01-01` : `${tahun}-${pad(m + 3)}-01`];
}

function partnershipWhere(f: PartnershipFilter): Where {
  const w = new Where();
  if (!f.includeDeleted) w.add('k.deleted_at is null');
  const q = f.q?.trim();
  if (q) {
    // A NIB or an id is looked up as such (btree); anything else is a name: an ILIKE each trigram index can serve.
    if (/^\d{13}$/.test(q)) w.add('(k.nib_ub = ? or k.nib_umkm = ?)', q, q);
    else if (/^K-\S+$/i.test(q)) w.add('k.id_kemitraan = ?', q.toUpperCase());
    else {
      const pattern = containsPattern(q);
      w.add('(k.nama_ub ilike ? or k.nama_umkm ilike ?)', pattern, pattern);
    }
  }
  if (f.pola) w.add('k.pola_kemitraan = ?', f.pola);
  if (f.status) w.add('k.status_kemitraan = ?', f.status);
  if (f.kdKecamatan) w.add('k.kd_kecamatan = ?', f.kdKecamatan);
  if (f.nibUb) w.add('k.nib_ub = ?', f.nibUb);
  if (f.tahun) {
    const [from, to] = periodBounds(f.tahun, f.triwulan ?? null);
    if (f.periodMode === 'berjalan') {
      w.add('k.tgl_mulai < ?::date and (k.tgl_berakhir is null or k.tgl_berakhir >= ?::date)', to, from);
    } else {
      w.add('k.tgl_mulai >= ?::date and k.tgl_mulai < ?::date', from, to);
    }
  }
  return w;
}

const PARTNERSHIP_ORDER: Readonly<Record<PartnershipSort, string>> = {
  terbaru: 'k.tgl_perubahan desc nulls last, k.id_kemitraan desc',
  nilai: 'k.nilai_kemitraan desc nulls last, k.id_kemitraan',
  nama: 'k.nama_ub, k.nama_umkm, k.id_kemitraan',
};

/** One page of partnerships matching `f`, with the latest realisation of each, and the capped match count. */
export async function listPartnerships(db: Knex, f: PartnershipFilter): Promise<Counted<PartnershipListRow>> {
  const w = partnershipWhere(f);
  const order = PARTNERSHIP_ORDER[f.sort ?? 'terbaru'];
  const [list, count] = await Promise.all([
    db.raw(
      `select k.id_kemitraan, k.nib_ub, k.nama_ub, k.nib_umkm, k.nama_umkm, k.pola_kemitraan, k.status_kemitraan,
              k.kd_kecamatan, k.nilai_kemitraan::float8 as nilai_kemitraan, k.tgl_mulai, k.tgl_perubahan, k.deleted_at,
              r.tahun as realisasi_tahun, r.triwulan as realisasi_triwulan, r.nilai_realisasi::float8 as realisasi_nilai
         from (select k.id_kemitraan, k.nib_ub, k.nama_ub, k.nib_umkm, k.nama_umkm, k.pola_kemitraan, k.status_kemitraan,
                      k.kd_kecamatan, k.nilai_kemitraan, k.tgl_mulai, k.tgl_perubahan, k.deleted_at
                 from kemitraan k ${w.sql} order by ${order} limit ? offset ?) k
         left join lateral (
           select r.tahun, r.triwulan, r.nilai_realisasi from kemitraan_realisasi r
            where r.id_kemitraan = k.id_kemitraan and r.deleted_at is null
            order by r.tahun desc, r.triwulan desc limit 1) r on true
        order by ${order}`,
      [...w.bindings, f.pageSize, (f.page - 1) * f.pageSize],
    ),
    cappedCount(db, 'kemitraan k', w.sql, w.bindings),
  ]);
  return { rows: list.rows as PartnershipListRow[], ...count };
}

export interface UbOption {
  nib: string;
  nama: string | null;
}

/**
 * The UBs named by partnerships (at most `limit`), by name. A skip scan of the nib_ub index: one probe per distinct
 * UB, so it costs the number of UBs (tens), not the number of partnerships.
 */
export async function partnershipUbs(db: Knex, limit = 300): Promise<UbOption[]> {
  const r = await db.raw(
    `with recursive ubs(nib) as (
       (select nib_ub from kemitraan where nib_ub is not null order by nib_ub limit 1)
       union all
       select (select k.nib_ub from kemitraan k where k.nib_ub > ubs.nib order by k.nib_ub limit 1)
         from ubs where ubs.nib is not null
     )
     select u.nib, coalesce(p.nama_perseroan,
                            (select k.nama_ub from kemitraan k where k.nib_ub = u.nib and k.nama_ub is not null limit 1)) as nama
       from (select nib from ubs where nib is not null limit ?) u
       left join pelaku_usaha p on p.nib = u.nib
      order by nama nulls last, u.nib`,
    [limit],
  );
  return r.rows as UbOption[];
}

// ---- One partnership ----

export interface PartyFacts {
  /** The NIB document is stored (the NIB page has more than a note). */
  stored: boolean;
  nama_perseroan: string | null;
  skala_usaha: string | null;
  status_nib: string | null;
}

export interface PartnershipDetail {
  id_kemitraan: string;
  nib_ub: string | null;
  nama_ub: string | null;
  id_proyek_ub: string | null;
  kbli_ub: string | null;
  nib_umkm: string | null;
  nama_umkm: string | null;
  kbli_umkm: string | null;
  nik_umkm_masked: string | null;
  skala_usaha_umkm: string | null;
  pola_kemitraan: string | null;
  objek_kemitraan: string | null;
  volume: number | null;
  satuan: string | null;
  periode_volume: string | null;
  nilai_kemitraan: number | null;
  tgl_kesepakatan: string | null;
  tgl_mulai: string | null;
  tgl_berakhir: string | null;
  kd_daerah_pelaksanaan: string | null;
  kd_kecamatan: string | null;
  no_dokumen: string | null;
  url_dokumen: string | null;
  status_kemitraan: string | null;
  tgl_pengajuan: Date | null;
  tgl_perubahan: Date | null;
  source: string;
  first_run_id: number | null;
  last_run_id: number | null;
  updated_at: Date;
  deleted_at: Date | null;
  deleted_run_id: number | null;
  ub: PartyFacts | null;
  umkm: PartyFacts | null;
}

/** A partnership with what is stored about its parties; null when unknown. */
export async function getPartnership(db: Knex, id: string): Promise<PartnershipDetail | null> {
  const r = await db.raw(
    `select k.id_kemitraan, k.nib_ub, k.nama_ub, k.id_proyek_ub, k.kbli_ub, k.nib_umkm, k.nama_umkm, k.kbli_umkm,
            k.nik_umkm_masked, k.skala_usaha_umkm, k.pola_kemitraan, k.objek_kemitraan, k.volume::float8 as volume,
            k.satuan, k.periode_volume, k.nilai_kemitraan::float8 as nilai_kemitraan, k.tgl_kesepakatan, k.tgl_mulai,
            k.tgl_berakhir, k.kd_daerah_pelaksanaan, k.kd_kecamatan, k.no_dokumen, k.url_dokumen, k.status_kemitraan,
            k.tgl_pengajuan, k.tgl_perubahan, k.source, k.first_run_id, k.last_run_id, k.updated_at, k.deleted_at,
            k.deleted_run_id,
            case when ub.nib is null then null else json_build_object('stored', true, 'nama_perseroan', ub.nama_perseroan,
              'skala_usaha', ub.skala_usaha, 'status_nib', ub.status_nib) end as ub,
            case when um.nib is null then null else json_build_object('stored', true, 'nama_perseroan', um.nama_perseroan,
              'skala_usaha', um.skala_usaha, 'status_nib', um.status_nib) end as umkm
       from kemitraan k
       left join pelaku_usaha ub on ub.nib = k.nib_ub
       left join pelaku_usaha um on um.nib = k.nib_umkm
      where k.id_kemitraan = ?`,
    [id],
  );
  return (r.rows[0] as PartnershipDetail | undefined) ?? null;
}

export interface RealisationRow {
  tahun: number;
  triwulan: number;
  nilai_realisasi: number | null;
  volume_realisasi: number | null;
  satuan: string | null;
  sumber: string | null;
}

/** The quarterly realisation of a partnership (rows still reported), oldest quarter first. */
export async function partnershipRealisation(db: Knex, id: string): Promise<RealisationRow[]> {
  const r = await db.raw(
    `select tahun, triwulan, nilai_realisasi::float8 as nilai_realisasi, volume_realisasi::float8 as volume_realisasi,
            satuan, sumber
       from kemitraan_realisasi where id_kemitraan = ? and deleted_at is null
      order by tahun, triwulan`,
    [id],
  );
  return r.rows as RealisationRow[];
}

export interface FindingLink {
  id: number;
  rule_code: string;
  rule_title: string | null;
  severity: string;
  status: string;
  entity_type: string;
  entity_id: string;
  message: string;
  last_seen_at: Date;
}

const FINDING_COLUMNS = `f.id, f.rule_code, fr.title as rule_title, f.severity, f.status, f.entity_type, f.entity_id,
  f.message, f.last_seen_at`;
const FINDING_ORDER = `order by case f.status when 'open' then 0 when 'in_review' then 1 when 'confirmed' then 2 else 3 end,
  case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, f.id`;

/** Findings about a partnership, and those of other records computed from it (related), at most `limit`. */
export async function partnershipFindings(db: Knex, id: string, limit = DETAIL_LIST_LIMIT): Promise<FindingLink[]> {
  const r = await db.raw(
    `select ${FINDING_COLUMNS}
       from findings f left join finding_rules fr on fr.rule_code = f.rule_code
      where (f.entity_type = 'kemitraan' and f.entity_id = ?) or f.related @> array[?]::text[]
      ${FINDING_ORDER} limit ?`,
    [id, `kemitraan:${id}`, limit],
  );
  return r.rows as FindingLink[];
}

export interface HistoryRow {
  id: number;
  entity_type: string;
  entity_id: string;
  field: string;
  old_value: unknown;
  new_value: unknown;
  changed_at: Date;
  run_id: number | null;
  /** The run's trigger (schedule, manual, push, import); null when the run is unknown. */
  run_trigger: string | null;
  /** The file an import run read. */
  import_file: string | null;
}

/**
 * The change history of a partnership and of its realisation rows (entity ids 'K-…|tahun|triwulan'), newest first:
 * at most `limit` rows, and whether there are more.
 */
export async function partnershipHistory(
  db: Knex,
  id: string,
  limit = HISTORY_LIMIT,
): Promise<{ rows: HistoryRow[]; more: boolean }> {
  // The realisation keys come from the rows themselves (they are marked deleted, never removed), so both halves
  // are lookups on change_history_entity.
  const r = await db.raw(
    `select h.id, h.entity_type, h.entity_id, h.field, h.old_value, h.new_value, h.changed_at, h.run_id,
            s.trigger as run_trigger, s.scope->'import'->>'file' as import_file
       from change_history h left join sync_runs s on s.id = h.run_id
      where (h.entity_type = 'kemitraan' and h.entity_id = ?)
         or (h.entity_type = 'kemitraan_realisasi' and h.entity_id in (
               select concat_ws('|', r.id_kemitraan, r.tahun, r.triwulan) from kemitraan_realisasi r where r.id_kemitraan = ?))
      order by h.changed_at desc, h.id desc limit ?`,
    [id, id, limit + 1],
  );
  const rows = r.rows as HistoryRow[];
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

// ---- Pelaku usaha list ----

export interface BusinessFilter {
  /** A NIB (whole or its start) or a name (substring, any case). */
  q?: string | null;
  skala?: string | null;
  statusNib?: string | null;
  kdKecamatan?: string | null;
  page: number;
  pageSize: number;
}

export interface BusinessListRow {
  nib: string;
  nama_perseroan: string | null;
  jenis_perseroan: string | null;
  skala_usaha: string | null;
  status_nib: string | null;
  kd_kecamatan: string | null;
  tgl_terbit_nib: string | null;
  as_ub: number;
  as_umkm: number;
}

function businessWhere(f: BusinessFilter): Where {
  const w = new Where();
  w.add('p.deleted_at is null');
  const q = f.q?.trim();
  if (q) {
    if (/^\d{13}$/.test(q)) w.add('p.nib = ?', q);
    else if (/^\d{4,12}$/.test(q)) w.add('(p.nib like ? or p.nama_perseroan ilike ?)', `${q}%`, containsPattern(q));
    else w.add('p.nama_perseroan ilike ?', containsPattern(q));
  }
  if (f.skala) w.add('p.skala_usaha = ?', f.skala);
  if (f.statusNib) w.add('p.status_nib = ?', f.statusNib);
  if (f.kdKecamatan) w.add('p.kd_kecamatan = ?', f.kdKecamatan);
  return w;
}

/** One page of NIBs matching `f` by name, with how many partnerships name each as UB and as UMKM. */
export async function listBusinesses(db: Knex, f: BusinessFilter): Promise<Counted<BusinessListRow>> {
  const w = businessWhere(f);
  const [list, count] = await Promise.all([
    db.raw(
      `select p.nib, p.nama_perseroan, p.jenis_perseroan, p.skala_usaha, p.status_nib, p.kd_kecamatan, p.tgl_terbit_nib,
              (select count(*) from kemitraan k where k.nib_ub = p.nib and k.deleted_at is null)::int as as_ub,
              (select count(*) from kemitraan k where k.nib_umkm = p.nib and k.deleted_at is null)::int as as_umkm
         from (select p.nib, p.nama_perseroan, p.jenis_perseroan, p.skala_usaha, p.status_nib, p.kd_kecamatan, p.tgl_terbit_nib
                 from pelaku_usaha p ${w.sql} order by p.nama_perseroan, p.nib limit ? offset ?) p
        order by p.nama_perseroan, p.nib`,
      [...w.bindings, f.pageSize, (f.page - 1) * f.pageSize],
    ),
    cappedCount(db, 'pelaku_usaha p', w.sql, w.bindings),
  ]);
  return { rows: list.rows as BusinessListRow[], ...count };
}

// ---- One NIB ----

export interface BusinessDetail {
  nib: string;
  oss_id: string | null;
  nama_perseroan: string | null;
  nama_singkatan: string | null;
  jenis_pelaku_usaha: string | null;
  jenis_perseroan: string | null;
  skala_usaha: string | null;
  status_penanaman_modal: string | null;
  status_nib: string | null;
  flag_umk: string | null;
  tgl_pengajuan_nib: string | null;
  tgl_terbit_nib: string | null;
  tgl_perubahan_nib: string | null;
  alamat_perseroan: string | null;
  rt_rw_perseroan: string | null;
  kelurahan_perseroan: string | null;
  perseroan_daerah_id: string | null;
  kd_kecamatan: string | null;
  kode_pos_perseroan: string | null;
  /** The NPWP with its middle digits masked (never the whole number). */
  npwp_masked: string | null;
  npwp_is_nik: boolean;
  npwp_issues: string[];
  total_modal_dasar: number | null;
  total_modal_ditempatkan: number | null;
  source: string;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A stored NIB document; null when none is stored. */
export async function getBusiness(db: Knex, nib: string): Promise<BusinessDetail | null> {
  const r = await db.raw(
    `select nib, oss_id, nama_perseroan, nama_singkatan, jenis_pelaku_usaha, jenis_perseroan, skala_usaha,
            status_penanaman_modal, status_nib, flag_umk, tgl_pengajuan_nib, tgl_terbit_nib, tgl_perubahan_nib,
            alamat_perseroan, rt_rw_perseroan, kelurahan_perseroan, perseroan_daerah_id, kd_kecamatan, kode_pos_perseroan,
            npwp_perseroan, npwp_is_nik, npwp_issues, total_modal_dasar::float8 as total_modal_dasar,
            total_modal_ditempatkan::float8 as total_modal_ditempatkan, source, updated_at, deleted_at
       from pelaku_usaha where nib = ?`,
    [nib],
  );
  const row = r.rows[0] as (Omit<BusinessDetail, 'npwp_masked'> & { npwp_perseroan: string | null }) | undefined;
  if (!row) return null;
  const { npwp_perseroan, ...rest } = row;
  // An individual's NPWP is their NIK (stored masked already); an entity's is masked the same way on screen.
  return { ...rest, npwp_masked: npwp_perseroan === null ? null : maskDigitsInside(npwp_perseroan) };
}

/** Why a NIB has no stored document: OSS said it does not exist, or it waits in the queue. */
export interface NibStatus {
  notFound: { keterangan: string | null; first_seen_at: Date; last_checked_at: Date } | null;
  queued: { reason: string; enqueued_at: Date; attempts: number; last_error: string | null } | null;
}

export async function nibStatus(db: Knex, nib: string): Promise<NibStatus> {
  const [nf, q] = await Promise.all([
    db.raw('select keterangan, first_seen_at, last_checked_at from nib_not_found where nib = ?', [nib]),
    db.raw('select reason, enqueued_at, attempts, last_error from nib_queue where nib = ?', [nib]),
  ]);
  return { notFound: nf.rows[0] ?? null, queued: q.rows[0] ?? null };
}

export interface ShareholderRow {
  seq: number;
  nama_pemegang_saham: string | null;
  jenis_pemegang_saham: string | null;
  jabatan_pemegang_saham: string | null;
  jns_identitas_pemegang_saham: string | null;
  no_identitas_masked: string | null;
  flag_asing: string | null;
  negara_asal_pemegang_saham: string | null;
  total_modal_pemegang: number | null;
}

export interface PersonInChargeRow {
  seq: number;
  nama_penanggung_jwb: string | null;
  jabatan_penanggung_jwb: string | null;
  jns_identitas_penanggung_jwb: string | null;
  no_identitas_masked: string | null;
  flag_asing: string | null;
  kebangsaan_penanggung_jwb: string | null;
}

export interface ProjectRow {
  id_proyek: string;
  nomor_proyek: string | null;
  uraian_usaha: string | null;
  nama_kegiatan: string | null;
  kbli: string | null;
  skala_usaha: string | null;
  skala_resiko: string | null;
  jumlah_investasi: number | null;
  nama_pj: string | null;
  no_identitas_pj_masked: string | null;
}

export interface LocationRow {
  id_proyek_lokasi: string;
  id_proyek: string;
  proyek_daerah_id: string | null;
  kd_kecamatan: string | null;
  alamat_usaha: string | null;
  lat: number | null;
  lng: number | null;
}

export interface LicenceRow {
  id_izin: string;
  id_proyek: string | null;
  jenis_izin: string | null;
  nama_izin: string | null;
  instansi: string | null;
  kd_status: string | null;
  uraian_status: string | null;
  no_izin: string | null;
  tgl_izin: string | null;
}

export interface BusinessFamilies {
  shareholders: ShareholderRow[];
  personsInCharge: PersonInChargeRow[];
  projects: ProjectRow[];
  locations: LocationRow[];
  licences: LicenceRow[];
}

/** The current (not deleted) shareholders, persons in charge, projects, locations and licences of a NIB. */
export async function businessFamilies(db: Knex, nib: string): Promise<BusinessFamilies> {
  const [ps, pj, pr, lo, li] = await Promise.all([
    db.raw(
      `select seq, nama_pemegang_saham, jenis_pemegang_saham, jabatan_pemegang_saham, jns_identitas_pemegang_saham,
              no_identitas_masked, flag_asing, negara_asal_pemegang_saham, total_modal_pemegang::float8 as total_modal_pemegang
         from pemegang_saham where nib = ? and deleted_at is null order by seq`,
      [nib],
    ),
    db.raw(
      `select seq, nama_penanggung_jwb, jabatan_penanggung_jwb, jns_identitas_penanggung_jwb, no_identitas_masked,
              flag_asing, kebangsaan_penanggung_jwb
         from penanggung_jawab where nib = ? and deleted_at is null order by seq`,
      [nib],
    ),
    db.raw(
      `select id_proyek, nomor_proyek, uraian_usaha, nama_kegiatan, kbli, skala_usaha, skala_resiko,
              jumlah_investasi::float8 as jumlah_investasi, nama_pj, no_identitas_pj_masked
         from proyek where nib = ? and deleted_at is null order by id_proyek`,
      [nib],
    ),
    db.raw(
      `select id_proyek_lokasi, id_proyek, proyek_daerah_id, kd_kecamatan, alamat_usaha, lat, lng
         from proyek_lokasi where nib = ? and deleted_at is null order by id_proyek, id_proyek_lokasi`,
      [nib],
    ),
    db.raw(
      `select id_izin, id_proyek, jenis_izin, nama_izin, instansi, kd_status, uraian_status, no_izin, tgl_izin
         from perizinan where nib = ? and deleted_at is null order by id_proyek nulls last, id_izin`,
      [nib],
    ),
  ]);
  return {
    shareholders: ps.rows,
    personsInCharge: pj.rows,
    projects: pr.rows,
    locations: lo.rows,
    licences: li.rows,
  };
}

export interface PartyPartnershipRow {
  id_kemitraan: string;
  /** The other party's NIB and name. */
  nib_mitra: string | null;
  nama_mitra: string | null;
  pola_kemitraan: string | null;
  status_kemitraan: string | null;
  nilai_kemitraan: number | null;
  tgl_mulai: string | null;
}

/** Partnerships naming `nib` as UB or as UMKM (not deleted), newest change first, at most `limit`, and a capped count. */
export async function businessPartnerships(
  db: Knex,
  nib: string,
  side: 'ub' | 'umkm',
  limit = DETAIL_LIST_LIMIT,
): Promise<Counted<PartyPartnershipRow>> {
  const [self, other] = side === 'ub' ? ['nib_ub', 'umkm'] : ['nib_umkm', 'ub'];
  const where = `where k.${self} = ? and k.deleted_at is null`;
  const [list, count] = await Promise.all([
    db.raw(
      `select k.id_kemitraan, k.nib_${other} as nib_mitra, k.nama_${other} as nama_mitra, k.pola_kemitraan,
              k.status_kemitraan, k.nilai_kemitraan::float8 as nilai_kemitraan, k.tgl_mulai
         from kemitraan k ${where}
        order by k.tgl_perubahan desc nulls last, k.id_kemitraan desc limit ?`,
      [nib, limit],
    ),
    cappedCount(db, 'kemitraan k', where, [nib]),
  ]);
  return { rows: list.rows as PartyPartnershipRow[], ...count };
}

/**
 * Findings on a NIB, on its projects and licences, and on the partnerships naming it (either side), plus those
 * computed from it (related): at most `limit`, open ones first.
 */
export async function businessFindings(db: Knex, nib: string, limit = DETAIL_LIST_LIMIT): Promise<FindingLink[]> {
  const r = await db.raw(
    `select ${FINDING_COLUMNS}
       from findings f left join finding_rules fr on fr.rule_code = f.rule_code
      where (f.entity_type = 'pelaku_usaha' and f.entity_id = ?)
         or f.related @> array[?]::text[]
         or (f.entity_type = 'proyek' and f.entity_id in (select id_proyek from proyek where nib = ?))
         or (f.entity_type = 'perizinan' and f.entity_id in (select id_izin from perizinan where nib = ?))
         or (f.entity_type = 'kemitraan' and f.entity_id in (
               select id_kemitraan from kemitraan where nib_ub = ? union all select id_kemitraan from kemitraan where nib_umkm = ?))
      ${FINDING_ORDER} limit ?`,
    [nib, `pelaku_usaha:${nib}`, nib, nib, nib, nib, limit],
  );
  return r.rows as FindingLink[];
}
