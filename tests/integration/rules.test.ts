/*
 * Every rule fires on its planted shape and stays silent on near-misses. Each case starts from a clean base world
 * (a UB and a UMKM in Rembang with one running rantai-pasok partnership, projects, locations, a licence and
 * realisations: no rule fires on it), applies one mutation inside a transaction, evaluates the whole region with
 * the real rule SQL, asserts, and rolls back.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityType } from '../../src/domain/glossary.js';
import { RULES } from '../../src/rules/index.js';
import { evaluatePending } from '../../src/verification/evaluate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** 2024-07-15 10:00 WIB: "today" for the time-based rules. */
const NOW = new Date('2024-07-15T03:00:00Z');
const UB = '8120000000001';
const UMKM = '8120000000002';
const K1 = 'K-202401050930001230001';
const P_UB = 'R-202203010900001230001';
const P_UMKM = 'R-202203150900001230002';
const IZIN = 'I-202203020900001230001';
const META = { content_hash: 'fixture', source: 'test' };

let t: TestDatabase;

const insert = (db: Knex, table: string, rows: Array<Record<string, unknown>>) =>
  db(table).insert(rows.map((r) => ({ ...META, ...r })));

function business(nib: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nib,
    tgl_pengajuan_nib: '2022-03-01',
    tgl_terbit_nib: '2022-03-01',
    tgl_perubahan_nib: '2024-01-01',
    jenis_pelaku_usaha: '01',
    jenis_perseroan: '02',
    status_penanaman_modal: '02',
    flag_umk: 'Y',
    skala_usaha: '02',
    nama_perseroan: 'CV LAIN',
    npwp_perseroan: `00${nib.slice(0, 14)}`,
    npwp_hash: `npwp-${nib}`,
    perseroan_daerah_id: '3317142008',
    kd_kecamatan: '331714',
    persen_pma: 0,
    status_nib: '01',
    kd_dni: [],
    ...over,
  };
}

function partnership(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id_kemitraan: id,
    nib_ub: UB,
    nama_ub: 'PT Samudra Rembang Lestari',
    kbli_ub: '10213',
    nib_umkm: UMKM,
    nama_umkm: 'CV. Mina Jaya',
    kbli_umkm: '03111',
    skala_usaha_umkm: '02',
    pola_kemitraan: '06',
    objek_kemitraan: 'Ikan segar',
    volume: 10,
    satuan: 'ton',
    periode_volume: 'bulan',
    nilai_kemitraan: 1_000_000_000,
    tgl_kesepakatan: '2024-01-05',
    tgl_mulai: '2024-01-10',
    tgl_berakhir: '2026-01-09',
    kd_daerah_pelaksanaan: '3317142008',
    kd_kecamatan: '331714',
    status_kemitraan: '03',
    tgl_pengajuan: '2024-01-05T02:30:00.000Z',
    tgl_perubahan: '2024-01-05T02:30:00.000Z',
    ...over,
  };
}

async function seedBase(db: Knex): Promise<void> {
  await insert(db, 'pelaku_usaha', [
    business(UB, {
      jenis_perseroan: '01',
      flag_umk: 'N',
      skala_usaha: '04',
      nama_perseroan: 'PT SAMUDRA REMBANG LESTARI',
      perseroan_daerah_id: '3317102025',
      kd_kecamatan: '331710',
    }),
    business(UMKM, { nama_perseroan: 'CV MINA JAYA' }),
  ]);
  await insert(db, 'pemegang_saham', [
    {
      nib: UB,
      seq: 1,
      nama_pemegang_saham: 'BUDI SANTOSO',
      flag_asing: 'N',
      no_identitas_hash: 'id-budi',
      no_identitas_masked: '3317********0001',
    },
    {
      nib: UMKM,
      seq: 1,
      nama_pemegang_saham: 'SITI AMINAH',
      flag_asing: 'N',
      no_identitas_hash: 'id-siti',
      no_identitas_masked: '3317********0002',
    },
  ]);
  await insert(db, 'penanggung_jawab', [
    {
      nib: UB,
      seq: 1,
      nama_penanggung_jwb: 'BUDI SANTOSO',
      no_identitas_hash: 'id-budi',
      no_identitas_masked: '3317********0001',
    },
    {
      nib: UMKM,
      seq: 1,
      nama_penanggung_jwb: 'SITI AMINAH',
      no_identitas_hash: 'id-siti',
      no_identitas_masked: '3317********0002',
    },
  ]);
  await insert(db, 'proyek', [
    {
      id_proyek: P_UB,
      nib: UB,
      kbli: '10213',
      skala_resiko: 'MT',
      jumlah_investasi: 20_000_000_000,
      pembelian_pematang_tanah: 2_000_000_000,
      bangunan_gedung: 3_000_000_000,
      nama_kegiatan: 'PABRIK ES SAMUDRA',
      tgl_pengajuan_proyek: '2022-03-01',
    },
    {
      id_proyek: P_UMKM,
      nib: UMKM,
      kbli: '03111',
      skala_resiko: 'R',
      jumlah_investasi: 2_000_000_000,
      nama_kegiatan: 'MINA JAYA',
      tgl_pengajuan_proyek: '2022-03-15',
    },
  ]);
  await insert(db, 'proyek_lokasi', [
    {
      id_proyek_lokasi: 'L-1',
      id_proyek: P_UB,
      nib: UB,
      proyek_daerah_id: '3317102025',
      kd_kecamatan: '331710',
      status_lokasi: '01',
      lat_lng: '-6.70,111.35',
      lat: -6.7,
      lng: 111.35,
    },
    {
      id_proyek_lokasi: 'L-2',
      id_proyek: P_UMKM,
      nib: UMKM,
      proyek_daerah_id: '3317142008',
      kd_kecamatan: '331714',
      status_lokasi: '01',
      lat_lng: '-6.69,111.45',
      lat: -6.69,
      lng: 111.45,
    },
  ]);
  await insert(db, 'perizinan', [
    {
      id_izin: IZIN,
      nib: UB,
      id_proyek: P_UB,
      jenis_izin: '04',
      kd_status: '50',
      kd_daerah: '3317000000',
      tgl_izin: '2022-04-01',
      nama_izin: 'Sertifikat Standar Industri',
    },
  ]);
  await insert(db, 'kemitraan', [partnership(K1)]);
  await insert(db, 'kemitraan_realisasi', [
    { id_kemitraan: K1, tahun: 2024, triwulan: 1, nilai_realisasi: 100_000_000, volume_realisasi: 20, satuan: 'ton' },
    { id_kemitraan: K1, tahun: 2024, triwulan: 2, nilai_realisasi: 100_000_000, volume_realisasi: 25, satuan: 'ton' },
  ]);
}

