/*
 * The SQL of the partnership report (`oss-sync report`, issue 13): every figure is computed over the analytics views
 * (kemitraan, kemitraan_triwulan, rantai_pasok, proyek_lokasi, pelaku_usaha, discrepancy_events …), the surface an
 * analyst reads in Metabase, so both show the same numbers. One transaction: the reference date
 * (analytics.tanggal_acuan) is pinned to the day after the period (or today, when the period is not over yet), so
 * every quarter ending in the period is due (wajib_lapor); the period's parameters go into one temp row (report_p);
 * the views are read once each into temp tables (report_kt, report_k, report_rp, report_loc) that the breakdowns
 * group. Nothing is written: the temp tables are dropped at commit.
 *
 * Which agreements (R, "terdaftar"): analytics.kemitraan rows not withdrawn (deleted_at null) whose start
 * (tgl_mulai, else tgl_kesepakatan) is on or before the period's last day, in the kecamatan where the agreement is
 * carried out when one is asked for. A quarter is in the period when it overlaps it (realisation is reported per
 * quarter); realisation counts only within the agreement's term, as kemitraan_triwulan shows it.
 */
import type { Knex } from 'knex';

/** What the report is asked for. Dates are 'YYYY-MM-DD' calendar days in the office's time zone. */
export interface ReportQuery {
  from: string;
  to: string;
  /** A 6-digit kecamatan code, or null for the whole region. */
  kecamatan: string | null;
  /** Today in the office's time zone: the reference date when the period is not over yet. */
  asOf: string;
  /** IANA zone of the office (config.sync.timezone): finding events are counted by its calendar days. */
  timeZone: string;
  /** Map points outside this box are counted, not drawn (the region's bounding box from the reference data). */
  bounds: { latMin: number; latMax: number; lngMin: number; lngMax: number } | null;
}

/** A count and a value (Rp) of agreements. */
export interface CountValue {
  count: number;
  value: number;
}

/** The tiles of "Berapa yang riil". */
export interface RealFigures {
  registered: CountValue;
  running: CountValue;
  /** Running (03) with a realisation (value or volume above 0) in a quarter of the period. */
  runningRealised: CountValue & { realised: number };
  /** Running (03) with at least one full quarter due by the period's end, and a realisation in every one of them. */
  continuous: CountValue;
  ended: CountValue;
  cancelled: CountValue;
  /** Withdrawn from OSS (deleted_at set), started on or before the period's end: not in `registered`. */
  withdrawn: CountValue;
}

/** One group of a breakdown. Agreed and realised values are of agreements 03 Berjalan and 05 Selesai only. */
export interface BreakdownRow {
  key: string | null;
  registered: number;
  running: number;
  agreed: number;
  realisedPeriod: number;
  realisedCumulative: number;
}

export interface UbRow extends BreakdownRow {
  name: string | null;
  seksi: string | null;
  partners: number;
}

export interface StatusRow extends CountValue {
  status: string | null;
}

export interface MapPoint {
  lat: number;
  lng: number;
  /** Distinct project locations at this point (coordinates rounded to 0.01°, about 1 km). */
  n: number;
}

export interface MapKecamatanRow {
  kdKecamatan: string | null;
  partnerships: number;
  ubLocations: number;
  umkmLocations: number;
}

export interface MapData {
  ub: MapPoint[];
  umkm: MapPoint[];
  /** Project locations without coordinates inside the bounds (not drawn). */
  outside: number;
  byKecamatan: MapKecamatanRow[];
}

/** Units of the supply chain: 'ton' (mass, kg converted), 'liter' or 'unit'. */
export interface SupplyCommodityRow {
  komoditas: string;
  satuan: string;
  agreements: number;
  partners: number;
  agreed: number | null;
  realised: number | null;
}

export interface SupplyQuarterRow {
  komoditas: string;
  satuan: string;
  tahun: number;
  triwulan: number;
  agreed: number | null;
  realised: number | null;
}

export interface SupplyUbRow extends SupplyCommodityRow {
  nibUb: string | null;
  namaUb: string | null;
}

