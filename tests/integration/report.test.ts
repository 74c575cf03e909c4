/*
 * `oss-sync report` on a synced simulator world (issue 13): every number of the report model — each tile, each count,
 * value, volume and rate of every table — equals an independent SQL query written here over the analytics views
 * (kemitraan, kemitraan_realisasi, rantai_pasok, proyek_lokasi, discrepancy_events …, never src/store/report.ts),
 * for a quarter, for the same quarter in one kecamatan, and for a half-year. Quarter arithmetic here is written from
 * the dates and the realisation rows directly, not through kemitraan_triwulan. The test plants what the world lacks:
 * withdrawn agreements, a cancelled one with realisation, a running one that skipped a quarter, verifiers' decisions
 * and a resolution in the period (and one just after it, WIB), a business name that is markup. Then the xlsx (opened
 * in exceljs) carries the same figures, the HTML is self-contained and escaped, and the command line is strict.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/report.js';
import type { Config } from '../../src/config.js';
import { buildReport, type ReportRuntime } from '../../src/report/generate.js';
import { renderReportHtml } from '../../src/report/html.js';
import {
  type PartnershipReport,
  quarterPeriod,
  type ReportCell,
  type ReportPeriod,
  type ReportTable,
  rangePeriod,
} from '../../src/report/partnershipReport.js';
import { renderReportXlsx, reportTables } from '../../src/report/xlsx.js';
import { IDENTITY_RULES } from '../../src/rules/identity.js';
import { LICENSING_RULES } from '../../src/rules/licensing.js';
import { PARTNERSHIP_RULES } from '../../src/rules/partnership.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, silentLog, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
/** The sync (and its evaluation) runs on 20 August 2026: the findings are detected in 2026 Q3. */
const SYNCED_AT = new Date('2026-08-20T03:00:00Z');
/** The report is made on 20 November 2026, 10:00 WIB: the last complete quarter is 2026 Q3. */
const GENERATED = new Date('2026-11-20T03:00:00Z');
const LASEM = '331714';
const HOSTILE = 'PT <b>HOSTILE</b> & "CO"';

const Q3 = quarterPeriod(2026, 3);
const HALF = rangePeriod('2026-04-01', '2026-09-30');

/** Quarter index of a date expression (year * 4 + quarter - 1), as realisation rows are keyed. */
const qi = (d: string) => `(extract(year from ${d})::int * 4 + extract(quarter from ${d})::int - 1)`;
const quarterIndex = (date: string) => Number(date.slice(0, 4)) * 4 + Math.floor((Number(date.slice(5, 7)) - 1) / 3);

let t: TestDatabase;
let sim: RunningSimulator;
let config: Config;
let rt: ReportRuntime;

async function rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await t.db.raw(sql)).rows as T[];
}

/** Cells comparable across float8 sums computed in another order: numbers rounded to 6 decimals. */
const norm = (r: readonly (ReportCell | undefined)[]): ReportCell[] =>
  r.map((c) => (typeof c === 'number' ? Math.round(c * 1e6) / 1e6 : (c ?? null)));
const sorted = (rs: readonly (readonly (ReportCell | undefined)[])[]) =>
  rs.map(norm).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const rate = (part: unknown, whole: unknown) =>
  num(part) === null || !num(whole) ? null : (num(part) as number) / (num(whole) as number);

function table(report: PartnershipReport, key: string): ReportTable {
  const found = reportTables(report).find((x) => x.key === key);
  if (!found) throw new Error(`no table ${key}`);
  return found;
}