class Rollback extends Error {}

interface Finding {
  rule_code: string;
  entity_type: EntityType;
  entity_id: string;
  message: string;
  evidence: Record<string, unknown>;
  kd_kecamatan: string | null;
}

/** Seeds the base world, applies `mutate`, evaluates everything and hands the findings to `check`; rolls back. */
async function withWorld(mutate: (db: Knex) => Promise<unknown>, check: (findings: Finding[]) => void): Promise<void> {
  try {
    await t.db.transaction(async (trx) => {
      await seedBase(trx);
      await mutate(trx);
      await evaluatePending(trx, { runId: null, now: NOW, kdDaerah: '3317', all: true });
      check(
        await trx('findings').select('rule_code', 'entity_type', 'entity_id', 'message', 'evidence', 'kd_kecamatan'),
      );
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
}

const update = (table: string, where: Record<string, unknown>, set: Record<string, unknown>) => (db: Knex) =>
  db(table).where(where).update(set);
const all =
  (...steps: Array<(db: Knex) => Promise<unknown>>) =>
  async (db: Knex) => {
    for (const s of steps) await s(db);
  };

interface Case {
  rule: string;
  name: string;
  mutate: (db: Knex) => Promise<unknown>;
  /** The entities the rule must flag; absent or empty: the rule must stay silent. */
  fires?: Array<[EntityType, string]>;
  message?: RegExp;
  evidence?: (e: Record<string, unknown>) => void;
}

const K2 = 'K-202407010800001230002';

const CASES: Case[] = [
  // NIB_FORMAT
  {
    rule: 'NIB_FORMAT',
    name: 'a 12-digit nib_umkm',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nib_umkm: '812000000002' }),
    fires: [['kemitraan', K1]],
    message: /NIB mitra UMKM "812000000002" terdiri dari 12 digit, bukan 13/,
  },
  {
    rule: 'NIB_FORMAT',
    name: 'a "-" placeholder as nib_ub',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nib_ub: null, placeholder_fields: ['nib_ub'] }),
    fires: [['kemitraan', K1]],
    message: /berisi tanda "-"/,
  },
  {
    rule: 'NIB_FORMAT',
    name: 'a stored business whose NIB has a letter',
    mutate: (db) => insert(db, 'pelaku_usaha', [business('812000000003A')]),
    fires: [['pelaku_usaha', '812000000003A']],
  },
  {
    rule: 'NIB_FORMAT',
    name: 'near miss: an individual partner without NIB but with a NIK',
    mutate: update(
      'kemitraan',
      { id_kemitraan: K1 },
      { nib_umkm: null, nik_umkm_hash: 'nik-1', nik_umkm_masked: '3317********0003', nik_umkm_province: '33' },
    ),
  },
  // NPWP_FORMAT
  {
    rule: 'NPWP_FORMAT',
    name: 'an 11-digit NPWP',
    mutate: update(
      'pelaku_usaha',
      { nib: UMKM },
      { npwp_perseroan: '01234567890', npwp_perseroan_raw: '01.234.567.8-90', npwp_issues: ['length'] },
    ),
    fires: [['pelaku_usaha', UMKM]],
    message: /terdiri dari 11 digit, bukan 15 atau 16/,
  },
  {
    rule: 'NPWP_FORMAT',
    name: "an entity's 16-digit NPWP not '0' + 15",
    mutate: update('pelaku_usaha', { nib: UMKM }, { npwp_issues: ['entity_prefix'] }),
    fires: [['pelaku_usaha', UMKM]],
  },
  {
    rule: 'NPWP_FORMAT',
    name: 'near miss: an NPWP that is the NIK of an individual',
    mutate: update(
      'pelaku_usaha',
      { nib: UMKM },
      {
        jenis_pelaku_usaha: '02',
        jenis_perseroan: '17',
        npwp_perseroan: '3317************',
        npwp_is_nik: true,
        npwp_issues: [],
      },
    ),
  },
  // NPWP_MULTI_NIB
  {
    rule: 'NPWP_MULTI_NIB',
    name: 'a second active NIB with the same NPWP',
    mutate: (db) =>
      insert(db, 'pelaku_usaha', [
        business('8120000000009', { npwp_hash: `npwp-${UMKM}`, nama_perseroan: 'CV MINA JAYA ABADI' }),
      ]),
    fires: [
      ['pelaku_usaha', UMKM],
      ['pelaku_usaha', '8120000000009'],
    ],
    message:
      /juga dipakai oleh NIB aktif lain: (8120000000009 \(CV MINA JAYA ABADI|8120000000002 \(CV MINA JAYA), Aktif \(01\)\)/,
  },
  {
    rule: 'NPWP_MULTI_NIB',
    name: 'near miss: the other NIB is revoked (06)',
    mutate: (db) =>
      insert(db, 'pelaku_usaha', [business('8120000000009', { npwp_hash: `npwp-${UMKM}`, status_nib: '06' })]),
  },
  // NIK_INVALID
  {
    rule: 'NIK_INVALID',
    name: 'month 13 in an individual partner NIK',
    mutate: update(
      'kemitraan',
      { id_kemitraan: K1 },
      {
        nib_umkm: null,
        nik_umkm_hash: 'nik-1',
        nik_umkm_masked: '3317********0003',
        nik_umkm_province: '33',
        nik_umkm_issues: ['month'],
      },
    ),
    fires: [['kemitraan', K1]],
    message: /bulan lahir .* bukan 01–12/,
    evidence: (e) => expect(e.nik_umkm_masked).toBe('3317********0003'),
  },
  {
    rule: 'NIK_INVALID',
    name: 'an unknown province code',
    mutate: update(
      'kemitraan',
      { id_kemitraan: K1 },
      { nib_umkm: null, nik_umkm_hash: 'nik-1', nik_umkm_masked: '9917********0003', nik_umkm_province: '99' },
    ),
    fires: [['kemitraan', K1]],
    message: /kode provinsi 99 tidak dikenal/,
  },
  {
    rule: 'NIK_INVALID',
    name: "near miss: a woman's NIK (day + 40)",
    mutate: update(
      'kemitraan',
      { id_kemitraan: K1 },
      {
        nib_umkm: null,
        nik_umkm_hash: 'nik-1',
        nik_umkm_masked: '3317********0003',
        nik_umkm_province: '33',
        nik_umkm_issues: [],
      },
    ),
  },
  {
    rule: 'NIK_INVALID',
    name: "a shareholder's and a person in charge's KTP NIK (day 00, unknown province), on the business",
    mutate: all(
      update('pemegang_saham', { nib: UMKM, seq: 1 }, { no_identitas_province: '33', no_identitas_issues: ['day'] }),
      update('penanggung_jawab', { nib: UMKM, seq: 1 }, { no_identitas_province: '99', no_identitas_issues: [] }),
    ),
    fires: [['pelaku_usaha', UMKM]],
    message:
      /pemegang saham SITI AMINAH \(3317\*{8}0002\): tanggal lahir .* bukan 01–31 atau 41–71; penanggung jawab SITI AMINAH \(3317\*{8}0002\): kode provinsi 99 tidak dikenal/,
    evidence: (e) =>
      expect(e.orang).toEqual([
        {
          peran: 'pemegang saham',
          nama: 'SITI AMINAH',
          no_identitas_masked: '3317********0002',
          kode_provinsi: '33',
          masalah: ['day'],
        },
        {
          peran: 'penanggung jawab',
          nama: 'SITI AMINAH',
          no_identitas_masked: '3317********0002',
          kode_provinsi: '99',
          masalah: ['province'],
        },
      ]),
  },
  {
    rule: 'NIK_INVALID',
    name: 'near miss: valid KTP facts of the people, and a deleted shareholder with a bad NIK',
    mutate: all(
      update('pemegang_saham', { nib: UB, seq: 1 }, { no_identitas_province: '33', no_identitas_issues: [] }),
      update(
        'pemegang_saham',
        { nib: UMKM, seq: 1 },
        { no_identitas_province: '33', no_identitas_issues: ['month'], deleted_at: new Date('2024-07-01T00:00:00Z') },
      ),
    ),
  },
  // KD_DAERAH_INVALID
  {
    rule: 'KD_DAERAH_INVALID',
    name: 'an 8-digit kd_daerah_pelaksanaan',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { kd_daerah_pelaksanaan: '33171420', kd_kecamatan: null }),
    fires: [['kemitraan', K1]],
    message: /bukan 10 digit/,
  },
  {
    rule: 'KD_DAERAH_INVALID',
    name: 'an unknown kecamatan and a 7th digit 3 in a domicile',
    mutate: update('pelaku_usaha', { nib: UMKM }, { perseroan_daerah_id: '3317153001' }),
    fires: [['pelaku_usaha', UMKM]],
    message: /kode kecamatan 331715 tidak dikenal; digit ke-7 \(3\)/,
  },
  {
    rule: 'KD_DAERAH_INVALID',
    name: 'a kabupaten-level code as a project location',
    mutate: update('proyek_lokasi', { id_proyek_lokasi: 'L-2' }, { proyek_daerah_id: '3317000000' }),
    fires: [['proyek', P_UMKM]],
  },
  {
    rule: 'KD_DAERAH_INVALID',
    name: 'near miss: a kabupaten-level kd_daerah on a licence',
    mutate: update('perizinan', { id_izin: IZIN }, { kd_daerah: '3317000000' }),
  },
  {
    rule: 'KD_DAERAH_INVALID',
    name: 'near miss: a valid code outside the region (Kota Semarang)',
    mutate: update('pelaku_usaha', { nib: UMKM }, { perseroan_daerah_id: '3374012001' }),
  },
  // KBLI_INVALID
  {
    rule: 'KBLI_INVALID',
    name: 'a KBLI that lost its leading zero',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { kbli_umkm: '3111' }),
    fires: [['kemitraan', K1]],
    message: /kbli_umkm "3111" hanya 4 digit/,
  },
  {
    rule: 'KBLI_INVALID',
    name: 'a product KBLI missing from KBLI 2020',
    mutate: (db) => insert(db, 'proyek_produk', [{ id_produk: 'PR-1', id_proyek: P_UMKM, nib: UMKM, kbli: '99999' }]),
    fires: [['proyek', P_UMKM]],
  },
  {
    rule: 'KBLI_INVALID',
    name: 'near miss: 03111 with its leading zero',
    mutate: update('proyek', { id_proyek: P_UMKM }, { kbli: '03111' }),
  },
  // DATE_INCONSISTENT
  {
    rule: 'DATE_INCONSISTENT',
    name: 'an end before the start',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { tgl_berakhir: '2024-01-01' }),
    fires: [['kemitraan', K1]],
    message: /tgl_berakhir 2024-01-01 lebih awal dari tgl_mulai 2024-01-10/,
  },
  {
    rule: 'DATE_INCONSISTENT',
    name: 'a NIB issued before it was applied for',
    mutate: update('pelaku_usaha', { nib: UMKM }, { tgl_terbit_nib: '2022-02-01' }),
    fires: [['pelaku_usaha', UMKM]],
  },
  {
    rule: 'DATE_INCONSISTENT',
    name: 'the id date differs from tgl_pengajuan',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { tgl_pengajuan: '2024-01-08T02:30:00.000Z' }),
    fires: [['kemitraan', K1]],
    message: /tanggal pada ID \(2024-01-05\) berbeda dengan tgl_pengajuan \(2024-01-08\)/,
  },
  {
    rule: 'DATE_INCONSISTENT',
    name: 'a licence issued tomorrow',
    mutate: update('perizinan', { id_izin: IZIN }, { tgl_izin: '2024-07-16' }),
    fires: [['perizinan', IZIN]],
    message: /berada di masa depan/,
  },
  {
    rule: 'DATE_INCONSISTENT',
    name: 'near miss: submitted 01:00 WIB, which is the previous day in UTC',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { tgl_pengajuan: '2024-01-04T18:00:00.000Z' }),
  },
  {
    rule: 'DATE_INCONSISTENT',
    name: 'near miss: a licence issued today',
    mutate: update('perizinan', { id_izin: IZIN }, { tgl_izin: '2024-07-15' }),
  },
  // PARTNER_NIB_NOT_FOUND
  {
    rule: 'PARTNER_NIB_NOT_FOUND',
    name: 'OSS does not know the UMKM NIB',
    mutate: all(
      (db) => db('pelaku_usaha').where({ nib: UMKM }).delete(),
      (db) => db('nib_not_found').insert({ nib: UMKM, keterangan: 'Data NIB tidak ditemukan' }),
    ),
    fires: [['kemitraan', K1]],
    message: /NIB mitra UMKM 8120000000002 \(CV. Mina Jaya\) pada kemitraan .* tidak ditemukan di OSS/,
  },
  {
    rule: 'PARTNER_NIB_NOT_FOUND',
    name: 'near miss: an unrelated NIB is unknown',
    mutate: (db) => db('nib_not_found').insert({ nib: '8129999999999', keterangan: 'Data NIB tidak ditemukan' }),
  },
  // PARTNER_NIB_INACTIVE
  {
    rule: 'PARTNER_NIB_INACTIVE',
    name: 'the UMKM NIB is revoked',
    mutate: update('pelaku_usaha', { nib: UMKM }, { status_nib: '06' }),
    fires: [['kemitraan', K1]],
    message: /mitra UMKM CV MINA JAYA \(NIB 8120000000002\) berstatus Dicabut \(06\)/,
  },
  {
    rule: 'PARTNER_NIB_INACTIVE',
    name: 'near miss: the UMKM NIB is not yet active (02)',
    mutate: update('pelaku_usaha', { nib: UMKM }, { status_nib: '02' }),
  },
  // PARTNER_NOT_UMKM
  {
    rule: 'PARTNER_NOT_UMKM',
    name: 'the UMKM is a large business in OSS',
    mutate: update('pelaku_usaha', { nib: UMKM }, { skala_usaha: '04', flag_umk: 'N' }),
    fires: [['kemitraan', K1]],
    message:
      /^Mitra UMKM \(NIB 8120000000002, CV MINA JAYA\) tercatat berskala Besar \(04\) di OSS \(dalam kesepakatan dinyatakan Kecil \(02\)\); kemitraan ini tidak memenuhi syarat UMKM\.$/,
  },
  {
    rule: 'PARTNER_NOT_UMKM',
    name: 'the declared scale differs from OSS',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { skala_usaha_umkm: '01' }),
    fires: [['kemitraan', K1]],
    message: /dinyatakan berskala Mikro \(01\) dalam kesepakatan, tetapi di OSS tercatat Kecil \(02\)/,
  },
  {
    rule: 'PARTNER_NOT_UMKM',
    name: 'near miss: a menengah partner (only besar is wrong)',
    mutate: all(
      update('pelaku_usaha', { nib: UMKM }, { skala_usaha: '03', flag_umk: 'N' }),
      update('kemitraan', { id_kemitraan: K1 }, { skala_usaha_umkm: '03' }),
    ),
  },
  // UB_NOT_LARGE
  {
    rule: 'UB_NOT_LARGE',
    name: 'the UB is menengah',
    mutate: update('pelaku_usaha', { nib: UB }, { skala_usaha: '03' }),
    fires: [['kemitraan', K1]],
    message: /tercatat berskala Menengah \(03\) di OSS, bukan Besar \(04\)/,
  },
  {
    rule: 'UB_NOT_LARGE',
    name: 'near miss: the UB is not synced yet',
    mutate: (db) => db('pelaku_usaha').where({ nib: UB }).delete(),
  },
  // UMKM_OUTSIDE_REGION
  {
    rule: 'UMKM_OUTSIDE_REGION',
    name: 'the UMKM lives in Kota Semarang',
    mutate: update('pelaku_usaha', { nib: UMKM }, { perseroan_daerah_id: '3374012001', kd_kecamatan: '337401' }),
    fires: [['kemitraan', K1]],
    message: /berdomisili di luar Kabupaten Rembang \(kode domisili 3374012001, Kota Semarang, Jawa Tengah\)/,
  },
  {
    rule: 'UMKM_OUTSIDE_REGION',
    name: 'near miss: the UMKM lives in Sumber, Rembang',
    mutate: update('pelaku_usaha', { nib: UMKM }, { perseroan_daerah_id: '3317012009', kd_kecamatan: '331701' }),
  },
  // PARTNER_AFFILIATED
  {
    rule: 'PARTNER_AFFILIATED',
    name: "the UB's shareholder also holds shares in the UMKM",
    mutate: (db) =>
      insert(db, 'pemegang_saham', [
        {
          nib: UMKM,
          seq: 2,
          nama_pemegang_saham: 'BUDI S.',
          no_identitas_hash: 'id-budi',
          no_identitas_masked: '3317********0001',
        },
      ]),
    fires: [['kemitraan', K1]],
    message: /pemegang saham BUDI SANTOSO di usaha besar = pemegang saham BUDI S\. di UMKM \(3317\*{8}0001\)/,
    evidence: (e) => expect(JSON.stringify(e)).not.toContain('id-budi'),
  },
  {
    rule: 'PARTNER_AFFILIATED',
    name: "an individual partner is the UB's person in charge",
    mutate: update(
      'kemitraan',
      { id_kemitraan: K1 },
      {
        nib_umkm: null,
        nik_umkm_hash: 'id-budi',
        nik_umkm_masked: '3317********0001',
        nik_umkm_province: '33',
        nama_umkm: 'Budi Santoso',
      },
    ),
    fires: [['kemitraan', K1]],
  },
  {
    rule: 'PARTNER_AFFILIATED',
    name: 'near miss: a namesake shareholder with another identity',
    mutate: (db) =>
      insert(db, 'pemegang_saham', [
        {
          nib: UMKM,
          seq: 2,
          nama_pemegang_saham: 'BUDI SANTOSO',
          no_identitas_hash: 'id-budi-2',
          no_identitas_masked: '3317********0009',
        },
      ]),
  },
  // SCALE_VS_CAPITAL
  {
    rule: 'SCALE_VS_CAPITAL',
    name: 'a mikro business with Rp 2 M capital',
    mutate: update('pelaku_usaha', { nib: UMKM }, { skala_usaha: '01' }),
    fires: [['pelaku_usaha', UMKM]],
    message: /tercatat berskala Mikro \(01\), tetapi modal usahanya Rp 2\.000\.000\.000 .* skala Kecil \(02\)/,
  },
  {
    rule: 'SCALE_VS_CAPITAL',
    name: 'near miss: mikro with exactly Rp 1 M after land and buildings',
    mutate: all(
      update('pelaku_usaha', { nib: UMKM }, { skala_usaha: '01' }),
      update(
        'proyek',
        { id_proyek: P_UMKM },
        { jumlah_investasi: 1_500_000_000, pembelian_pematang_tanah: 300_000_000, bangunan_gedung: 200_000_000 },
      ),
    ),
  },
  // FLAG_UMK_VS_SCALE
  {
    rule: 'FLAG_UMK_VS_SCALE',
    name: 'flag_umk Y on a large business',
    mutate: update('pelaku_usaha', { nib: UB }, { flag_umk: 'Y' }),
    fires: [['pelaku_usaha', UB]],
  },
  {
    rule: 'FLAG_UMK_VS_SCALE',
    name: 'flag_umk N on a kecil business',
    mutate: update('pelaku_usaha', { nib: UMKM }, { flag_umk: 'N' }),
    fires: [['pelaku_usaha', UMKM]],
  },
  {
    rule: 'FLAG_UMK_VS_SCALE',
    name: 'near miss: flag_umk N on a menengah business',
    mutate: update('pelaku_usaha', { nib: UMKM }, { flag_umk: 'N', skala_usaha: '03' }),
  },
  // VALUE_IMPLAUSIBLE
  {
    rule: 'VALUE_IMPLAUSIBLE',
    name: 'a zero value',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nilai_kemitraan: 0 }),
    fires: [['kemitraan', K1]],
    message: /harus lebih dari nol/,
  },
  {
    rule: 'VALUE_IMPLAUSIBLE',
    name: 'Rp 20 M a year from a kecil partner',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nilai_kemitraan: 40_000_000_000 }),
    fires: [['kemitraan', K1]],
    message: /melebihi batas hasil penjualan tahunan usaha Kecil \(02\) sebesar Rp 15\.000\.000\.000/,
  },
  {
    rule: 'VALUE_IMPLAUSIBLE',
    name: 'near miss: Rp 14 M a year from a kecil partner',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nilai_kemitraan: 28_000_000_000 }),
  },
  // PATTERN_KBLI_MISMATCH
  {
    rule: 'PATTERN_KBLI_MISMATCH',
    name: 'perdagangan umum with a fish-processing UB',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { pola_kemitraan: '04' }),
    fires: [['kemitraan', K1]],
    message: /KBLI usaha besar 10213 \(Industri Pembekuan Ikan\) tidak termasuk awalan 45, 46, 47/,
  },
  {
    rule: 'PATTERN_KBLI_MISMATCH',
    name: 'rantai pasok where batik supplies a fish processor',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { kbli_umkm: '13134' }),
    fires: [['kemitraan', K1]],
    message: /bukan pemasok bagi KBLI usaha besar 10213/,
  },
  {
    rule: 'PATTERN_KBLI_MISMATCH',
    name: 'near miss: perdagangan umum with a retail UB',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { pola_kemitraan: '04', kbli_ub: '47111', kbli_umkm: '10214' }),
  },
  // NO_REALISATION
  {
    rule: 'NO_REALISATION',
    name: 'running since January with no realisation',
    mutate: (db) => db('kemitraan_realisasi').where({ id_kemitraan: K1 }).delete(),
    fires: [['kemitraan', K1]],
    message: /berstatus Berjalan sejak 2024-01-10.*triwulan 2 2024/,
  },
  {
    rule: 'NO_REALISATION',
    name: 'only zero realisations were reported',
    mutate: update('kemitraan_realisasi', { id_kemitraan: K1 }, { nilai_realisasi: 0, volume_realisasi: 0 }),
    fires: [['kemitraan', K1]],
  },
  {
    rule: 'NO_REALISATION',
    name: 'near miss: started mid-April, its first full quarter has not ended',
    mutate: all(
      (db) => db('kemitraan_realisasi').where({ id_kemitraan: K1 }).delete(),
      update('kemitraan', { id_kemitraan: K1 }, { tgl_mulai: '2024-04-15' }),
    ),
  },
  {
    rule: 'NO_REALISATION',
    name: 'near miss: only the second quarter was reported',
    mutate: (db) => db('kemitraan_realisasi').where({ id_kemitraan: K1, triwulan: 1 }).delete(),
  },
  // REALISATION_EXCEEDS
  {
    rule: 'REALISATION_EXCEEDS',
    name: 'more realised value than agreed',
    mutate: update('kemitraan_realisasi', { id_kemitraan: K1, triwulan: 2 }, { nilai_realisasi: 950_000_000 }),
    fires: [['kemitraan', K1]],
    message: /nilai realisasi Rp 1\.050\.000\.000 melebihi nilai kemitraan Rp 1\.000\.000\.000/,
  },
  {
    rule: 'REALISATION_EXCEEDS',
    name: '70 t realised against 10 t a month over 6 months',
    mutate: update('kemitraan_realisasi', { id_kemitraan: K1, triwulan: 2 }, { volume_realisasi: 50 }),
    fires: [['kemitraan', K1]],
    message: /volume realisasi 70 ton melebihi 60 ton yang disepakati untuk 6 bulan berjalan/,
  },
  {
    rule: 'REALISATION_EXCEEDS',
    name: 'near miss: exactly 60 t over 6 months',
    mutate: update('kemitraan_realisasi', { id_kemitraan: K1, triwulan: 2 }, { volume_realisasi: 40 }),
  },
  // DUPLICATE_PARTNERSHIP
  {
    rule: 'DUPLICATE_PARTNERSHIP',
    name: 'a second overlapping agreement for the same parties and pattern',
    mutate: (db) =>
      insert(db, 'kemitraan', [
        partnership(K2, {
          tgl_mulai: '2024-07-01',
          tgl_berakhir: '2025-06-30',
          tgl_pengajuan: '2024-07-01T01:00:00.000Z',
        }),
      ]),
    fires: [
      ['kemitraan', K1],
      ['kemitraan', K2],
    ],
    message: /tumpang tindih dengan kesepakatan lain/,
  },
  {
    rule: 'DUPLICATE_PARTNERSHIP',
    name: 'near miss: the first ended yesterday, the second starts today',
    mutate: all(
      update('kemitraan', { id_kemitraan: K1 }, { tgl_berakhir: '2024-07-14', status_kemitraan: '05' }),
      (db) =>
        insert(db, 'kemitraan', [
          partnership(K2, {
            tgl_mulai: '2024-07-15',
            tgl_berakhir: '2025-07-14',
            tgl_pengajuan: '2024-07-01T01:00:00.000Z',
          }),
        ]),
    ),
  },
  {
    rule: 'DUPLICATE_PARTNERSHIP',
    name: 'near miss: the overlapping one was cancelled (06)',
    mutate: (db) =>
      insert(db, 'kemitraan', [partnership(K2, { status_kemitraan: '06', tgl_pengajuan: '2024-07-01T01:00:00.000Z' })]),
  },
  // AWAITING_APPROVAL_STALE
  {
    rule: 'AWAITING_APPROVAL_STALE',
    name: 'waiting since 1 May',
    mutate: (db) =>
      insert(db, 'kemitraan', [
        partnership('K-202405010800001230003', {
          status_kemitraan: '02',
          nib_umkm: '8120000000007',
          tgl_pengajuan: '2024-05-01T01:00:00.000Z',
        }),
      ]),
    fires: [['kemitraan', 'K-202405010800001230003']],
    message: /sudah 75 hari \(batas 30 hari\)/,
  },
  {
    rule: 'AWAITING_APPROVAL_STALE',
    name: 'near miss: waiting exactly 30 days',
    mutate: (db) =>
      insert(db, 'kemitraan', [
        partnership('K-202406150800001230003', {
          status_kemitraan: '02',
          nib_umkm: '8120000000007',
          tgl_pengajuan: '2024-06-15T01:00:00.000Z',
        }),
      ]),
  },
  // EXPIRED_STILL_ACTIVE
  {
    rule: 'EXPIRED_STILL_ACTIVE',
    name: 'running, but it ended yesterday',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { tgl_berakhir: '2024-07-14' }),
    fires: [['kemitraan', K1]],
    message: /berakhir pada 2024-07-14 \(1 hari yang lalu\)/,
  },
  {
    rule: 'EXPIRED_STILL_ACTIVE',
    name: 'near miss: it ends today',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { tgl_berakhir: '2024-07-15' }),
  },
  {
    rule: 'EXPIRED_STILL_ACTIVE',
    name: 'near miss: ended yesterday and marked finished (05)',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { tgl_berakhir: '2024-07-14', status_kemitraan: '05' }),
  },
  // PARTNER_NAME_MISMATCH
  {
    rule: 'PARTNER_NAME_MISMATCH',
    name: 'another name in the agreement',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nama_umkm: 'UD Sumber Rejeki' }),
    fires: [['kemitraan', K1]],
    message: /tertulis "UD Sumber Rejeki" di kesepakatan, tetapi "CV MINA JAYA" di OSS/,
  },
  {
    rule: 'PARTNER_NAME_MISMATCH',
    name: 'near miss: legal form, case and punctuation differ',
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nama_umkm: 'Mina Jaya, CV.' }),
  },
  {
    rule: 'PARTNER_NAME_MISMATCH',
    name: "near miss: an individual's trade name (nama_kegiatan)",
    mutate: update('kemitraan', { id_kemitraan: K1 }, { nama_ub: 'Pabrik Es Samudra' }),
  },
  // REQUIRED_PARTNERSHIP_MISSING
  {
    rule: 'REQUIRED_PARTNERSHIP_MISSING',
    name: 'a UB required to partner whose only partnership finished',
    mutate: all(
      update('pelaku_usaha', { nib: UB }, { kd_dni: ['111'] }),
      update('kemitraan', { id_kemitraan: K1 }, { status_kemitraan: '05' }),
    ),
    fires: [['pelaku_usaha', UB]],
    message:
      /wajib bermitra \(BUPM kd_dni 111\), tetapi tidak memiliki kemitraan berstatus Berjalan \(03\) di Kabupaten Rembang/,
  },
  {
    rule: 'REQUIRED_PARTNERSHIP_MISSING',
    name: 'its only partner grew to besar 16 months ago',
    mutate: all(
      update('pelaku_usaha', { nib: UB }, { kd_dni: ['65'] }),
      update('pelaku_usaha', { nib: UMKM }, { skala_usaha: '04', flag_umk: 'N', tgl_perubahan_nib: '2023-03-01' }),
    ),
    fires: [['pelaku_usaha', UB]],
    message: /telah menjadi usaha Besar sejak 2023-03-01, lebih dari 12 bulan/,
  },
  {
    rule: 'REQUIRED_PARTNERSHIP_MISSING',
    name: 'near miss: the partner grew to besar 4 months ago',
    mutate: all(
      update('pelaku_usaha', { nib: UB }, { kd_dni: ['65'] }),
      update('pelaku_usaha', { nib: UMKM }, { skala_usaha: '04', flag_umk: 'N', tgl_perubahan_nib: '2024-03-01' }),
    ),
  },
  {
    rule: 'REQUIRED_PARTNERSHIP_MISSING',
    name: 'near miss: a required UB with a running UMKM partnership',
    mutate: update('pelaku_usaha', { nib: UB }, { kd_dni: ['65', '20'] }),
  },
  // RISK_LICENCE_MISSING
  {
    rule: 'RISK_LICENCE_MISSING',
    name: 'an MT project whose only licence is an Izin',
    mutate: update('perizinan', { id_izin: IZIN }, { jenis_izin: '02' }),
    fires: [['proyek', P_UB]],
    message: /berisiko Menengah Tinggi \(MT\) tetapi tidak memiliki Sertifikat Standar \(04\)/,
  },
  {
    rule: 'RISK_LICENCE_MISSING',
    name: 'a T project without an Izin',
    mutate: update('proyek', { id_proyek: P_UMKM }, { skala_resiko: 'T' }),
    fires: [['proyek', P_UMKM]],
    message: /tidak ada satu pun perizinan tercatat/,
  },
  {
    rule: 'RISK_LICENCE_MISSING',
    name: 'near miss: an MR project without licences',
    mutate: update('proyek', { id_proyek: P_UMKM }, { skala_resiko: 'MR' }),
  },
  // LICENCE_STATUS_UNKNOWN
  {
    rule: 'LICENCE_STATUS_UNKNOWN',
    name: 'kd_status 58',
    mutate: update('perizinan', { id_izin: IZIN }, { kd_status: '58', uraian_status: 'Izin terbit/SS terverifikasi' }),
    fires: [['perizinan', IZIN]],
    message: /berstatus kode 58 "Izin terbit\/SS terverifikasi"/,
  },
  {
    rule: 'LICENCE_STATUS_UNKNOWN',
    name: 'near miss: 57 (fiktif positif) is in the table',
    mutate: update('perizinan', { id_izin: IZIN }, { kd_status: '57' }),
  },
  // LOCATION_OUTSIDE_REGION
  {
    rule: 'LOCATION_OUTSIDE_REGION',
    name: 'latitude and longitude swapped',
    mutate: update('proyek_lokasi', { id_proyek_lokasi: 'L-2' }, { lat: 111.45, lng: -6.69, lat_lng: '111.45,-6.69' }),
    fires: [['proyek', P_UMKM]],
    message: /lintang dan bujur tampaknya tertukar/,
  },
  {
    rule: 'LOCATION_OUTSIDE_REGION',
    name: 'coordinates in Semarang for a Lasem code',
    mutate: update('proyek_lokasi', { id_proyek_lokasi: 'L-2' }, { lat: -6.99, lng: 110.42, lat_lng: '-6.99,110.42' }),
    fires: [['proyek', P_UMKM]],
    message: /di luar kotak batas wilayah/,
  },
  {
    rule: 'LOCATION_OUTSIDE_REGION',
    name: 'near miss: a location coded outside the region',
    mutate: update(
      'proyek_lokasi',
      { id_proyek_lokasi: 'L-2' },
      { proyek_daerah_id: '3374012001', lat: -6.99, lng: 110.42 },
    ),
  },
  // INVESTMENT_STATUS_INCONSISTENT
  {
    rule: 'INVESTMENT_STATUS_INCONSISTENT',
    name: 'PMA without foreign capital',
    mutate: update('pelaku_usaha', { nib: UB }, { status_penanaman_modal: '01' }),
    fires: [['pelaku_usaha', UB]],
    message: /berstatus PMA \(01\) tetapi tidak memiliki modal asing/,
  },
  {
    rule: 'INVESTMENT_STATUS_INCONSISTENT',
    name: 'PMDN with a foreign shareholder',
    mutate: (db) =>
      insert(db, 'pemegang_saham', [
        { nib: UB, seq: 2, nama_pemegang_saham: 'TANAKA HOLDINGS', flag_asing: 'Y', negara_asal_pemegang_saham: 'JP' },
      ]),
    fires: [['pelaku_usaha', UB]],
    message: /1 pemegang saham asing: TANAKA HOLDINGS \(JP\)/,
  },
  {
    rule: 'INVESTMENT_STATUS_INCONSISTENT',
    name: 'near miss: PMA with persen_pma 0 but a foreign shareholder',
    mutate: all(update('pelaku_usaha', { nib: UB }, { status_penanaman_modal: '01' }), (db) =>
      insert(db, 'pemegang_saham', [{ nib: UB, seq: 2, nama_pemegang_saham: 'TANAKA HOLDINGS', flag_asing: 'Y' }]),
    ),
  },
];

