/*
 * Benchmark of the discrepancy engine: 100,000 partnerships and 300,000 NIB-level rows (100,000 businesses,
 * 100,000 projects, 100,000 licences; plus a location and a shareholder per business and two realisations per
 * partnership), generated in SQL with generate_series in a fresh database, with a few percent of planted problems
 * so the rules do real work. Measures a full evaluation, the same full evaluation on unchanged data, and the
 * incremental one (evaluatePending over the change log) after a run that changed 500 partnerships and 100
 * businesses, against a full evaluation of the same change. bench/run.ts calls benchFindings; run alone with
 * `npx tsx bench/findings.ts` (BENCH_ADMIN_URL, BENCH_FINDINGS_SCALE: 0.05 is a quick run).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createDb, type Db, migrate } from '../src/store/db.js';
import { evaluatePending, type FindingCounts } from '../src/verification/evaluate.js';

const SCALE = Number(process.env.BENCH_FINDINGS_SCALE ?? 1);
/** Row counts of the generated world at a scale (1: 100,000 partnerships and 100,000 businesses, 2,000 of them large). */
const worldSize = (scale: number) => ({
  partnerships: Math.round(scale * 100_000),
  businesses: Math.round(scale * 100_000),
  large: Math.max(100, Math.round(scale * 2_000)),
});
/** The evaluation instant (WIB 2025-06-01 10:00). */
export const EVALUATION_NOW = new Date('2025-06-01T03:00:00Z');

/** `url` with its database replaced by `name`. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on its own connection (create or drop a database). */
export async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const nib = (g: string) => `(8120000000000 + ${g})::text`;

/**
 * Generates the dataset into a migrated database; returns the sync run the rows belong to. The web console bench
 * (bench/web.ts) seeds its world with this too, at its own scale.
 */