/** Every figure of the report for `period` (quarter-aligned) and kecamatan `kec`, from SQL over the analytics views. */
async function expected(period: ReportPeriod, kec: string | null) {
  const { from, to } = period;
  const q0 = quarterIndex(from);
  const q1 = quarterIndex(to);
  const inKec = kec ? `and k.kd_kecamatan = '${kec}'` : '';
  // reg: the registered agreements; real: their realisation rows within their term, up to the period's last quarter.
  const base = `
    with reg as (
      select k.*, coalesce(k.tgl_mulai, k.tgl_kesepakatan) as start from analytics.kemitraan k
       where k.deleted_at is null and coalesce(k.tgl_mulai, k.tgl_kesepakatan) <= date '${to}' ${inKec}
    ), real as (
      select r.id_kemitraan, r.tahun * 4 + r.triwulan - 1 as qi, r.nilai_realisasi, r.volume_realisasi, r.satuan
        from analytics.kemitraan_realisasi r join reg k on k.id_kemitraan = r.id_kemitraan
       where r.deleted_at is null
         and r.tahun * 4 + r.triwulan - 1 between ${qi('k.start')} and least(coalesce(${qi('k.tgl_berakhir')}, 999999), ${q1})
    ), fig as (
      select k.*,
             (select sum(x.nilai_realisasi) from real x where x.id_kemitraan = k.id_kemitraan and x.qi >= ${q0}) as rp,
             (select sum(x.nilai_realisasi) from real x where x.id_kemitraan = k.id_kemitraan) as rc,
             exists (select 1 from real x where x.id_kemitraan = k.id_kemitraan and x.qi >= ${q0}
                        and (x.nilai_realisasi > 0 or x.volume_realisasi > 0)) as has_rp,
             (select count(*) from generate_series(date_trunc('quarter', k.start::timestamp), date '${to}'::timestamp, interval '3 months') g(s)
               where k.start <= g.s::date and (g.s + interval '3 months - 1 day')::date <= date '${to}'
                 and (k.tgl_berakhir is null or k.tgl_berakhir >= (g.s + interval '3 months - 1 day')::date)) as full_q,
             (select count(*) from generate_series(date_trunc('quarter', k.start::timestamp), date '${to}'::timestamp, interval '3 months') g(s)
               where k.start <= g.s::date and (g.s + interval '3 months - 1 day')::date <= date '${to}'
                 and (k.tgl_berakhir is null or k.tgl_berakhir >= (g.s + interval '3 months - 1 day')::date)
                 and exists (select 1 from real x where x.id_kemitraan = k.id_kemitraan and x.qi = ${qi('g.s')}
                                and (x.nilai_realisasi > 0 or x.volume_realisasi > 0))) as full_real
        from reg k
    )`;
  const figures = `count(*)::int as registered, (count(*) filter (where status_kemitraan = '03'))::int as running,
    coalesce(sum(nilai_kemitraan) filter (where status_kemitraan in ('03', '05')), 0)::float8 as agreed,
    coalesce(sum(rp) filter (where status_kemitraan in ('03', '05')), 0)::float8 as rp,
    coalesce(sum(rc) filter (where status_kemitraan in ('03', '05')), 0)::float8 as rc`;
  const cells = (r: Record<string, unknown>): ReportCell[] => [
    num(r.registered),
    num(r.running),
    num(r.agreed),
    num(r.rp),
    num(r.rc),
    rate(r.rc, r.agreed),
  ];
  const breakdown = async (keySql: string, join = '') => {
    const g = await rows(`${base} select ${keySql} as key, ${figures} from fig k ${join} group by 1`);
    const [total] = await rows(`${base} select ${figures} from fig`);
    return { rows: g.map((r) => [String(r.key), ...cells(r)]), total: ['Jumlah', ...cells(total!)] };
  };
  const cv = (n: unknown, v: unknown): [number, number] => [Number(n), Number(v)];
  const [tile] = await rows(`${base}
    select count(*) as reg_n, coalesce(sum(nilai_kemitraan), 0) as reg_v,
           count(*) filter (where status_kemitraan = '03') as run_n,
           coalesce(sum(nilai_kemitraan) filter (where status_kemitraan = '03'), 0) as run_v,
           count(*) filter (where status_kemitraan = '03' and has_rp) as rr_n,
           coalesce(sum(nilai_kemitraan) filter (where status_kemitraan = '03' and has_rp), 0) as rr_v,
           coalesce(sum(rp) filter (where status_kemitraan = '03' and has_rp), 0) as rr_r,
           count(*) filter (where status_kemitraan = '03' and full_q > 0 and full_q = full_real) as cont_n,
           coalesce(sum(nilai_kemitraan) filter (where status_kemitraan = '03' and full_q > 0 and full_q = full_real), 0) as cont_v,
           count(*) filter (where status_kemitraan = '05') as end_n,
           coalesce(sum(nilai_kemitraan) filter (where status_kemitraan = '05'), 0) as end_v,
           count(*) filter (where status_kemitraan = '06') as can_n,
           coalesce(sum(nilai_kemitraan) filter (where status_kemitraan = '06'), 0) as can_v,
           (select count(*) from analytics.kemitraan k where k.deleted_at is not null
               and coalesce(k.tgl_mulai, k.tgl_kesepakatan) <= date '${to}' ${inKec}) as wd_n,
           (select coalesce(sum(nilai_kemitraan), 0) from analytics.kemitraan k where k.deleted_at is not null
               and coalesce(k.tgl_mulai, k.tgl_kesepakatan) <= date '${to}' ${inKec}) as wd_v
      from fig`);
  const x = tile!;
  const tiles = {
    registered: cv(x.reg_n, x.reg_v),
    running: cv(x.run_n, x.run_v),
    runningRealised: cv(x.rr_n, x.rr_v),
    realised: Number(x.rr_r),
    continuous: cv(x.cont_n, x.cont_v),
    ended: cv(x.end_n, x.end_v),
    cancelled: cv(x.can_n, x.can_v),
    withdrawn: cv(x.wd_n, x.wd_v),
  };
  const status = await rows(`${base}
    select coalesce(l.kode || ' ' || l.label, k.status_kemitraan, '(tanpa status)') as key, count(*)::int as n,
           coalesce(sum(k.nilai_kemitraan), 0)::float8 as v
      from fig k left join analytics.label_status_kemitraan l on l.kode = k.status_kemitraan group by 1`);
  const pola = await breakdown(
    `coalesce(l.kode || ' ' || l.label, k.pola_kemitraan, '(tanpa pola)')`,
    'left join analytics.label_pola_kemitraan l on l.kode = k.pola_kemitraan',
  );
  const kecamatan = await breakdown(
    `coalesce(l.nama, k.kd_kecamatan || ' (luar wilayah)', '(tanpa kecamatan)')`,
    'left join analytics.label_kecamatan l on l.kd_kecamatan = k.kd_kecamatan',
  );
  const sector = (col: string) =>
    breakdown(
      `coalesce(s.seksi || ' ' || s.judul_seksi, '(KBLI tidak dikenal)')`,
      `left join analytics.label_kbli_seksi s on s.seksi = analytics.kbli_seksi(k.${col})`,
    );
  const ub = await rows(`${base}
    select coalesce(max(p.nama), max(k.nama_ub)) as name, k.nib_ub,
           mode() within group (order by analytics.kbli_seksi(k.kbli_ub)) as seksi,
           count(distinct k.id_mitra_umkm)::int as partners, ${figures}
      from fig k left join analytics.pelaku_usaha p on p.nib = k.nib_ub group by k.nib_ub
     order by agreed desc, registered desc, k.nib_ub`);
  // Locations: of the UB projects named in the agreements and of the UMKM partners' projects.
  const locations = `
    select distinct 'ub' as side, l.id_proyek_lokasi, l.lat, l.lng, left(l.kd_daerah, 6) as kd
      from analytics.proyek_lokasi l where l.deleted_at is null and l.id_proyek in (select id_proyek_ub from reg)
    union all
    select distinct 'umkm', l.id_proyek_lokasi, l.lat, l.lng, left(l.kd_daerah, 6)
      from analytics.proyek_lokasi l where l.deleted_at is null and l.nib in (select nib_umkm from reg)`;
  const perKec = await rows(`${base}, loc as (${locations}), kec as (
      select kd_kecamatan as kd from reg union select kd from loc)
    select coalesce(lk.nama, kec.kd || ' (luar wilayah)', '(tanpa kecamatan)') as name,
           (select count(*) from reg r where r.kd_kecamatan is not distinct from kec.kd)::int as k,
           (select count(*) from loc where loc.side = 'ub' and loc.kd is not distinct from kec.kd)::int as ub,
           (select count(*) from loc where loc.side = 'umkm' and loc.kd is not distinct from kec.kd)::int as umkm
      from kec left join analytics.label_kecamatan lk on lk.kd_kecamatan = kec.kd`);
  const [drawn] = await rows(`${base}, loc as (${locations})
    select count(*) filter (where side = 'ub' and lat between -7.05 and -6.55 and lng between 111 and 111.8)::int as ub,
           count(*) filter (where side = 'umkm' and lat between -7.05 and -6.55 and lng between 111 and 111.8)::int as umkm,
           count(*) filter (where not coalesce(lat between -7.05 and -6.55 and lng between 111 and 111.8, false))::int as outside
      from loc`);
  // Supply chains: 03 and 05 agreements with a volume, in each quarter of the period within their term.
  const supply = `${base}, sq as (
      select rp.*, g.q, case when rp.satuan in ('ton', 'kg') then 'ton' else rp.satuan end as su,
             case when rp.satuan in ('ton', 'kg') then rp.volume_ton_triwulan else rp.volume_disepakati_triwulan end as agreed,
             (select case when rp.satuan in ('ton', 'kg') then analytics.volume_ton(r.volume_realisasi, coalesce(r.satuan, rp.satuan_asli))
                          when analytics.satuan_baku(coalesce(r.satuan, rp.satuan_asli)) = rp.satuan
                            then analytics.volume_baku(r.volume_realisasi, coalesce(r.satuan, rp.satuan_asli)) end
                from analytics.kemitraan_realisasi r
               where r.id_kemitraan = rp.id_kemitraan and r.deleted_at is null and r.tahun * 4 + r.triwulan - 1 = g.q) as realised
        from analytics.rantai_pasok rp
        join reg k on k.id_kemitraan = rp.id_kemitraan and k.status_kemitraan in ('03', '05')
       cross join generate_series(${q0}, ${q1}) g(q)
       where g.q between ${qi('k.start')} and coalesce(${qi('k.tgl_berakhir')}, 999999)
    )`;
  const vols = 'sum(agreed)::float8 as agreed, sum(realised)::float8 as realised';
  const commodity = await rows(`${supply}
    select komoditas, su, count(distinct id_kemitraan)::int as n, count(distinct id_mitra_umkm)::int as partners, ${vols}
      from sq group by 1, 2`);
  const perQuarter = await rows(`${supply}
    select komoditas, su, q / 4 as tahun, q % 4 + 1 as triwulan, ${vols} from sq group by 1, 2, 3, 4`);
  const perUb = await rows(`${supply}
    select coalesce(max(nama_ub), nib_ub, '-') as name, komoditas, su, count(distinct id_kemitraan)::int as n,
           count(distinct id_mitra_umkm)::int as partners, ${vols}
      from sq group by nib_ub, komoditas, su`);
  const suppliers = await rows(`${supply}
    select coalesce(max(nama_ub), '-') as ub, komoditas, coalesce(max(nama_mitra), '-') as mitra,
           case when bool_or(mitra_perorangan) then 'NIK ' || coalesce(max(nik_umkm_masked), '-') else coalesce(max(nib_umkm), '-') end as id,
           coalesce(max(kelompok_mitra), '-') as kelompok,
           coalesce(max(nama_kecamatan_mitra), max(kecamatan_mitra) || ' (luar wilayah)', '-') as kec, su, ${vols}
      from sq group by id_kemitraan, komoditas, su`);
  const flows = await rows(`${supply}
    select coalesce(kelompok_mitra, 'Mitra lain') || case when max(nama_kecamatan_mitra) is not null then ' Kec. ' || max(nama_kecamatan_mitra)
             when kecamatan_mitra is not null then ' (luar wilayah, ' || kecamatan_mitra || ')' else ' (kecamatan tidak diketahui)' end as grp,
           coalesce(max(nama_ub), nib_ub, '-') as ub, su, ${vols}
      from sq group by kelompok_mitra, kecamatan_mitra, nib_ub, su`);
  const findings = await rows(`
    select e.rule_code,
           count(distinct e.finding_id) filter (where e.kind in ('detected', 'reopened'))::int as opened,
           count(distinct e.finding_id) filter (where e.kind = 'transition' and e.to_status = 'confirmed')::int as confirmed,
           count(distinct e.finding_id) filter (where e.kind = 'transition' and e.to_status = 'dismissed')::int as dismissed,
           count(distinct e.finding_id) filter (where e.kind = 'resolved')::int as resolved
      from analytics.discrepancy_events e join analytics.discrepancies d on d.id = e.finding_id
     where (e.at at time zone 'Asia/Jakarta')::date between date '${from}' and date '${to}'
       ${kec ? `and d.kd_kecamatan = '${kec}'` : ''}
     group by 1`);
  return {
    tiles,
    status: status.map((r) => [String(r.key), num(r.n), num(r.v)]),
    pola,
    kecamatan,
    sectorUb: await sector('kbli_ub'),
    sectorUmkm: await sector('kbli_umkm'),
    ub: ub.map((r) => [
      String(r.name ?? '-'),
      r.nib_ub as string,
      (r.seksi as string) ?? null,
      num(r.partners),
      ...cells(r),
    ]),
    perKec: perKec.map((r) => [String(r.name), num(r.k), num(r.ub), num(r.umkm)]),
    drawn: drawn as { ub: number; umkm: number; outside: number },
    commodity: commodity.map((r) => [
      String(r.komoditas),
      String(r.su),
      num(r.n),
      num(r.partners),
      num(r.agreed),
      num(r.realised),
      rate(r.realised, r.agreed),
    ]),
    perQuarter: perQuarter.map((r) => [
      String(r.komoditas),
      String(r.su),
      `${r.tahun} Tw ${['I', 'II', 'III', 'IV'][Number(r.triwulan) - 1]}`,
      num(r.agreed),
      num(r.realised),
      rate(r.realised, r.agreed),
    ]),
    perUb: perUb.map((r) => [
      String(r.name),
      String(r.komoditas),
      String(r.su),
      num(r.n),
      num(r.partners),
      num(r.agreed),
      num(r.realised),
      rate(r.realised, r.agreed),
    ]),
    suppliers: suppliers.map((r) => [
      String(r.ub),
      String(r.komoditas),
      String(r.mitra),
      String(r.id),
      String(r.kelompok),
      String(r.kec),
      String(r.su),
      num(r.agreed),
      num(r.realised),
    ]),
    flows: flows.map((r) => ({
      unit: String(r.su),
      row: [
        String(r.grp),
        String(r.ub),
        num(r.agreed),
        num(r.realised),
        num(r.realised) ? num(r.realised) : (num(r.agreed) ?? 0),
      ] as ReportCell[],
    })),
    findings: findings.map((r) => ({
      code: String(r.rule_code),
      counts: [num(r.opened), num(r.confirmed), num(r.dismissed), num(r.resolved)] as number[],
    })),
  };
}