beforeAll(async () => {
  t = await createTestDatabase('rules');
});
afterAll(async () => {
  await t?.drop();
});

describe('discrepancy rules over a real Postgres', () => {
  it('the base world raises no finding at all', async () => {
    await withWorld(
      async () => {},
      (findings) => expect(findings.map((f) => `${f.rule_code} ${f.entity_id}: ${f.message}`)).toEqual([]),
    );
  });

  it('has at least one firing case and one near miss for every rule', () => {
    for (const rule of RULES) {
      const cases = CASES.filter((c) => c.rule === rule.code);
      expect(
        cases.some((c) => c.fires?.length),
        `${rule.code} fires`,
      ).toBe(true);
      expect(
        cases.some((c) => !c.fires?.length),
        `${rule.code} near miss`,
      ).toBe(true);
    }
  });

  it.each(CASES)('$rule: $name', async (c) => {
    await withWorld(c.mutate, (findings) => {
      const mine = findings.filter((f) => f.rule_code === c.rule);
      const got = mine.map((f) => [f.entity_type, f.entity_id]).sort();
      expect(got).toEqual([...(c.fires ?? [])].sort());
      for (const f of mine) {
        expect(f.message).not.toMatch(/\{[a-z_]+\}/);
        if (c.message) expect(f.message).toMatch(c.message);
        c.evidence?.(f.evidence);
      }
    });
  });

  it('places findings in the kecamatan of the partnership or the business', async () => {
    await withWorld(
      all(
        update('pelaku_usaha', { nib: UMKM }, { status_nib: '06' }),
        update('pelaku_usaha', { nib: UB }, { flag_umk: 'Y' }),
      ),
      (findings) => {
        expect(findings.find((f) => f.rule_code === 'PARTNER_NIB_INACTIVE')?.kd_kecamatan).toBe('331714');
        expect(findings.find((f) => f.rule_code === 'FLAG_UMK_VS_SCALE')?.kd_kecamatan).toBe('331710');
      },
    );
  });
});