export async function generateFindingsDataset(db: Db, scale = SCALE): Promise<number> {
  const { partnerships: PARTNERSHIPS, businesses: BUSINESSES, large: LARGE } = worldSize(scale);
  const [run] = await db('sync_runs')
    .insert({ trigger: 'manual', status: 'succeeded', requested_by: 'bench' })
    .returning('id');
  const runId = Number(run.id);
  const meta = `'bench', 'bench', ${runId}, ${runId}`;
  // Kecamatan 01–14 of Rembang, desa codes 2001–2030.
  const region = (g: string) =>
    `'3317' || lpad((1 + ${g} % 14)::text, 2, '0') || '2' || lpad((1 + ${g} % 30)::text, 3, '0')`;
  await db.raw(`
    insert into pelaku_usaha (nib, nama_perseroan, jenis_pelaku_usaha, jenis_perseroan, status_penanaman_modal, flag_umk,
                              skala_usaha, npwp_perseroan, npwp_hash, npwp_issues, perseroan_daerah_id, kd_kecamatan, persen_pma,
                              status_nib, kd_dni, tgl_pengajuan_nib, tgl_terbit_nib, tgl_perubahan_nib,
                              content_hash, source, first_run_id, last_run_id)
    select ${nib('g')}, case when g <= ${LARGE} then 'PT BESAR ' || g else 'CV MITRA ' || g end, '01',
           case when g <= ${LARGE} then '01' else '02' end, '02',
           case when g <= ${LARGE} or g % 200 = 0 then 'N' else 'Y' end,
           case when g <= ${LARGE} or g % 200 = 0 then '04' else '02' end,
           '0' || lpad(g::text, 15, '0'), 'npwp-' || case when g % 500 = 0 then g - 1 else g end,
           case when g % 400 = 0 then array['length'] else '{}'::text[] end,
           case when g % 300 = 0 then '3374012001' else ${region('g')} end, left(${region('g')}, 6), 0,
           case when g % 250 = 0 then '06' else '01' end,
           case when g <= ${LARGE} and g % 10 = 0 then array['65'] else '{}'::text[] end,
           date '2022-01-01' + g % 700, date '2022-01-01' + g % 700, date '2024-01-01' + g % 300,
           ${meta}
      from generate_series(1, ${BUSINESSES}) g;

    insert into pemegang_saham (nib, seq, nama_pemegang_saham, flag_asing, no_identitas_hash, no_identitas_masked, content_hash, source, first_run_id, last_run_id)
    select ${nib('g')}, 1, 'PEMILIK ' || g, 'N',
           -- Every 700th UMKM shares its UB's shareholder (PARTNER_AFFILIATED); see the partnership pairing below.
           'id-' || case when g > ${LARGE} and g % 700 = 0 then (1 + ((g - ${LARGE} - 1) / 50) % ${LARGE})::text else g::text end,
           '3317********' || lpad((g % 10000)::text, 4, '0'), ${meta}
      from generate_series(1, ${BUSINESSES}) g;

    insert into proyek (id_proyek, nib, kbli, skala_resiko, jumlah_investasi, pembelian_pematang_tanah, bangunan_gedung,
                        nama_kegiatan, tgl_pengajuan_proyek, content_hash, source, first_run_id, last_run_id)
    select 'R-' || to_char(date '2022-01-01' + g % 700, 'YYYYMMDD') || '0900001' || lpad(g::text, 9, '0'), ${nib('g')},
           case when g <= ${LARGE} then '10213' when g % 200 = 0 then '3111' else '03111' end,
           case when g <= ${LARGE} then 'MT' else 'R' end,
           case when g <= ${LARGE} then 20000000000 when g % 150 = 0 then 8000000000 else 2000000000 end,
           0, 0, 'KEGIATAN ' || g, date '2022-01-01' + g % 700, ${meta}
      from generate_series(1, ${BUSINESSES}) g;

    insert into proyek_lokasi (id_proyek_lokasi, id_proyek, nib, proyek_daerah_id, kd_kecamatan, status_lokasi, lat, lng, lat_lng,
                               content_hash, source, first_run_id, last_run_id)
    select 'L-' || g, p.id_proyek, p.nib, ${region('g')}, left(${region('g')}, 6), '01',
           case when g % 100 = 0 then 111.3 else -6.7 end, case when g % 100 = 0 then -6.7 else 111.3 end, null, ${meta}
      from generate_series(1, ${BUSINESSES}) g join proyek p on p.nib = ${nib('g')};

    insert into perizinan (id_izin, nib, id_proyek, jenis_izin, kd_status, uraian_status, kd_daerah, nama_izin, tgl_izin,
                           content_hash, source, first_run_id, last_run_id)
    select 'I-' || to_char(date '2022-01-01' + g % 700, 'YYYYMMDD') || '1000001' || lpad(g::text, 9, '0'), p.nib, p.id_proyek,
           case when g <= ${LARGE} and g % 40 <> 0 then '04' else '01' end, case when g % 200 = 0 then '58' else '50' end,
           'Disetujui', '3317000000', 'IZIN ' || g, date '2022-03-01' + g % 700, ${meta}
      from generate_series(1, ${BUSINESSES}) g join proyek p on p.nib = ${nib('g')};

    insert into kemitraan (id_kemitraan, nib_ub, nama_ub, kbli_ub, nib_umkm, nama_umkm, kbli_umkm, skala_usaha_umkm, pola_kemitraan,
                           volume, satuan, periode_volume, nilai_kemitraan, tgl_kesepakatan, tgl_mulai, tgl_berakhir,
                           kd_daerah_pelaksanaan, kd_kecamatan, status_kemitraan, tgl_pengajuan, tgl_perubahan,
                           content_hash, source, first_run_id, last_run_id)
    select 'K-' || to_char(m.mulai - 5, 'YYYYMMDD') || '0930001' || lpad(i::text, 9, '0'),
           ${nib('m.ub')}, 'PT BESAR ' || m.ub, '10213', ${nib('m.umkm')},
           case when i % 120 = 0 then 'UD LAIN ' || i else 'CV MITRA ' || m.umkm end,
           case when i % 90 = 0 then '13134' else '03111' end, '02',
           case when i % 110 = 0 and i % 1000 <> 0 and i % 1000 <> 999 then '04' else '06' end, 10, 'ton', 'bulan',
           case when i % 97 = 0 then 0 else 1000000000 end,
           m.mulai - 5, m.mulai, m.mulai + case when i % 80 = 0 then 300 else 1100 end,
           ${region('i')}, left(${region('i')}, 6),
           case when i % 100 = 0 then '02' when i % 7 = 0 then '05' else '03' end,
           (m.mulai - 5)::timestamp at time zone 'Asia/Jakarta', (m.mulai - 5)::timestamp at time zone 'Asia/Jakarta',
           ${meta}
      from generate_series(1, ${PARTNERSHIPS}) i
      -- Each UB has 50 consecutive partnerships; every UMKM partners once (twice past ${BUSINESSES - LARGE}), and every
      -- 1000th agreement repeats the previous one's parties (DUPLICATE_PARTNERSHIP).
      cross join lateral (select 1 + ((i - 1) / 50) % ${LARGE} as ub,
                                 ${LARGE + 1} + (case when i % 1000 = 0 then i - 2 else i - 1 end) % ${BUSINESSES - LARGE} as umkm,
                                 date '2023-01-01' + i % 500 as mulai) m;

    insert into kemitraan_realisasi (id_kemitraan, tahun, triwulan, nilai_realisasi, volume_realisasi, satuan,
                                     content_hash, source, first_run_id, last_run_id)
    -- The two quarters after the start quarter.
    select k.id_kemitraan, (s.qi + q) / 4, (s.qi + q) % 4 + 1, 50000000, 20, 'ton', ${meta}
      from kemitraan k
      cross join lateral (select extract(year from k.tgl_mulai)::int * 4 + extract(quarter from k.tgl_mulai)::int as qi) s
      cross join generate_series(0, 1) q
     where right(k.id_kemitraan, 2) <> '13'
    on conflict do nothing;

    analyze;`);
  return runId;
}

