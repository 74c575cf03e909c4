/*
 * The analyst surfaces of the partnership report (issue 13): kemitraan_triwulan, rantai_pasok, rantai_pasok_triwulan,
 * kemitraan_per_ub, the label views and a comment on every analytics view and column. Planted agreements go through
 * the real write path (validatePartnerships → storePartnerships); a synced simulator world checks the same views on
 * what the simulator writes. Queries pin the reference date (analytics.tanggal_acuan), so no result depends on the
 * day the test runs.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JENIS_IZIN,
  JENIS_PERSEROAN,
  POLA_KEMITRAAN,
  SKALA_USAHA,
  STATUS_IZIN,
  STATUS_KEMITRAAN,
  STATUS_NIB,
  STATUS_PENANAMAN_MODAL,
} from '../../src/domain/codes.js';
import type { Business, Partnership } from '../../src/domain/records.js';
import { loadReference } from '../../src/reference.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { storeBusinesses } from '../../src/store/businesses.js';
import { storePartnerships } from '../../src/store/partnerships.js';
import { validateBusinesses, validatePartnerships } from '../../src/validate/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

const PII = { piiKey: 'test-pii-key' };
const NEW_VIEWS = [
  'label_pola_kemitraan',
  'label_status_kemitraan',
  'label_skala_usaha',
  'label_status_penanaman_modal',
  'label_status_nib',
  'label_jenis_izin',
  'label_status_izin',
  'label_jenis_perseroan',
  'label_kbli_seksi',
  'label_kbli',
  'label_kecamatan',
  'label_komoditas',
  'label_kelompok_kbli',
  'kemitraan_triwulan',
  'rantai_pasok',
  'rantai_pasok_triwulan',
  'kemitraan_per_ub',
];

/** Rows of `sql` with the reference date pinned (and optionally as oss_analyst), in a transaction rolled back. */
async function query<T>(
  db: Knex,
  sql: string,
  opts: { asOf?: string; analyst?: boolean; bindings?: readonly unknown[] } = {},
): Promise<T[]> {
  return db.transaction(async (trx) => {
    if (opts.asOf) await trx.raw(`select set_config('analytics.tanggal_acuan', ?, true)`, [opts.asOf]);
    if (opts.analyst) await trx.raw('set local role oss_analyst');
    const r = await trx.raw(sql, (opts.bindings ?? []) as Knex.RawBinding[]);
    return r.rows as T[];
  });
}