const FAMILY_OF = new Map<string, string>([
  ...IDENTITY_RULES.map((r) => [r.code, 'Identitas dan format'] as const),
  ...PARTNERSHIP_RULES.map((r) => [r.code, 'Kemitraan'] as const),
  ...LICENSING_RULES.map((r) => [r.code, 'Perizinan'] as const),
]);

beforeAll(async () => {
  t = await createTestDatabase('report');
  sim = await startSimulator({ seed: 71, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
  const deps = await makeDeps(t, sim.url);
  config = deps.config;
  expect((await sync({ ...deps, now: () => SYNCED_AT })).status).toBe('succeeded');
  rt = { db: t.db, config, log: silentLog, now: () => GENERATED };

  // Withdrawn from OSS: three agreements that had started, one of them in Lasem.
  await t.db.raw(`
    update kemitraan set deleted_at = now() where id_kemitraan in (
      (select id_kemitraan from kemitraan where kd_kecamatan = '${LASEM}' and tgl_mulai < '2026-06-01' order by id_kemitraan limit 1)
      union (select id_kemitraan from kemitraan where kd_kecamatan <> '${LASEM}' and tgl_mulai < '2026-06-01' order by id_kemitraan limit 2))`);
  // Cancelled after reporting realisation in Q3: counted as registered and cancelled, not in agreed or realised values.
  await t.db.raw(`
    update kemitraan set status_kemitraan = '06' where id_kemitraan = (
      select k.id_kemitraan from kemitraan k join kemitraan_realisasi r using (id_kemitraan)
       where k.deleted_at is null and k.status_kemitraan = '03' and r.tahun = 2026 and r.triwulan = 3 and r.nilai_realisasi > 0
       order by k.id_kemitraan limit 1)`);
  // A running agreement whose 2026 Q1 report was withdrawn: realised in Q3, no longer continuous.
  await t.db.raw(`
    update kemitraan_realisasi set deleted_at = now() where (id_kemitraan, tahun, triwulan) = (
      select r.id_kemitraan, 2026, 1 from kemitraan k join kemitraan_realisasi r using (id_kemitraan)
       join kemitraan_realisasi q3 on q3.id_kemitraan = k.id_kemitraan and q3.tahun = 2026 and q3.triwulan = 3 and q3.nilai_realisasi > 0
       where k.deleted_at is null and k.status_kemitraan = '03' and k.tgl_mulai < '2025-10-01' and r.tahun = 2026 and r.triwulan = 1
       order by k.id_kemitraan desc limit 1)`);
  // The largest UB's name is markup: the HTML must show it as text.
  await t.db.raw(
    `update pelaku_usaha set nama_perseroan = ? where nib = (
       select nib_ub from kemitraan where deleted_at is null and status_kemitraan in ('03', '05')
        group by nib_ub order by sum(nilai_kemitraan) desc limit 1)`,
    [HOSTILE],
  );
  // Verifiers' decisions and an automatic resolution in Q3; one decision at 00:30 WIB on 1 October (not in Q3).
  const ids: number[] = await t.db('findings').orderBy('id').pluck('id');
  expect(ids.length).toBeGreaterThan(10);
  const event = (id: number, at: string, kind: string, to: string, actor = 'Siti Verifikator') =>
    ({ finding_id: id, at, kind, from_status: 'in_review', to_status: to, actor, note: 'uji laporan' }) as const;
  await t
    .db('finding_events')
    .insert([
      event(ids[0]!, '2026-09-02T02:00:00Z', 'transition', 'confirmed'),
      event(ids[1]!, '2026-09-03T02:00:00Z', 'transition', 'confirmed'),
      event(ids[1]!, '2026-09-04T02:00:00Z', 'transition', 'confirmed'),
      event(ids[2]!, '2026-09-30T16:30:00Z', 'transition', 'dismissed'),
      event(ids[3]!, '2026-09-30T17:30:00Z', 'transition', 'dismissed'),
      event(ids[4]!, '2026-09-10T02:00:00Z', 'resolved', 'resolved', 'system'),
      event(ids[5]!, '2026-06-30T16:59:00Z', 'transition', 'confirmed'),
    ]);
});

afterAll(async () => {
  await sim?.stop();
  await t?.drop();
});

describe.each([
  { name: '2026 Q3, the whole region', period: Q3, kec: null },
  { name: '2026 Q3, Kecamatan Lasem', period: Q3, kec: LASEM },
  { name: 'April to September 2026', period: HALF, kec: null },
])('the report for $name', ({ period, kec }) => {
  let report: PartnershipReport;
  let want: Awaited<ReturnType<typeof expected>>;
  beforeAll(async () => {
    report = await buildReport(rt, { period, kecamatan: kec });
    want = await expected(period, kec);
  });

  it('tiles: registered, running, realised in the period, continuous, ended, cancelled, withdrawn', () => {
    const tiles = Object.fromEntries(report.sections[0]!.tiles.map((x) => [x.key, [x.count, x.value]]));
    const w = want.tiles;
    expect(tiles).toEqual({
      registered: w.registered,
      running: w.running,
      runningRealised: w.runningRealised,
      continuous: w.continuous,
      ended: w.ended,
      cancelled: w.cancelled,
      withdrawn: w.withdrawn,
    });
    expect(report.sections[0]!.tiles.find((x) => x.key === 'runningRealised')?.extra?.value).toBe(w.realised);
    expect(norm(table(report, 'real').rows.flatMap((r) => [r[1], r[2]]))).toEqual(
      norm(Object.values(tiles).flat() as number[]),
    );
    expect(w.registered[0]).toBeGreaterThan(kec ? 5 : 100);
    expect(w.runningRealised[0]).toBeGreaterThan(0);
    if (!kec) {
      // What the test planted shows where the report says it is counted.
      expect(w.withdrawn[0]).toBe(3);
      expect(w.cancelled[0]).toBeGreaterThan(0);
      expect(w.continuous[0]).toBeLessThan(w.runningRealised[0]);
    } else expect(w.withdrawn[0]).toBe(1);
  });

  it('registered agreements per status add up to the registered tile', () => {
    const s = table(report, 'status');
    expect(sorted(s.rows)).toEqual(sorted(want.status));
    expect(s.total).toEqual(['Jumlah', ...want.tiles.registered]);
  });

  it.each([
    ['pola', 'pola'],
    ['kecamatan', 'kecamatan'],
    ['sektor-ub', 'sectorUb'],
    ['sektor-umkm', 'sectorUmkm'],
  ] as const)('%s: registered, running, agreed, realised in and up to the period, realisation rate', (key, w) => {
    const got = table(report, key);
    expect(sorted(got.rows)).toEqual(sorted(want[w].rows));
    expect(norm(got.total!)).toEqual(norm(want[w].total));
    expect(got.total![1]).toBe(want.tiles.registered[0]);
  });

  it('per large business: partners, figures and rate; the chart shows the ten largest', () => {
    expect(table(report, 'ub').rows.map(norm)).toEqual(want.ub.map(norm));
    expect(table(report, 'ub-top').rows.map(norm)).toEqual(want.ub.slice(0, 10).map((r) => norm([r[0], r[6], r[8]])));
  });

  it('the map: partnerships and project locations per kecamatan, and what is drawn', () => {
    const map = table(report, 'peta');
    expect(sorted(map.rows)).toEqual(sorted(want.perKec));
    const chart = report.sections[1]!.charts.find((c) => c.key === 'peta')!;
    const aria = /aria-label="([^"]*)"/.exec(chart.svg)![1]!;
    expect(aria).toContain(
      `Peta titik: ${want.drawn.ub} lokasi proyek UB dan ${want.drawn.umkm} lokasi proyek UMKM mitra`,
    );
    if (want.drawn.outside) expect(map.note).toContain(`${want.drawn.outside} lokasi tanpa koordinat di dalam wilayah`);
    else expect(map.note).not.toContain('tanpa koordinat');
  });

  it('supply chains: volumes per commodity, per quarter and per UB, agreed and realised', () => {
    expect(sorted(table(report, 'komoditas').rows)).toEqual(sorted(want.commodity));
    expect(sorted(table(report, 'komoditas-triwulan').rows)).toEqual(sorted(want.perQuarter));
    expect(sorted(table(report, 'rantai-ub').rows)).toEqual(sorted(want.perUb));
    expect(want.commodity.length).toBeGreaterThan(kec ? 1 : 4);
    if (period === HALF)
      expect(new Set(want.perQuarter.map((r) => r[2]))).toEqual(new Set(['2026 Tw II', '2026 Tw III']));
  });

  it('supply chains: the same volumes as analytics.rantai_pasok_triwulan, the view Metabase charts', async () => {
    const next = new Date(`${period.to}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const view = await t.db.transaction(async (trx) => {
      await trx.raw(`select set_config('analytics.tanggal_acuan', ?, true)`, [next.toISOString().slice(0, 10)]);
      const r = await trx.raw(`
        select rt.komoditas, case when rt.satuan in ('ton', 'kg') then 'ton' else rt.satuan end as su,
               sum(case when rt.satuan in ('ton', 'kg') then rt.volume_ton_triwulan else rt.volume_disepakati_triwulan end)::float8 as agreed,
               sum(case when rt.satuan in ('ton', 'kg') then rt.volume_realisasi_ton else rt.volume_realisasi end)::float8 as realised
          from analytics.rantai_pasok_triwulan rt
          join analytics.kemitraan k on k.id_kemitraan = rt.id_kemitraan
         where k.deleted_at is null and coalesce(k.tgl_mulai, k.tgl_kesepakatan) <= date '${period.to}'
           and k.status_kemitraan in ('03', '05') ${kec ? `and k.kd_kecamatan = '${kec}'` : ''}
           and rt.awal_triwulan between date_trunc('quarter', date '${period.from}') and date '${period.to}'
         group by 1, 2`);
      return r.rows as Array<{ komoditas: string; su: string; agreed: number | null; realised: number | null }>;
    });
    expect(sorted(table(report, 'komoditas').rows.map((r) => [r[0], r[1], r[4], r[5]]))).toEqual(
      sorted(view.map((v) => [v.komoditas, v.su, v.agreed, v.realised])),
    );
  });

  it('supply chains: every supplier (individuals with a masked NIK), and the flows from partner groups', () => {
    const got = table(report, 'pemasok').rows;
    expect(sorted(got)).toEqual(sorted(want.suppliers));
    const individuals = got.filter((r) => String(r[3]).startsWith('NIK '));
    expect(individuals.length).toBeGreaterThan(0);
    for (const r of individuals) expect(r[3]).toMatch(/^NIK \d{4}\*{8}\d{4}$/);
    const units = [...new Set(want.flows.map((f) => f.unit))];
    expect(
      reportTables(report)
        .filter((x) => x.key.startsWith('aliran-'))
        .map((x) => x.key)
        .sort(),
    ).toEqual(units.map((u) => `aliran-${u}`).sort());
    for (const unit of units) {
      expect(sorted(table(report, `aliran-${unit}`).rows)).toEqual(
        sorted(want.flows.filter((f) => f.unit === unit).map((f) => f.row)),
      );
    }
    if (!kec) {
      const groups = new Set(want.flows.map((f) => String(f.row[0])));
      for (const g of ['Nelayan Kec. Sarang', 'Petambak garam Kec. Kaliori', 'Pembatik Kec. Lasem'])
        expect(groups).toContain(g);
    }
  });

  it('findings in the period per rule family and per rule (WIB days)', () => {
    const perRule = table(report, 'temuan-aturan').rows;
    expect(sorted(perRule.map((r) => [r[0], r[2], ...r.slice(3)]))).toEqual(
      sorted(want.findings.map((f) => [f.code, FAMILY_OF.get(f.code) ?? 'Lainnya', ...f.counts])),
    );
    const families = table(report, 'temuan');
    const byFamily = new Map<string, number[]>();
    for (const f of want.findings) {
      const fam = FAMILY_OF.get(f.code) ?? 'Lainnya';
      byFamily.set(
        fam,
        (byFamily.get(fam) ?? [0, 0, 0, 0]).map((n, i) => n + f.counts[i]!),
      );
    }
    for (const r of families.rows) expect(r.slice(1)).toEqual(byFamily.get(String(r[0])) ?? [0, 0, 0, 0]);
    if (period === Q3 && !kec) {
      const total = families.total!.slice(1) as number[];
      expect(total[0]).toBeGreaterThan(10);
      // ids[0] and ids[1] confirmed (ids[1] twice: one finding), ids[2] dismissed at 23:30 WIB on 30 September; the
      // dismissal at 00:30 WIB on 1 October and the confirmation on 30 June are outside the quarter.
      expect(total.slice(1)).toEqual([2, 1, 1]);
    }
  });

  it('covers every table of the report', () => {
    const checked = [
      'real',
      'status',
      'pola',
      'kecamatan',
      'peta',
      'sektor-ub',
      'sektor-umkm',
      'ub',
      'ub-top',
      'komoditas',
      'komoditas-triwulan',
      'rantai-ub',
      'pemasok',
      'temuan',
      'temuan-aturan',
    ];
    const keys = reportTables(report).map((x) => x.key);
    expect(keys.filter((k) => !checked.includes(k) && !k.startsWith('aliran-'))).toEqual([]);
  });
});

describe('the report as xlsx and as HTML', () => {
  let report: PartnershipReport;
  beforeAll(async () => {
    report = await buildReport(rt, { period: Q3, kecamatan: null });
  });

  it('the cover: office, period, when it was made, data as of the last successful sync (WIB)', async () => {
    const [sync] = await rows<{ at: string }>(
      `select to_char(max(finished_at) at time zone 'Asia/Jakarta', 'YYYY-MM-DD HH24:MI') || ' WIB' as at
         from analytics.sync_runs where status = 'succeeded'`,
    );
    expect(report.cover).toMatchObject({
      title: 'Laporan Kemitraan Usaha Besar – UMKM',
      office: 'DPMPTSP Kabupaten Rembang',
      period: 'Triwulan III 2026',
      periodRange: '1 Juli 2026 – 30 September 2026',
      kecamatan: null,
      generatedAt: '2026-11-20 10:00 WIB',
      dataAsOf: sync!.at,
    });
  });

  it('the xlsx opens in exceljs with one sheet per table, bold headers and the same figures as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderReportXlsx(report, GENERATED)) as unknown as ArrayBuffer);
    const units = report.sections[2]!.charts.filter((c) => c.key.startsWith('aliran-')).map((c) => c.table.sheet);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Sampul',
      'Riil',
      'Status',
      'Pola',
      'Kecamatan',
      'Peta',
      'Sektor UB',
      'Sektor UMKM',
      'UB Teratas',
      'Usaha Besar',
      'Komoditas',
      ...units,
      'Komoditas per Triwulan',
      'Rantai Pasok per UB',
      'Pemasok',
      'Temuan',
      'Temuan per Aturan',
    ]);
    expect(units).toEqual(['Aliran ton', 'Aliran unit']);
    expect(wb.getWorksheet('Sampul')!.getCell('B5').value).toBe('Triwulan III 2026 (1 Juli 2026 – 30 September 2026)');
    for (const tab of reportTables(report)) {
      const ws = wb.getWorksheet(tab.sheet)!;
      const header = ws.getRow(1);
      expect(tab.columns.map((_, i) => header.getCell(i + 1).value)).toEqual(tab.columns.map((c) => c.label));
      expect(header.font?.bold).toBe(true);
      const sheetRows = tab.rows.map((_, r) =>
        tab.columns.map((_, i) => ws.getRow(r + 2).getCell(i + 1).value ?? null),
      );
      expect(sheetRows).toEqual(tab.rows.map((r) => r.map((c) => c ?? null)));
      if (tab.total && tab.rows.length) {
        const totalRow = ws.getRow(tab.rows.length + 2);
        expect(tab.columns.map((_, i) => totalRow.getCell(i + 1).value ?? null)).toEqual(tab.total);
        expect(totalRow.font?.bold).toBe(true);
      }
      tab.columns.forEach((c, i) => {
        const fmt = ws.getRow(2).getCell(i + 1).numFmt;
        if (!tab.rows.length) return;
        if (c.kind === 'rupiah') expect(fmt).toBe('"Rp "#,##0');
        if (c.kind === 'count') expect(fmt).toBe('#,##0');
        if (c.kind === 'rate') expect(fmt).toBe('0.0%');
      });
    }
    const registered = report.sections[0]!.tiles[0]!;
    expect(wb.getWorksheet('Riil')!.getRow(2).values).toEqual([
      undefined,
      'Terdaftar',
      registered.count,
      registered.value,
    ]);
  });

  it('the HTML is one self-contained file: no script, nothing fetched, the markup in a name shown as text', () => {
    const html = renderReportHtml(report);
    expect(html.startsWith('<!doctype html>\n<html lang="id">')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href|xlink:href|action|srcset)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\((?!#)|@import|<link\b|<iframe|<img\b|<object|<embed/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).toContain('PT &lt;b&gt;HOSTILE&lt;/b&gt; &amp; &quot;CO&quot;');
    expect(html).not.toContain('<b>HOSTILE');
    expect(html).toMatch(/@page \{ size: A4; margin: [^}]+\}/);
    const reg = report.sections[0]!.tiles[0]!;
    expect(html).toContain(`<div class="tile-count">${reg.count.toLocaleString('id-ID')}</div>`);
    expect(html).toContain(`Rp ${reg.value.toLocaleString('id-ID')}`);
    expect(html.match(/<svg role="img"/g)?.length).toBe(report.sections.reduce((a, s) => a + s.charts.length, 0));
  });
});

describe('oss-sync report on the command line', () => {
  let dir: string;
  let cwd: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oss-sync-report-'));
    cwd = process.cwd();
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]) {
    const out = { stdout: '', stderr: '' };
    const code = await reportCommand(rt, args, {
      stdout: (s) => {
        out.stdout += s;
      },
      stderr: (s) => {
        out.stderr += s;
      },
    });
    return { code, ...out };
  }

  it('by default: the last complete quarter, as HTML, named after the region and the period, in this folder', async () => {
    process.chdir(dir);
    try {
      const r = await run([]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const file = join(dir, 'laporan-kemitraan-3317-2026-Q3.html');
      expect(r.stdout).toContain(`Laporan kemitraan Triwulan III 2026 ditulis ke ${file}\n`);
      const reg = (await buildReport(rt, { period: Q3, kecamatan: null })).sections[0]!.tiles[0]!;
      expect(r.stdout).toContain(`${reg.count.toLocaleString('id-ID')} kesepakatan terdaftar`);
      expect(readFileSync(file, 'utf8')).toContain('<title>Laporan Kemitraan Usaha Besar – UMKM – Kabupaten Rembang');
    } finally {
      process.chdir(cwd);
    }
  });

  it('--kecamatan by name, --format xlsx, --output', async () => {
    const file = join(dir, 'lasem.xlsx');
    const r = await run(['--period', '2026-q3', '--kecamatan', 'lasem', '--format', 'xlsx', '--output', file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`Laporan kemitraan Triwulan III 2026 (Kecamatan Lasem) ditulis ke ${file}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('Sampul')!.getCell('B6').value).toBe('Kecamatan Lasem');
  });

  it.each([
    [['--period', '2026-Q5'], /--period "2026-Q5" bukan triwulan: tulis TAHUN-Qn, mis\. 2026-Q3/],
    [['--period', 'kemarin'], /--period "kemarin" bukan triwulan/],
    [['--period', '2026-Q3', '--from', '2026-07-01'], /pakai --period ATAU --from\/--to, tidak keduanya/],
    [['--from', '2026-07-01'], /--from dan --to harus diberikan bersama/],
    [['--from', '2026-02-30', '--to', '2026-03-31'], /--from "2026-02-30" bukan tanggal YYYY-MM-DD yang sah/],
    [['--from', '2026-09-01', '--to', '2026-07-01'], /--from 2026-09-01 sesudah --to 2026-07-01/],
    [
      ['--kecamatan', 'Atlantis'],
      /--kecamatan: tidak ada kecamatan "Atlantis" \(kode 6 digit atau salah satu dari: Sumber, Bulu,/,
    ],
    [['--kecamatan', '331799'], /tidak ada kecamatan "331799"/],
    [['--format', 'docx'], /nilai 'docx' tidak sah untuk '--format <format>': pilihan html, pdf, xlsx/],
    [['--bogus'], /opsi tidak dikenal '--bogus'/],
    [['2026-Q3'], /terlalu banyak argumen/],
  ])('%j is refused with exit 2 and says why', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^oss-sync report: galat: /);
    expect(r.stderr).toMatch(message);
  });

  it('a file that cannot be written: exit 1 with the reason', async () => {
    const r = await run(['--output', join(dir, 'no', 'such', 'folder', 'x.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^oss-sync report: galat: .*ENOENT/);
  });
});