/** A later run's change, logged by the database: 500 partnerships (value, status) and 100 businesses (scale). */
async function changeSome(db: Db): Promise<number> {
  const { large: LARGE } = worldSize(SCALE);
  const [run] = await db('sync_runs')
    .insert({ trigger: 'manual', status: 'succeeded', requested_by: 'bench' })
    .returning('id');
  const runId = Number(run.id);
  await db.raw(
    `update kemitraan set nilai_kemitraan = case when nilai_kemitraan = 0 then 900000000 else 0 end,
            status_kemitraan = case status_kemitraan when '03' then '05' else '03' end, last_run_id = ?, updated_at = now()
      where id_kemitraan in (select id_kemitraan from kemitraan order by id_kemitraan offset ${Math.round(SCALE * 20_000)} limit 500)`,
    [runId],
  );
  await db.raw(
    `update pelaku_usaha set skala_usaha = case skala_usaha when '04' then '02' else '04' end, last_run_id = ?, updated_at = now()
      where nib in (select nib from pelaku_usaha where nib > ${nib(String(Math.round(LARGE * 2.5)))} order by nib limit 100)`,
    [runId],
  );
  return runId;
}

/** Collects step timings (rounded ms); BENCH_FINDINGS_VERBOSE=1 also prints them. */
const recorder = (into: Record<string, number>) => (step: string, ms: number) => {
  into[step] = Math.round(ms);
  if (process.env.BENCH_FINDINGS_VERBOSE) process.stderr.write(`  ${step}: ${Math.round(ms)} ms\n`);
};

/** "rule X=1200 new=800 …": the five slowest steps. */
const slowest = (steps: Record<string, number>) =>
  Object.entries(steps)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, v]) => `${k.replace(/^rule /, '')}=${v}`)
    .join(' ');

const total = (counts: FindingCounts, key: 'new' | 'resolved' | 'reopened' | 'open') =>
  Object.values(counts).reduce((a, c) => a + c[key], 0);