/** The SQLSTATE a statement run as oss_analyst fails with, or null. */
async function analystError(db: Knex, sql: string): Promise<string | null> {
  try {
    await query(db, sql, { analyst: true });
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

const UB_FISH = '8120000000101';
const UB_RETAIL = '8120000000102';
const UB_PINDANG = '8120000000103';
const UMKM_BATIK = '8120000000201';
const UMKM_TERASI = '8120000000202';
/** An individual fisherman's NIK (kecamatan 331705 Sarang, born 1 Jan 1990, a woman: day + 40). */
const NIK_NELAYAN = '3317054101900002';

function businessDoc(nib: string, nama: string, daerah: string, skala: string) {
  return {
    nib,
    tgl_pengajuan_nib: '2022-03-01',
    tgl_terbit_nib: '2022-03-01',
    tgl_perubahan_nib: '2024-01-01',
    jenis_pelaku_usaha: '01',
    jenis_perseroan: skala === '04' ? '01' : '02',
    nama_perseroan: nama,
    status_penanaman_modal: '02',
    flag_umk: skala === '04' ? 'N' : 'Y',
    skala_usaha: skala,
    npwp_perseroan: `00${nib.slice(0, 14)}`,
    perseroan_daerah_id: daerah,
    persen_pma: 0,
    status_nib: '01',
    pemegang_saham: [],
    penanggung_jwb: [],
    data_proyek: [],
    data_checklist: [],
  };
}

let seq = 0;
/** A listKemitraan record: a fish processor buying from a batik maker unless `over` says otherwise. */
function partnershipDoc(over: Record<string, unknown>) {
  seq += 1;
  return {
    id_kemitraan: `K-20240105093000${String(seq).padStart(7, '0')}`,
    nib_ub: UB_FISH,
    nama_ub: 'PT SAMUDRA REMBANG LESTARI',
    kbli_ub: '10213',
    nib_umkm: UMKM_BATIK,
    nama_umkm: 'CV BATIK LASEM',
    kbli_umkm: '13134',
    skala_usaha_umkm: '02',
    pola_kemitraan: '06',
    nilai_kemitraan: '100000000',
    status_kemitraan: '03',
    tgl_kesepakatan: '2024-01-05',
    tgl_mulai: '2024-01-10',
    tgl_berakhir: '',
    tgl_pengajuan: '2024-01-05 09:30:00',
    tgl_perubahan: '2024-01-05 09:30:00',
    kd_daerah_pelaksanaan: '3317102025',
    objek_kemitraan: 'Pasokan ikan segar hasil tangkapan (layang) untuk bahan baku PT SAMUDRA REMBANG LESTARI',
    volume: '',
    satuan: '',
    periode_volume: '',
    realisasi: [],
    ...over,
  };
}

const realisasi = (tahun: number, triwulan: number, nilai: number, volume = 0, satuan = 'ton') => ({
  tahun: String(tahun),
  triwulan: String(triwulan),
  nilai_realisasi: String(nilai),
  volume_realisasi: String(volume),
  satuan,
  sumber: 'LKPM',
});

async function write(t: TestDatabase, partnerships: unknown[], businesses: unknown[] = [], status = 'succeeded') {
  const [run] = await t.db('sync_runs').insert({ trigger: 'manual', status }).returning('id');
  const runId = Number(run.id);
  const b = validateBusinesses(businesses, PII);
  const p = validatePartnerships(partnerships, PII);
  expect([...b.rejected, ...p.rejected]).toEqual([]);
  await t.db.transaction(async (trx) => {
    if (b.valid.length)
      await storeBusinesses(trx, b.valid as Array<{ record: Business; raw: unknown }>, { runId, source: 'inqueryNIB' });
    await storePartnerships(trx, p.valid as Array<{ record: Partnership; raw: unknown }>, {
      runId,
      source: 'listKemitraan',
    });
  });
  return runId;
}

describe('analytics report views on planted agreements', () => {
  let t: TestDatabase;
  const AS_OF = '2026-08-15'; // 2026 Q3 is the current quarter
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDatabase('analytics_report');
    const plant = (name: string, over: Record<string, unknown>) => {
      const doc = partnershipDoc(over);
      ids[name] = doc.id_kemitraan;
      return doc;
    };
    await write(
      t,
      [
        // Starts mid-quarter, open-ended: 2025 Q4 (partial) to the current quarter 2026 Q3.
        plant('mid', {
          tgl_kesepakatan: '2025-11-01',
          tgl_mulai: '2025-11-20',
          realisasi: [realisasi(2026, 1, 100_000_000), realisasi(2026, 2, 0, 5), realisasi(2026, 3, 0, 0)],
        }),
        // Ended 10 May 2024: 2024 Q1 (full) and Q2 (partial); a realisation after the term is not in the view.
        plant('ended', {
          status_kemitraan: '05',
          tgl_kesepakatan: '2023-12-20',
          tgl_mulai: '2024-01-01',
          tgl_berakhir: '2024-05-10',
          realisasi: [realisasi(2024, 1, 50_000_000), realisasi(2024, 2, 7_000_000), realisasi(2024, 3, 999_000_000)],
        }),
        // Ends on a quarter's last day: that quarter is full.
        plant('exact', {
          status_kemitraan: '05',
          tgl_kesepakatan: '2025-03-15',
          tgl_mulai: '2025-04-01',
          tgl_berakhir: '2025-06-30',
          realisasi: [realisasi(2025, 2, 20_000_000)],
        }),
        // No start date: the quarters run from the agreement date.
        plant('noStart', { tgl_kesepakatan: '2026-04-01', tgl_mulai: '' }),
        // Starts after the reference date: no quarter yet.
        plant('future', { status_kemitraan: '02', tgl_kesepakatan: '2026-08-01', tgl_mulai: '2026-10-05' }),
        // Withdrawn from OSS (marked deleted below): in no view.
        plant('withdrawn', { tgl_mulai: '2025-01-01', realisasi: [realisasi(2025, 1, 30_000_000)] }),
      ],
      [],
    );
    await t.db('kemitraan').where({ id_kemitraan: ids.withdrawn }).update({ deleted_at: t.db.fn.now() });
    // A realisation row withdrawn from the agreement (as the store marks it) counts as not reported.
    await t
      .db('kemitraan_realisasi')
      .where({ id_kemitraan: ids.ended, tahun: 2024, triwulan: 2 })
      .update({ deleted_at: t.db.fn.now() });

    // Supply chains: parties with NIB, an individual fisherman, units and commodities.
    await write(
      t,
      [
        plant('batik', {
          nib_ub: UB_RETAIL,
          nama_ub: 'PT SUMBER ALFA TRIJAYA TBK',
          kbli_ub: '47111',
          pola_kemitraan: '04',
          objek_kemitraan: 'Penjualan kain batik tulis Lasem melalui gerai mitra',
          volume: '120',
          satuan: 'pcs',
          periode_volume: 'bulan',
          kd_daerah_pelaksanaan: '3317101019', // the store, in Rembang town; the maker lives in Lasem
        }),
        plant('terasi', {
          nib_ub: UB_RETAIL,
          nama_ub: 'PT SUMBER ALFA TRIJAYA TBK',
          kbli_ub: '47111',
          nib_umkm: UMKM_TERASI,
          nama_umkm: 'UD TERASI BONANG',
          kbli_umkm: '10215',
          pola_kemitraan: '04',
          objek_kemitraan: 'Pemasokan terasi udang kemasan untuk dijual di gerai SAT wilayah Rembang',
          volume: '2500',
          satuan: 'Kg',
          periode_volume: 'bulan',
          tgl_mulai: '2026-01-01',
          tgl_kesepakatan: '2025-12-20',
          realisasi: [realisasi(2026, 1, 10_000_000, 1500, 'kg'), realisasi(2026, 2, 12_000_000, 2, 'ton')],
        }),
        plant('nelayan', {
          nib_umkm: '',
          nik_umkm: NIK_NELAYAN,
          nama_umkm: 'MUNAWAROH',
          kbli_umkm: '03111',
          skala_usaha_umkm: '01',
          objek_kemitraan: 'Pasokan ikan segar untuk bahan baku PT SAMUDRA REMBANG LESTARI',
          volume: '30',
          satuan: 'kuintal',
          periode_volume: 'tahun',
          kd_daerah_pelaksanaan: '3317052023',
          tgl_mulai: '2026-01-01',
          tgl_kesepakatan: '2025-12-20',
          realisasi: [realisasi(2026, 1, 5_000_000, 700, 'kg'), realisasi(2026, 2, 4_000_000, 3, 'pcs')],
        }),
        plant('rajungan', {
          nib_umkm: '',
          nik_umkm: '3317120505800007',
          nama_umkm: 'SLAMET',
          kbli_umkm: '03112',
          objek_kemitraan: 'Pasokan rajungan rebus untuk bahan baku',
          volume: '1',
          satuan: 'ton',
          periode_volume: 'bulan',
          kd_daerah_pelaksanaan: '3317122012',
        }),
        // The buyer's name holds a commodity word (pindang): the supply is still fresh fish.
        plant('buyerName', {
          nib_ub: UB_PINDANG,
          nama_ub: 'CV PINDANG JAYA KRAGAN',
          kbli_ub: '10214',
          objek_kemitraan: 'Pasokan ikan segar hasil tangkapan (teri) untuk bahan baku CV PINDANG JAYA KRAGAN',
          volume: '3',
          satuan: 'ton',
          periode_volume: 'bulan',
        }),
        plant('unknownUnit', { objek_kemitraan: 'Pasokan garam krosok', volume: '40', satuan: 'dus' }),
        plant('noVolume', { objek_kemitraan: 'Pasokan garam krosok', volume: '', satuan: 'ton' }),
        plant('other', { objek_kemitraan: 'Kerja sama pemasaran daring', volume: '10', satuan: 'unit' }),
      ],
      [
        businessDoc(UB_FISH, 'PT SAMUDRA REMBANG LESTARI', '3317102025', '04'),
        businessDoc(UB_RETAIL, 'PT SUMBER ALFA TRIJAYA TBK', '3317101019', '04'),
        businessDoc(UMKM_BATIK, 'CV BATIK LASEM', '3317142005', '02'),
        businessDoc(UMKM_TERASI, 'UD TERASI BONANG', '3317142019', '01'),
      ],
    );
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('kemitraan_triwulan has one row per quarter of each term, with its realisation', async () => {
    const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    const rows = await query<Record<string, unknown>>(
      t.db,
      `select id_kemitraan, tahun, triwulan, awal_triwulan, akhir_triwulan, nilai_realisasi::float8 as nilai,
              ada_realisasi, triwulan_penuh, triwulan_berakhir, wajib_lapor
         from analytics.kemitraan_triwulan where id_kemitraan = any(?::text[]) order by id_kemitraan, awal_triwulan`,
      {
        asOf: AS_OF,
        bindings: [[ids.mid, ids.ended, ids.exact, ids.noStart, ids.future, ids.withdrawn]],
      },
    );
    const line = (r: Record<string, unknown>) =>
      `${names[r.id_kemitraan as string]} ${r.tahun}-T${r.triwulan} ${r.awal_triwulan}..${r.akhir_triwulan} ` +
      `nilai=${r.nilai} ada=${r.ada_realisasi} penuh=${r.triwulan_penuh} lewat=${r.triwulan_berakhir} wajib=${r.wajib_lapor}`;
    expect(rows.map(line)).toEqual([
      'mid 2025-T4 2025-10-01..2025-12-31 nilai=null ada=false penuh=false lewat=true wajib=false',
      'mid 2026-T1 2026-01-01..2026-03-31 nilai=100000000 ada=true penuh=true lewat=true wajib=true',
      'mid 2026-T2 2026-04-01..2026-06-30 nilai=0 ada=true penuh=true lewat=true wajib=true',
      'mid 2026-T3 2026-07-01..2026-09-30 nilai=0 ada=false penuh=true lewat=false wajib=false',
      'ended 2024-T1 2024-01-01..2024-03-31 nilai=50000000 ada=true penuh=true lewat=true wajib=true',
      'ended 2024-T2 2024-04-01..2024-06-30 nilai=null ada=false penuh=false lewat=true wajib=false',
      'exact 2025-T2 2025-04-01..2025-06-30 nilai=20000000 ada=true penuh=true lewat=true wajib=true',
      'noStart 2026-T2 2026-04-01..2026-06-30 nilai=null ada=false penuh=true lewat=true wajib=true',
      'noStart 2026-T3 2026-07-01..2026-09-30 nilai=null ada=false penuh=true lewat=false wajib=false',
    ]);
  });

  it('without a pinned date, the quarters of an open-ended agreement run to the current quarter in WIB', async () => {
    const [row] = await query<{ last: string; current: string; acuan: string; today: string }>(
      t.db,
      `select max(awal_triwulan)::text as last,
              date_trunc('quarter', (now() at time zone 'Asia/Jakarta')::date::timestamp)::date::text as current,
              analytics.tanggal_acuan()::text as acuan, (now() at time zone 'Asia/Jakarta')::date::text as today
         from analytics.kemitraan_triwulan where id_kemitraan = ?`,
      { bindings: [ids.mid] },
    );
    expect(row?.last).toBe(row?.current);
    expect(row?.acuan).toBe(row?.today);
  });

  it('a sum over kemitraan_triwulan equals the sum of the realisation rows within each term', async () => {
    const [row] = await query<{ view: number; rows: number }>(
      t.db,
      `select (select sum(nilai_realisasi) from analytics.kemitraan_triwulan)::float8 as view,
              (select sum(r.nilai_realisasi) from analytics.kemitraan_realisasi r
                 join analytics.kemitraan k on k.id_kemitraan = r.id_kemitraan
                where k.deleted_at is null and r.deleted_at is null
                  and r.tahun * 4 + r.triwulan between
                      extract(year from coalesce(k.tgl_mulai, k.tgl_kesepakatan)) * 4 + extract(quarter from coalesce(k.tgl_mulai, k.tgl_kesepakatan))
                      and extract(year from least(k.tgl_berakhir, date '${AS_OF}')) * 4 + extract(quarter from least(k.tgl_berakhir, date '${AS_OF}'))
              )::float8 as rows`,
      { asOf: AS_OF },
    );
    // 100 M + 50 M + 20 M + 10 M + 12 M + 5 M + 4 M: the withdrawn agreement, the withdrawn row and the row after the
    // term are not counted.
    expect(row).toEqual({ view: 201_000_000, rows: 201_000_000 });
  });

  it('rantai_pasok: commodity, unit in ton, partner name, group and kecamatan, the NIK only masked', async () => {
    const rows = await query<Record<string, unknown>>(
      t.db,
      `select id_kemitraan, komoditas, kelompok_mitra, satuan, volume_disepakati::float8 as vol, volume_ton::float8 as ton,
              volume_disepakati_triwulan::float8 as vol_q, volume_ton_triwulan::float8 as ton_q, nama_mitra,
              nik_umkm_masked, mitra_perorangan, kecamatan_mitra, nama_kecamatan_mitra, asal_kecamatan_mitra
         from analytics.rantai_pasok order by id_kemitraan`,
      { asOf: AS_OF },
    );
    const byName = Object.fromEntries(
      rows.map((r) => [Object.entries(ids).find(([, id]) => id === r.id_kemitraan)?.[0], r]),
    );
    expect(Object.keys(byName).sort()).toEqual(['batik', 'buyerName', 'nelayan', 'other', 'rajungan', 'terasi']);
    expect(byName.buyerName).toMatchObject({ komoditas: 'Ikan segar', kelompok_mitra: 'Nelayan', ton: 3, ton_q: 9 });
    expect(byName.batik).toMatchObject({
      komoditas: 'Kain batik',
      kelompok_mitra: 'Pembatik',
      satuan: 'unit',
      vol: 120,
      ton: null,
      vol_q: 360,
      nama_mitra: 'CV BATIK LASEM',
      mitra_perorangan: false,
      kecamatan_mitra: '331714',
      nama_kecamatan_mitra: 'Lasem',
      asal_kecamatan_mitra: 'domisili',
    });
    expect(byName.terasi).toMatchObject({
      komoditas: 'Ikan olahan',
      kelompok_mitra: 'Pengolah ikan',
      satuan: 'kg',
      vol: 2500,
      ton: 2.5,
      vol_q: 7500,
      ton_q: 7.5,
    });
    // 30 kuintal a year = 3 ton a year = 0.75 ton a quarter; the group comes from the partner's KBLI 03111.
    expect(byName.nelayan).toMatchObject({
      komoditas: 'Ikan segar',
      kelompok_mitra: 'Nelayan',
      satuan: 'ton',
      vol: 3,
      ton: 3,
      ton_q: 0.75,
      nama_mitra: 'MUNAWAROH',
      nik_umkm_masked: '3317********0002',
      mitra_perorangan: true,
      kecamatan_mitra: '331705',
      nama_kecamatan_mitra: 'Sarang',
      asal_kecamatan_mitra: 'lokasi_kemitraan',
    });
    // No group in the rule: the longest KBLI prefix (03112) decides.
    expect(byName.rajungan).toMatchObject({ komoditas: 'Udang dan rajungan', kelompok_mitra: 'Nelayan' });
    expect(byName.other).toMatchObject({ komoditas: 'Lainnya', kelompok_mitra: 'Pembatik', satuan: 'unit' });
  });

  it('rantai_pasok_triwulan converts realised kg and ton to the agreed unit, and leaves other units out', async () => {
    const rows = await query<Record<string, unknown>>(
      t.db,
      `select id_kemitraan, tahun, triwulan, volume_realisasi::float8 as vol, volume_realisasi_ton::float8 as ton,
              nilai_realisasi::float8 as nilai, volume_disepakati_triwulan::float8 as agreed
         from analytics.rantai_pasok_triwulan where id_kemitraan = any(?::text[]) order by id_kemitraan, tahun, triwulan`,
      { asOf: AS_OF, bindings: [[ids.terasi, ids.nelayan]] },
    );
    const at = (id: string | undefined) => rows.filter((r) => r.id_kemitraan === id).map(({ id_kemitraan, ...r }) => r);
    expect(at(ids.terasi)).toEqual([
      { tahun: 2026, triwulan: 1, vol: 1500, ton: 1.5, nilai: 10_000_000, agreed: 7500 },
      { tahun: 2026, triwulan: 2, vol: 2000, ton: 2, nilai: 12_000_000, agreed: 7500 },
      { tahun: 2026, triwulan: 3, vol: null, ton: null, nilai: null, agreed: 7500 },
    ]);
    expect(at(ids.nelayan)).toEqual([
      { tahun: 2026, triwulan: 1, vol: 0.7, ton: 0.7, nilai: 5_000_000, agreed: 0.75 },
      { tahun: 2026, triwulan: 2, vol: null, ton: null, nilai: 4_000_000, agreed: 0.75 },
      { tahun: 2026, triwulan: 3, vol: null, ton: null, nilai: null, agreed: 0.75 },
    ]);
  });

  it('kemitraan_per_ub: agreements, partners, agreed and realised value of each large business', async () => {
    const rows = await query<Record<string, unknown>>(
      t.db,
      `select nib_ub, nama_ub, kbli_ub, seksi_ub, jumlah_kemitraan, jumlah_berjalan, jumlah_mitra_umkm,
              nilai_disepakati::float8 as disepakati, nilai_realisasi_total::float8 as realisasi,
              rasio_realisasi::float8 as rasio, nilai_terdaftar::float8 as terdaftar
         from analytics.kemitraan_per_ub order by nib_ub`,
      { asOf: AS_OF },
    );
    expect(rows).toEqual([
      {
        nib_ub: UB_FISH,
        nama_ub: 'PT SAMUDRA REMBANG LESTARI',
        kbli_ub: '10213',
        seksi_ub: 'C',
        // mid, ended, exact, noStart, future, nelayan, rajungan, unknownUnit, noVolume, other (withdrawn left out)
        jumlah_kemitraan: 10,
        jumlah_berjalan: 7,
        jumlah_mitra_umkm: 3,
        disepakati: 900_000_000,
        realisasi: 179_000_000,
        rasio: 0.1989,
        terdaftar: 1_000_000_000,
      },
      {
        nib_ub: UB_RETAIL,
        nama_ub: 'PT SUMBER ALFA TRIJAYA TBK',
        kbli_ub: '47111',
        seksi_ub: 'G',
        jumlah_kemitraan: 2,
        jumlah_berjalan: 2,
        jumlah_mitra_umkm: 2,
        disepakati: 200_000_000,
        realisasi: 22_000_000,
        rasio: 0.11,
        terdaftar: 200_000_000,
      },
      {
        nib_ub: UB_PINDANG,
        nama_ub: 'CV PINDANG JAYA KRAGAN', // no NIB document stored: the name on the agreement
        kbli_ub: '10214',
        seksi_ub: 'C',
        jumlah_kemitraan: 1,
        jumlah_berjalan: 1,
        jumlah_mitra_umkm: 1,
        disepakati: 100_000_000,
        realisasi: null,
        rasio: null,
        terdaftar: 100_000_000,
      },
    ]);
  });

  it('hides an agreement while the run writing it is live, and shows it once the run has finished', async () => {
    const doc = partnershipDoc({ objek_kemitraan: 'Pasokan garam krosok', volume: '5', satuan: 'ton' });
    const runId = await write(t, [doc], [], 'running');
    const visible = async () =>
      (
        await query<{ n: number }>(
          t.db,
          `select (select count(*) from analytics.kemitraan_triwulan where id_kemitraan = ?)
                + (select count(*) from analytics.rantai_pasok where id_kemitraan = ?) as n`,
          { asOf: AS_OF, bindings: [doc.id_kemitraan, doc.id_kemitraan] },
        )
      )[0]?.n;
    expect(Number(await visible())).toBe(0);
    await t.db('sync_runs').where({ id: runId }).update({ status: 'succeeded', finished_at: t.db.fn.now() });
    expect(Number(await visible())).toBeGreaterThan(1);
    await t.db('kemitraan').where({ id_kemitraan: doc.id_kemitraan }).update({ deleted_at: t.db.fn.now() });
  });

  it.each([
    ['Ton', 2, 'ton', 2, 2],
    [' KG ', 1500, 'kg', 1500, 1.5],
    ['kg/bulan', 10, 'kg', 10, 0.01],
    ['Kuintal', 10, 'ton', 1, 1],
    ['gram', 500, 'kg', 0.5, 0.0005],
    ['Liter', 20, 'liter', 20, null],
    ['pcs', 7, 'unit', 7, null],
    ['Buah', 7, 'unit', 7, null],
    ['dus', 7, null, null, null],
    ['', 7, null, null, null],
  ])('the unit %j of %s is %s: %s in that unit, %s ton', async (satuan, volume, base, inBase, ton) => {
    const [row] = await query<Record<string, unknown>>(
      t.db,
      `select analytics.satuan_baku(?) as base, analytics.volume_baku(?, ?)::float8 as in_base,
              analytics.volume_ton(?, ?)::float8 as ton`,
      { bindings: [satuan, volume, satuan, volume, satuan] },
    );
    expect(row).toEqual({ base, in_base: inBase, ton });
  });

  it.each([
    ['03111', 'A'],
    ['08930', 'B'],
    ['10213', 'C'],
    ['35111', 'D'],
    ['47111', 'G'],
    ['49431', 'H'],
    ['52101', 'H'],
    ['99000', 'U'],
    ['04111', null],
    ['', null],
    ['ABCDE', null],
  ])('KBLI %j is in section %s', async (kbli, seksi) => {
    const [row] = await query<{ seksi: string | null }>(t.db, 'select analytics.kbli_seksi(?) as seksi', {
      bindings: [kbli],
    });
    expect(row?.seksi).toBe(seksi);
  });
});

describe('analytics report views on a synced simulator world', () => {
  const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
  const AS_OF = '2026-11-20';
  let t: TestDatabase;
  let sim: RunningSimulator;

  beforeAll(async () => {
    t = await createTestDatabase('analytics_report_world');
    sim = await startSimulator({ seed: 71, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    expect((await sync(await makeDeps(t, sim.url))).status).toBe('succeeded');
  });
  afterAll(async () => {
    await sim?.stop();
    await t?.drop();
  });

  it('kemitraan_triwulan: every partnership from the quarter it started to its end or the current quarter', async () => {
    const agreements = await query<{ id: string; start: string | null; end: string | null }>(
      t.db,
      `select id_kemitraan as id, coalesce(tgl_mulai, tgl_kesepakatan)::text as start, tgl_berakhir::text as end
         from analytics.kemitraan where deleted_at is null`,
    );
    const quarter = (d: string) => Number(d.slice(0, 4)) * 4 + Math.floor((Number(d.slice(5, 7)) - 1) / 3);
    const expected = Object.fromEntries(
      agreements.map((a) => {
        const last = Math.min(a.end ? quarter(a.end) : Number.POSITIVE_INFINITY, quarter(AS_OF));
        return [a.id, a.start ? Math.max(0, last - quarter(a.start) + 1) : 0];
      }),
    );
    const counted = await query<{ id: string; n: number }>(
      t.db,
      'select id_kemitraan as id, count(*)::int as n from analytics.kemitraan_triwulan group by id_kemitraan',
      { asOf: AS_OF },
    );
    expect(agreements.length).toBeGreaterThan(100);
    expect(Object.fromEntries(counted.map((c) => [c.id, c.n]))).toEqual(
      Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)),
    );
  });

  it('kemitraan_triwulan and rantai_pasok carry the parties and place of analytics.kemitraan', async () => {
    const [row] = await query<{ differ: number; rows: number }>(
      t.db,
      `select count(*) filter (where x.id_mitra_umkm is distinct from k.id_mitra_umkm or x.nib_ub is distinct from k.nib_ub
                                 or x.status_kemitraan is distinct from k.status_kemitraan)::int as differ,
              count(*)::int as rows
         from (select id_kemitraan, id_mitra_umkm, nib_ub, status_kemitraan from analytics.kemitraan_triwulan
               union all
               select id_kemitraan, id_mitra_umkm, nib_ub, status_kemitraan from analytics.rantai_pasok) x
         join analytics.kemitraan k on k.id_kemitraan = x.id_kemitraan`,
      { asOf: AS_OF },
    );
    expect(row?.rows).toBeGreaterThan(500);
    expect(row?.differ).toBe(0);
  });

  it('a sum over kemitraan_triwulan equals the sum of the realisation rows', async () => {
    const [row] = await query<{ view: string; rows: string; flagged: number }>(
      t.db,
      `select (select sum(nilai_realisasi) from analytics.kemitraan_triwulan)::text as view,
              (select sum(r.nilai_realisasi) from analytics.kemitraan_realisasi r
                 join analytics.kemitraan k on k.id_kemitraan = r.id_kemitraan
                where k.deleted_at is null and r.deleted_at is null)::text as rows,
              (select count(*) from analytics.kemitraan_triwulan where ada_realisasi)::int as flagged`,
      { asOf: AS_OF },
    );
    expect(Number(row?.view)).toBeGreaterThan(0);
    expect(row?.view).toBe(row?.rows);
    expect(row?.flagged).toBeGreaterThan(100);
  });

  it('rantai_pasok normalizes the commodity of every simulator text and converts kg to ton', async () => {
    const rows = await query<{
      objek: string;
      komoditas: string;
      kelompok: string | null;
      satuan: string;
      asli: string;
      vol: number;
      ton: number | null;
    }>(
      t.db,
      `select objek_kemitraan as objek, komoditas, kelompok_mitra as kelompok, satuan, satuan_asli as asli,
              volume_disepakati::float8 as vol, volume_ton::float8 as ton
         from analytics.rantai_pasok`,
      { asOf: AS_OF },
    );
    const expected: ReadonlyArray<[RegExp, string, string]> = [
      [/^Pasokan ikan segar hasil tangkapan/, 'Ikan segar', 'Nelayan'],
      [/^Pasokan garam krosok/, 'Garam krosok', 'Petambak garam'],
      [/^Penjualan kain batik tulis/, 'Kain batik', 'Pembatik'],
      [/^Pemasokan (kerupuk ikan|keripik|peyek rebon|rengginang) kemasan/, 'Makanan olahan', 'Produsen makanan olahan'],
      [/^Pemasokan (ikan asap|pindang|terasi udang) kemasan/, 'Ikan olahan', 'Pengolah ikan'],
      [/^Jasa angkutan semen/, 'Jasa angkutan', 'Pengusaha angkutan'],
    ];
    const outcome = rows.map((r) => {
      const rule = expected.find(([re]) => re.test(r.objek));
      return { objek: r.objek, got: `${r.komoditas} / ${r.kelompok}`, want: rule ? `${rule[1]} / ${rule[2]}` : null };
    });
    expect(outcome.filter((o) => o.got !== o.want)).toEqual([]);
    expect(new Set(rows.map((r) => r.komoditas))).toEqual(new Set(expected.map(([, k]) => k)));
    const units = rows.map((r) => ({
      asli: r.asli,
      satuan: r.satuan,
      ton: r.ton === null ? null : Math.round((r.ton / r.vol) * 1e6) / 1e6,
    }));
    expect(new Set(units.map((u) => JSON.stringify(u)))).toEqual(
      new Set([
        JSON.stringify({ asli: 'ton', satuan: 'ton', ton: 1 }),
        JSON.stringify({ asli: 'kg', satuan: 'kg', ton: 0.001 }),
        JSON.stringify({ asli: 'pcs', satuan: 'unit', ton: null }),
      ]),
    );
  });

  it('rantai_pasok names partners without NIB by name and masked NIK; kecamatan: NIB domicile, else the place', async () => {
    const rows = await query<Record<string, unknown>>(
      t.db,
      `select rp.id_kemitraan, rp.mitra_perorangan, rp.nama_mitra, k.nama_umkm, rp.nik_umkm_masked, rp.kecamatan_mitra,
              rp.asal_kecamatan_mitra, p.kd_kecamatan as domisili, k.kd_kecamatan as pelaksanaan, rp.kelompok_mitra
         from analytics.rantai_pasok rp
         join analytics.kemitraan k on k.id_kemitraan = rp.id_kemitraan
         left join analytics.pelaku_usaha p on p.nib = k.nib_umkm`,
      { asOf: AS_OF },
    );
    const individuals = rows.filter((r) => r.mitra_perorangan);
    expect(individuals.length).toBeGreaterThan(10);
    // The masked NIK keeps only its first 4 digits, so an individual is placed where the partnership is carried out.
    expect(
      individuals
        .filter(
          (r) =>
            r.nama_mitra !== r.nama_umkm ||
            !/^\d{4}\*{8}\d{4}$/.test(String(r.nik_umkm_masked)) ||
            r.kecamatan_mitra !== r.pelaksanaan ||
            r.asal_kecamatan_mitra !== 'lokasi_kemitraan',
        )
        .map((r) => r.id_kemitraan),
    ).toEqual([]);
    expect(new Set(individuals.map((r) => r.kelompok_mitra))).toEqual(new Set(['Nelayan', 'Petambak garam']));
    const firms = rows.filter((r) => !r.mitra_perorangan);
    expect(firms.filter((r) => r.domisili).length).toBeGreaterThan(10);
    expect(
      firms
        .filter((r) => r.kecamatan_mitra !== r.domisili || r.asal_kecamatan_mitra !== (r.domisili ? 'domisili' : null))
        .map((r) => r.id_kemitraan),
    ).toEqual([]);
  });

  it('no analytics view shows a full NIK of the simulator world to oss_analyst', async () => {
    const docs: unknown[] = [
      ...sim.world.listKemitraan({ kdDaerah: '3317', sinceSec: null, offset: 0, limit: 1_000_000 }).records,
    ];
    for (const nib of await t.db('pelaku_usaha').pluck('nib')) docs.push(sim.world.getBusiness(nib));
    const niks = [...new Set(JSON.stringify(docs).match(/(?<!\d)[1-9]\d{15}(?!\d)/g) ?? [])];
    expect(niks.length).toBeGreaterThan(20);
    const views: string[] = await t
      .db('information_schema.views')
      .where({ table_schema: 'analytics' })
      .orderBy('table_name')
      .pluck('table_name');
    const shown: string[] = [];
    for (const view of views) {
      const hits = await query<{ nik: string }>(
        t.db,
        `select distinct n.nik from (select v::text as line from analytics.${view} v) x
           join unnest(?::text[]) n(nik) on strpos(x.line, n.nik) > 0`,
        { asOf: AS_OF, analyst: true, bindings: [niks] },
      );
      shown.push(...hits.map((h) => `${view}: ${h.nik.slice(0, 4)}…`));
    }
    expect(shown).toEqual([]);
  });
});

describe('analytics labels, comments and grants', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('analytics_labels');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it.each([
    ['label_pola_kemitraan', POLA_KEMITRAAN],
    ['label_status_kemitraan', STATUS_KEMITRAAN],
    ['label_skala_usaha', SKALA_USAHA],
    ['label_status_penanaman_modal', STATUS_PENANAMAN_MODAL],
    ['label_status_nib', STATUS_NIB],
    ['label_jenis_izin', JENIS_IZIN],
    ['label_status_izin', STATUS_IZIN],
    ['label_jenis_perseroan', JENIS_PERSEROAN],
  ] as Array<[string, Record<string, string>]>)(
    'analytics.%s lists the codes of src/domain/codes.ts',
    async (view, table) => {
      const rows = await query<{ kode: string; label: string }>(t.db, `select kode, label from analytics.${view}`, {
        analyst: true,
      });
      expect(rows).toEqual(
        Object.entries(table)
          .map(([kode, label]) => ({ kode, label }))
          .sort((a, b) => (a.kode < b.kode ? -1 : 1)),
      );
    },
  );

  it('label_kbli, label_kbli_seksi and label_kecamatan follow config/reference', async () => {
    const ref = loadReference();
    const kbli = await query<{ kbli: string; judul: string; seksi: string; judul_seksi: string }>(
      t.db,
      'select kbli, judul, seksi, judul_seksi from analytics.label_kbli',
      { analyst: true },
    );
    expect(Object.fromEntries(kbli.map((k) => [k.kbli, k.judul]))).toEqual(ref.kbli);
    expect(kbli.find((k) => k.kbli === '13134')).toMatchObject({ seksi: 'C', judul_seksi: 'Industri Pengolahan' });
    expect(kbli.filter((k) => !k.seksi || !k.judul_seksi)).toEqual([]);
    const sections = await query<{ seksi: string }>(t.db, 'select seksi from analytics.label_kbli_seksi');
    expect(sections.map((s) => s.seksi).join('')).toBe('ABCDEFGHIJKLMNOPQRSTU');
    const kec = await query<{ kd_kecamatan: string; nama: string }>(t.db, 'select * from analytics.label_kecamatan');
    expect(Object.fromEntries(kec.map((k) => [k.kd_kecamatan, k.nama]))).toEqual(ref.kecamatan);
  });

  it('every analytics view, column and function has a comment in Indonesian and English', async () => {
    const objects = await query<{ object: string; comment: string | null }>(
      t.db,
      `select c.relname as object, obj_description(c.oid, 'pg_class') as comment
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'analytics' and c.relkind in ('r', 'v', 'm', 'f', 'p')
       union all
       select c.relname || '.' || a.attname, col_description(c.oid, a.attnum)
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where n.nspname = 'analytics' and c.relkind in ('r', 'v', 'm', 'f', 'p')
       union all
       select p.proname || '()', obj_description(p.oid, 'pg_proc')
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'analytics'`,
    );
    expect(objects.length).toBeGreaterThan(300);
    // "Indonesian / English": a comment without the separator is missing or in one language only.
    expect(objects.filter((m) => !m.comment?.includes(' / ')).map((m) => m.object)).toEqual([]);
  });

  it('oss_analyst reads every new view and none of the console tables or the reference tables behind the views', async () => {
    const refused: string[] = [];
    for (const view of NEW_VIEWS) {
      const code = await analystError(t.db, `select * from analytics.${view} limit 1`);
      if (code !== null) refused.push(`${view}: ${code}`);
    }
    expect(refused).toEqual([]);
    const hidden = [];
    for (const table of ['web_users', 'web_sessions', 'ref_code', 'ref_komoditas', 'ref_kelompok_kbli'])
      hidden.push({ table, sqlstate: await analystError(t.db, `select 1 from public.${table} limit 1`) });
    expect(hidden).toEqual(hidden.map(({ table }) => ({ table, sqlstate: '42501' })));
  });

  it('label_komoditas shows the rules of config/reference/komoditas.json in order', async () => {
    const rules = await query<{ urutan: number; komoditas: string }>(
      t.db,
      'select urutan, komoditas from analytics.label_komoditas',
      { analyst: true },
    );
    expect(rules[0]).toEqual({ urutan: 1, komoditas: 'Jasa angkutan' });
    expect(rules.map((r) => r.urutan)).toEqual(rules.map((_, i) => i + 1));
  });
});