export interface SupplierRow {
  idKemitraan: string;
  namaUb: string | null;
  komoditas: string;
  namaMitra: string | null;
  perorangan: boolean;
  nibUmkm: string | null;
  nikMasked: string | null;
  kelompok: string | null;
  kdKecamatan: string | null;
  namaKecamatan: string | null;
  satuan: string;
  agreed: number | null;
  realised: number | null;
}

export interface FlowRow {
  kelompok: string | null;
  kdKecamatan: string | null;
  namaKecamatan: string | null;
  nibUb: string | null;
  namaUb: string | null;
  satuan: string;
  agreed: number | null;
  realised: number | null;
}

export interface FindingEventCounts {
  ruleCode: string;
  opened: number;
  confirmed: number;
  dismissed: number;
  resolved: number;
}

/** Everything the report model is built from. */
export interface ReportData {
  query: ReportQuery;
  /** The analytics.tanggal_acuan the figures were computed with. */
  referenceDate: string;
  /** When the newest successful sync or import finished (push batches left out). */
  lastSync: Date | null;
  kecamatanName: string | null;
  kecamatanNames: Readonly<Record<string, string>>;
  sectionTitles: Readonly<Record<string, string>>;
  real: RealFigures;
  statuses: StatusRow[];
  byPattern: BreakdownRow[];
  byKecamatan: BreakdownRow[];
  bySectorUb: BreakdownRow[];
  bySectorUmkm: BreakdownRow[];
  byUb: UbRow[];
  map: MapData;
  supply: {
    byCommodity: SupplyCommodityRow[];
    byQuarter: SupplyQuarterRow[];
    byUb: SupplyUbRow[];
    suppliers: SupplierRow[];
    flows: FlowRow[];
  };
  findings: FindingEventCounts[];
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function rows<T = Record<string, unknown>>(trx: Knex.Transaction, sql: string, bindings: unknown[] = []) {
  const r = await trx.raw(sql, bindings as Knex.RawBinding[]);
  return r.rows as T[];
}

/** The day after `date` ('YYYY-MM-DD'). */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The reference date of a period: the day after it, so every quarter ending in it is due (wajib_lapor), or today
 * when the period is not over.
 */
export function referenceDateOf(to: string, asOf: string): string {
  const after = nextDay(to);
  return asOf < after ? asOf : after;
}

/** The kecamatan with this 6-digit code or name ("Lasem", "Kec. Lasem"), or null. */
export async function findKecamatan(db: Knex, value: string): Promise<{ code: string; name: string } | null> {
  const v = value.trim().replace(/^kec(amatan)?\.?\s+/i, '');
  const row = await db
    .withSchema('analytics')
    .table('label_kecamatan')
    .where('kd_kecamatan', v)
    .orWhereRaw('lower(nama) = lower(?)', [v])
    .first('kd_kecamatan', 'nama');
  return row ? { code: String(row.kd_kecamatan), name: String(row.nama) } : null;
}

/** The names of the kecamatan of the reference data, in code order. */
export async function listKecamatanNames(db: Knex): Promise<string[]> {
  return db.withSchema('analytics').table('label_kecamatan').orderBy('kd_kecamatan').pluck('nama');
}

/** Runs every query of the report for `q`; nothing is written (temp tables only, dropped at commit). */
export async function loadReportData(db: Knex, q: ReportQuery): Promise<ReportData> {
  const referenceDate = referenceDateOf(q.to, q.asOf);
  return db.transaction(async (trx) => {
    await trx.raw(`select set_config('analytics.tanggal_acuan', ?, true)`, [referenceDate]);
    // kemitraan_triwulan's generate_series makes the planner expect billions of rows, so it would JIT-compile every
    // statement (half a second each) for a few thousand rows.
    await trx.raw('set local jit = off');
    await trx.raw(
      `create temp table report_p on commit drop as
         select ?::date as date_from, ?::date as date_to, date_trunc('quarter', ?::date)::date as quarter_from,
                ?::text as kd_kecamatan,
                (?::date::timestamp at time zone ?::text) as at_from,
                ((?::date + 1)::timestamp at time zone ?::text) as at_to`,
      [q.from, q.to, q.from, q.kecamatan, q.from, q.timeZone, q.to, q.timeZone],
    );
    await createAgreements(trx);

    const [counted] = await rows(trx, REAL_SQL);
    const [withdrawn] = await rows(trx, WITHDRAWN_SQL);
    const real = { ...counted, ...withdrawn };
    const kecamatan = await rows<{ kd_kecamatan: string; nama: string }>(
      trx,
      'select kd_kecamatan, nama from analytics.label_kecamatan order by kd_kecamatan',
    );
    const sections = await rows<{ seksi: string; judul_seksi: string }>(
      trx,
      'select seksi, judul_seksi from analytics.label_kbli_seksi order by seksi',
    );
    const [sync] = await rows<{ at: Date | null }>(
      trx,
      `select max(finished_at) as at from analytics.sync_runs where status = 'succeeded' and trigger <> 'push'`,
    );
    const kecamatanNames = Object.fromEntries(kecamatan.map((k) => [k.kd_kecamatan, k.nama]));
    const cv = (prefix: string) => ({ count: num(real?.[`${prefix}_n`]), value: num(real?.[`${prefix}_v`]) });
    await createSupply(trx);
    return {
      query: q,
      referenceDate,
      lastSync: sync?.at ?? null,
      kecamatanName: q.kecamatan ? (kecamatanNames[q.kecamatan] ?? null) : null,
      kecamatanNames,
      sectionTitles: Object.fromEntries(sections.map((s) => [s.seksi, s.judul_seksi])),
      real: {
        registered: cv('registered'),
        running: cv('running'),
        runningRealised: { ...cv('running_realised'), realised: num(real?.running_realised_r) },
        continuous: cv('continuous'),
        ended: cv('ended'),
        cancelled: cv('cancelled'),
        withdrawn: cv('withdrawn'),
      },
      statuses: (
        await rows(
          trx,
          `select status_kemitraan as key, count(*)::int as n, coalesce(sum(nilai), 0)::float8 as v
             from report_k group by status_kemitraan order by status_kemitraan nulls last`,
        )
      ).map((r) => ({ status: (r.key as string | null) ?? null, count: num(r.n), value: num(r.v) })),
      byPattern: await breakdown(trx, 'pola_kemitraan'),
      byKecamatan: await breakdown(trx, 'kd_kecamatan'),
      bySectorUb: await breakdown(trx, 'seksi_ub'),
      bySectorUmkm: await breakdown(trx, 'seksi_umkm'),
      byUb: await byUb(trx),
      map: await mapData(trx, q.bounds),
      supply: await supplyData(trx),
      findings: await findingCounts(trx),
    };
  });
}

/**
 * report_kt: the kemitraan_triwulan rows up to the period's end (computed once: the view generates them); report_t:
 * per agreement, its realisation in and up to the period; report_k: one row per agreement of the report with those.
 */
async function createAgreements(trx: Knex.Transaction): Promise<void> {
  // In steps: joined in one statement, the planner (expecting billions of kemitraan_triwulan rows) picks a nested
  // loop over the aggregate, quadratic in the number of agreements.
  await rows(
    trx,
    `create temp table report_kt on commit drop as
       select kt.id_kemitraan, kt.tahun, kt.triwulan, kt.awal_triwulan, kt.akhir_triwulan, kt.nilai_realisasi,
              kt.volume_realisasi, kt.satuan, kt.ada_realisasi, kt.wajib_lapor
         from analytics.kemitraan_triwulan kt
        cross join report_p p
        where kt.awal_triwulan <= p.date_to
          and (p.kd_kecamatan is null or kt.kd_kecamatan = p.kd_kecamatan)`,
  );
  await trx.raw('analyze report_kt');
  await rows(
    trx,
    `create temp table report_t on commit drop as
       select kt.id_kemitraan,
              sum(kt.nilai_realisasi) filter (where kt.awal_triwulan >= p.quarter_from) as realised_period,
              sum(kt.nilai_realisasi) as realised_cumulative,
              bool_or(kt.ada_realisasi) filter (where kt.awal_triwulan >= p.quarter_from) as realised_in_period,
              count(*) filter (where kt.wajib_lapor and kt.akhir_triwulan <= p.date_to) as due,
              count(*) filter (where kt.wajib_lapor and kt.akhir_triwulan <= p.date_to and kt.ada_realisasi)
                as due_realised
         from report_kt kt
        cross join report_p p
        group by kt.id_kemitraan`,
  );
  await trx.raw('analyze report_t');
  await rows(
    trx,
    `create temp table report_k on commit drop as
       select m.id_kemitraan, m.nib_ub, m.nama_ub, m.id_mitra_umkm, m.nib_umkm, m.id_proyek_ub, m.pola_kemitraan,
              m.status_kemitraan, m.kd_kecamatan, analytics.kbli_seksi(m.kbli_ub) as seksi_ub,
              analytics.kbli_seksi(m.kbli_umkm) as seksi_umkm, m.nilai_kemitraan as nilai,
              coalesce(t.realised_period, 0) as realised_period,
              coalesce(t.realised_cumulative, 0) as realised_cumulative,
              coalesce(t.realised_in_period, false) as realised_in_period, coalesce(t.due, 0) as due,
              coalesce(t.due_realised, 0) as due_realised
         from analytics.kemitraan m
        cross join report_p p
         left join report_t t on t.id_kemitraan = m.id_kemitraan
        where m.deleted_at is null
          and coalesce(m.tgl_mulai, m.tgl_kesepakatan) <= p.date_to
          and (p.kd_kecamatan is null or m.kd_kecamatan = p.kd_kecamatan)`,
  );
  await trx.raw('analyze report_k');
}

const REAL_SQL = `
  select count(*)::int as registered_n, coalesce(sum(nilai), 0)::float8 as registered_v,
         (count(*) filter (where status_kemitraan = '03'))::int as running_n,
         coalesce(sum(nilai) filter (where status_kemitraan = '03'), 0)::float8 as running_v,
         (count(*) filter (where status_kemitraan = '03' and realised_in_period))::int as running_realised_n,
         coalesce(sum(nilai) filter (where status_kemitraan = '03' and realised_in_period), 0)::float8 as running_realised_v,
         coalesce(sum(realised_period) filter (where status_kemitraan = '03' and realised_in_period), 0)::float8
           as running_realised_r,
         (count(*) filter (where status_kemitraan = '03' and due > 0 and due = due_realised))::int as continuous_n,
         coalesce(sum(nilai) filter (where status_kemitraan = '03' and due > 0 and due = due_realised), 0)::float8
           as continuous_v,
         (count(*) filter (where status_kemitraan = '05'))::int as ended_n,
         coalesce(sum(nilai) filter (where status_kemitraan = '05'), 0)::float8 as ended_v,
         (count(*) filter (where status_kemitraan = '06'))::int as cancelled_n,
         coalesce(sum(nilai) filter (where status_kemitraan = '06'), 0)::float8 as cancelled_v
    from report_k`;

/** Withdrawn agreements: gone from OSS (deleted_at set), started by the period's end; not in report_k. */
const WITHDRAWN_SQL = `
  select count(*)::int as withdrawn_n, coalesce(sum(m.nilai_kemitraan), 0)::float8 as withdrawn_v
    from analytics.kemitraan m
   cross join report_p p
   where m.deleted_at is not null and coalesce(m.tgl_mulai, m.tgl_kesepakatan) <= p.date_to
     and (p.kd_kecamatan is null or m.kd_kecamatan = p.kd_kecamatan)`;

/** The aggregates of a breakdown over report_k (values of 03 and 05 only). */
const FIGURES = `
  count(*)::int as registered, (count(*) filter (where k.status_kemitraan = '03'))::int as running,
  coalesce(sum(k.nilai) filter (where k.status_kemitraan in ('03', '05')), 0)::float8 as agreed,
  coalesce(sum(k.realised_period) filter (where k.status_kemitraan in ('03', '05')), 0)::float8 as realised_period,
  coalesce(sum(k.realised_cumulative) filter (where k.status_kemitraan in ('03', '05')), 0)::float8 as realised_cumulative`;

const figures = (r: Record<string, unknown>) => ({
  registered: num(r.registered),
  running: num(r.running),
  agreed: num(r.agreed),
  realisedPeriod: num(r.realised_period),
  realisedCumulative: num(r.realised_cumulative),
});

type BreakdownColumn = 'pola_kemitraan' | 'kd_kecamatan' | 'seksi_ub' | 'seksi_umkm';

async function breakdown(trx: Knex.Transaction, column: BreakdownColumn): Promise<BreakdownRow[]> {
  const r = await rows(
    trx,
    `select k.${column} as key, ${FIGURES} from report_k k group by k.${column} order by k.${column} nulls last`,
  );
  return r.map((row) => ({ key: (row.key as string | null) ?? null, ...figures(row) }));
}

async function byUb(trx: Knex.Transaction): Promise<UbRow[]> {
  const r = await rows(
    trx,
    `select k.nib_ub as key, coalesce(max(pu.nama), max(k.nama_ub)) as name,
            mode() within group (order by k.seksi_ub) as seksi, count(distinct k.id_mitra_umkm)::int as partners,
            ${FIGURES}
       from report_k k
       left join analytics.pelaku_usaha pu on pu.nib = k.nib_ub
      group by k.nib_ub
      order by agreed desc, registered desc, k.nib_ub nulls last`,
  );
  return r.map((row) => ({
    key: (row.key as string | null) ?? null,
    name: (row.name as string | null) ?? null,
    seksi: (row.seksi as string | null) ?? null,
    partners: num(row.partners),
    ...figures(row),
  }));
}

/** Project locations of the UBs' projects named in the agreements and of the UMKM partners, binned to 0.01°. */
async function mapData(trx: Knex.Transaction, bounds: ReportQuery['bounds']): Promise<MapData> {
  const b = bounds ?? { latMin: -90, latMax: 90, lngMin: -180, lngMax: 180 };
  await rows(
    trx,
    `create temp table report_loc on commit drop as
       select distinct 'ub' as side, l.id_proyek_lokasi, l.lat, l.lng, left(l.kd_daerah, 6) as kd_kecamatan
         from report_k k join analytics.proyek_lokasi l on l.id_proyek = k.id_proyek_ub and l.deleted_at is null
       union
       select distinct 'umkm', l.id_proyek_lokasi, l.lat, l.lng, left(l.kd_daerah, 6)
         from report_k k join analytics.proyek_lokasi l on l.nib = k.nib_umkm and l.deleted_at is null`,
  );
  const inside = 'lat between ? and ? and lng between ? and ?';
  const box = [b.latMin, b.latMax, b.lngMin, b.lngMax];
  const points = await rows(
    trx,
    `select side, round(lat::numeric, 2)::float8 as lat, round(lng::numeric, 2)::float8 as lng, count(*)::int as n
       from report_loc where ${inside} group by 1, 2, 3 order by 1, 2, 3`,
    box,
  );
  const [outside] = await rows(
    trx,
    `select count(*)::int as n from report_loc where lat is null or lng is null or not (${inside})`,
    box,
  );
  const byKecamatan = await rows(
    trx,
    `select kd, (count(*) filter (where side = 'k'))::int as partnerships,
            (count(*) filter (where side = 'ub'))::int as ub, (count(*) filter (where side = 'umkm'))::int as umkm
       from (select 'k' as side, kd_kecamatan as kd from report_k
             union all select side, kd_kecamatan from report_loc) x
      group by kd
      order by 1 nulls last`,
  );
  const point = (r: Record<string, unknown>): MapPoint => ({ lat: num(r.lat), lng: num(r.lng), n: num(r.n) });
  return {
    ub: points.filter((p) => p.side === 'ub').map(point),
    umkm: points.filter((p) => p.side === 'umkm').map(point),
    outside: num(outside?.n),
    byKecamatan: byKecamatan.map((r) => ({
      kdKecamatan: (r.kd as string | null) ?? null,
      partnerships: num(r.partnerships),
      ubLocations: num(r.ub),
      umkmLocations: num(r.umkm),
    })),
  };
}

/**
 * report_rp: the supply-chain agreements of the report (03 and 05, with a volume in a known unit) and their agreed
 * and realised volume in each quarter of the period within their term, kg counted as ton. The same figures as
 * analytics.rantai_pasok_triwulan (its volume_ton_triwulan / volume_disepakati_triwulan and volume_realisasi_ton /
 * volume_realisasi), taken from rantai_pasok and the kemitraan_triwulan rows already in report_kt: the view would
 * compute rantai_pasok and kemitraan_triwulan once more for every agreement.
 */
async function createSupply(trx: Knex.Transaction): Promise<void> {
  await rows(
    trx,
    `create temp table report_rp on commit drop as
       select rp.id_kemitraan, rp.nib_ub, rp.nama_ub, rp.komoditas, rp.id_mitra_umkm, rp.nama_mitra,
              rp.mitra_perorangan, rp.nib_umkm, rp.nik_umkm_masked, rp.kelompok_mitra, rp.kecamatan_mitra,
              rp.nama_kecamatan_mitra, case when rp.satuan in ('ton', 'kg') then 'ton' else rp.satuan end as satuan,
              kt.tahun, kt.triwulan,
              case when rp.satuan in ('ton', 'kg') then rp.volume_ton_triwulan else rp.volume_disepakati_triwulan end
                as agreed,
              case when rp.satuan in ('ton', 'kg') then analytics.volume_ton(kt.volume_realisasi, s.satuan)
                   when analytics.satuan_baku(s.satuan) = rp.satuan then analytics.volume_baku(kt.volume_realisasi, s.satuan)
              end as realised
         from analytics.rantai_pasok rp
         join report_k k on k.id_kemitraan = rp.id_kemitraan and k.status_kemitraan in ('03', '05')
         join report_kt kt on kt.id_kemitraan = rp.id_kemitraan
        cross join report_p p
        cross join lateral (select coalesce(kt.satuan, rp.satuan_asli) as satuan) s
        where kt.awal_triwulan >= p.quarter_from`,
  );
  await trx.raw('analyze report_rp');
}

const VOLUMES = `sum(agreed)::float8 as agreed, sum(realised)::float8 as realised`;

async function supplyData(trx: Knex.Transaction): Promise<ReportData['supply']> {
  const volumes = (r: Record<string, unknown>) => ({ agreed: numOrNull(r.agreed), realised: numOrNull(r.realised) });
  const byCommodity = await rows(
    trx,
    `select komoditas, satuan, count(distinct id_kemitraan)::int as agreements,
            count(distinct id_mitra_umkm)::int as partners, ${VOLUMES}
       from report_rp group by 1, 2 order by agreed desc nulls last, 1, 2`,
  );
  const byQuarter = await rows(
    trx,
    `select komoditas, satuan, tahun, triwulan, ${VOLUMES} from report_rp group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  );
  const byUbRows = await rows(
    trx,
    `select nib_ub, max(nama_ub) as nama_ub, komoditas, satuan, count(distinct id_kemitraan)::int as agreements,
            count(distinct id_mitra_umkm)::int as partners, ${VOLUMES}
       from report_rp group by nib_ub, komoditas, satuan order by 2, 1, 3, 4`,
  );
  const suppliers = await rows(
    trx,
    `select id_kemitraan, max(nama_ub) as nama_ub, komoditas, max(nama_mitra) as nama_mitra,
            bool_or(mitra_perorangan) as perorangan, max(nib_umkm) as nib_umkm, max(nik_umkm_masked) as nik,
            max(kelompok_mitra) as kelompok, max(kecamatan_mitra) as kd_kecamatan,
            max(nama_kecamatan_mitra) as nama_kecamatan, satuan, ${VOLUMES}
       from report_rp group by id_kemitraan, komoditas, satuan order by 2, 3, 4, 1`,
  );
  const flows = await rows(
    trx,
    `select kelompok_mitra as kelompok, kecamatan_mitra as kd, max(nama_kecamatan_mitra) as nama, nib_ub,
            max(nama_ub) as nama_ub, satuan, ${VOLUMES}
       from report_rp group by kelompok_mitra, kecamatan_mitra, nib_ub, satuan
      order by satuan, coalesce(sum(realised), sum(agreed)) desc nulls last, 1, 2, 4`,
  );
  const commodity = (r: Record<string, unknown>) => ({
    komoditas: String(r.komoditas),
    satuan: String(r.satuan),
    agreements: num(r.agreements),
    partners: num(r.partners),
    ...volumes(r),
  });
  return {
    byCommodity: byCommodity.map(commodity),
    byQuarter: byQuarter.map((r) => ({
      komoditas: String(r.komoditas),
      satuan: String(r.satuan),
      tahun: num(r.tahun),
      triwulan: num(r.triwulan),
      ...volumes(r),
    })),
    byUb: byUbRows.map((r) => ({
      nibUb: (r.nib_ub as string | null) ?? null,
      namaUb: (r.nama_ub as string | null) ?? null,
      ...commodity(r),
    })),
    suppliers: suppliers.map((r) => ({
      idKemitraan: String(r.id_kemitraan),
      namaUb: (r.nama_ub as string | null) ?? null,
      komoditas: String(r.komoditas),
      namaMitra: (r.nama_mitra as string | null) ?? null,
      perorangan: r.perorangan === true,
      nibUmkm: (r.nib_umkm as string | null) ?? null,
      nikMasked: (r.nik as string | null) ?? null,
      kelompok: (r.kelompok as string | null) ?? null,
      kdKecamatan: (r.kd_kecamatan as string | null) ?? null,
      namaKecamatan: (r.nama_kecamatan as string | null) ?? null,
      satuan: String(r.satuan),
      ...volumes(r),
    })),
    flows: flows.map((r) => ({
      kelompok: (r.kelompok as string | null) ?? null,
      kdKecamatan: (r.kd as string | null) ?? null,
      namaKecamatan: (r.nama as string | null) ?? null,
      nibUb: (r.nib_ub as string | null) ?? null,
      namaUb: (r.nama_ub as string | null) ?? null,
      satuan: String(r.satuan),
      ...volumes(r),
    })),
  };
}

/**
 * Findings per rule by what happened to them in the period (distinct findings): opened (detected or reopened),
 * confirmed and dismissed (a verifier's move), resolved (the evaluation found the rule no longer holds).
 */
async function findingCounts(trx: Knex.Transaction): Promise<FindingEventCounts[]> {
  const r = await rows(
    trx,
    `select e.rule_code,
            (count(distinct e.finding_id) filter (where e.kind in ('detected', 'reopened')))::int as opened,
            (count(distinct e.finding_id) filter (where e.kind = 'transition' and e.to_status = 'confirmed'))::int
              as confirmed,
            (count(distinct e.finding_id) filter (where e.kind = 'transition' and e.to_status = 'dismissed'))::int
              as dismissed,
            (count(distinct e.finding_id) filter (where e.kind = 'resolved'))::int as resolved
       from analytics.discrepancy_events e
       join analytics.discrepancies d on d.id = e.finding_id
      cross join report_p p
      where e.at >= p.at_from and e.at < p.at_to
        and (p.kd_kecamatan is null or d.kd_kecamatan = p.kd_kecamatan)
      group by e.rule_code
      order by e.rule_code`,
  );
  return r.map((row) => ({
    ruleCode: String(row.rule_code),
    opened: num(row.opened),
    confirmed: num(row.confirmed),
    dismissed: num(row.dismissed),
    resolved: num(row.resolved),
  }));
}