/** Runs the benchmark in a fresh database created from `adminUrl` (dropped afterwards); returns the figures. */
export async function benchFindings(adminUrl: string): Promise<Record<string, number | string>> {
  const name = `oss_bench_findings_${randomBytes(3).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  const db = createDb(withDatabase(adminUrl, name));
  try {
    await migrate(db);
    let t0 = performance.now();
    const firstRun = await generateFindingsDataset(db);
    const generateMs = performance.now() - t0;
    const rows = (
      await db.raw(`select (select count(*) from kemitraan)::int as kemitraan,
                           (select count(*) from pelaku_usaha)::int + (select count(*) from proyek)::int
                             + (select count(*) from perizinan)::int as nib_level`)
    ).rows[0] as { kemitraan: number; nib_level: number };

    const generatedLog = await logSize(db);

    t0 = performance.now();
    const fullSteps: Record<string, number> = {};
    // The dataset's writes are far over the incremental limit: the first evaluation is region-wide by itself.
    const full = await evaluatePending(db, {
      runId: firstRun,
      now: EVALUATION_NOW,
      kdDaerah: '3317',
      onStep: recorder(fullSteps),
    });
    const fullMs = performance.now() - t0;

    t0 = performance.now();
    const again = await evaluatePending(db, { runId: null, now: EVALUATION_NOW, kdDaerah: '3317', all: true });
    const fullUnchangedMs = performance.now() - t0;

    // The same change evaluated both ways: region-wide (rolled back), then incrementally from the log.
    const secondRun = await changeSome(db);
    const changedLog = await logSize(db);
    t0 = performance.now();
    await db
      .transaction(async (trx) => {
        await evaluatePending(trx, { runId: secondRun, now: EVALUATION_NOW, kdDaerah: '3317', all: true });
        throw new RolledBack();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RolledBack)) throw err;
      });
    const fullAfterChangeMs = performance.now() - t0;
    t0 = performance.now();
    const incrementalSteps: Record<string, number> = {};
    const incremental = await evaluatePending(db, {
      runId: secondRun,
      now: EVALUATION_NOW,
      kdDaerah: '3317',
      onStep: recorder(incrementalSteps),
    });
    const incrementalMs = performance.now() - t0;
    const scope = incremental.scopeSizes === 'all' ? null : incremental.scopeSizes;

    return {
      findings_partnerships: rows.kemitraan,
      findings_nib_level_rows: rows.nib_level,
      findings_generate_ms: Math.round(generateMs),
      findings_full_evaluation_ms: Math.round(fullMs),
      findings_full_slowest_steps: slowest(fullSteps),
      findings_full_evaluation_unchanged_ms: Math.round(fullUnchangedMs),
      findings_change_log_after_generate: generatedLog,
      findings_full_evaluation_after_change_ms: Math.round(fullAfterChangeMs),
      findings_incremental_evaluation_ms: Math.round(incrementalMs),
      findings_incremental_slowest_steps: slowest(incrementalSteps),
      findings_detected: total(full.counts, 'new'),
      findings_detected_by_rule: Object.entries(full.counts)
        .filter(([, c]) => c.new > 0)
        .map(([code, c]) => `${code}=${c.new}`)
        .join(' '),
      findings_unchanged_rerun_changes:
        total(again.counts, 'new') + total(again.counts, 'resolved') + total(again.counts, 'reopened'),
      findings_incremental_log_entries: changedLog,
      findings_incremental_covered: incremental.changes,
      findings_incremental_scope: scope
        ? `${scope.kemitraan} kemitraan, ${scope.pelaku_usaha} pelaku_usaha, ${scope.proyek} proyek, ${scope.perizinan} perizinan`
        : 'all',
      findings_incremental_new: total(incremental.counts, 'new'),
      findings_incremental_resolved: total(incremental.counts, 'resolved'),
      findings_active_after: total(incremental.counts, 'open'),
    };
  } finally {
    await db.destroy();
    await admin(adminUrl, `drop database if exists ${name} with (force)`);
  }
}

class RolledBack extends Error {}

async function logSize(db: Db): Promise<number> {
  return Number((await db('entity_changes').count({ n: '*' }))[0]?.n ?? 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  console.log('findings', await benchFindings(adminUrl));
}
