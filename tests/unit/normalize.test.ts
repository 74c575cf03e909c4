import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  dateFromOssId,
  emptyToNull,
  hashIdentity,
  idOrCode,
  kecamatanOf,
  maskIdentity,
  type NormalizeContext,
  nikFacts,
  normalizeBusiness,
  normalizeKbli,
  normalizeLicenceStatus,
  normalizeListedNib,
  normalizeNpwp,
  normalizePartnership,
  normalizeRegionCode,
  parseDate,
  parseDecimal,
  parseInteger,
  parseLatLng,
  parseWibDateTime,
  parseWibInstant,
  readList,
  readObject,
  redactRaw,
} from '../../src/normalize/index.js';

const ctx: NormalizeContext = { piiKey: 'test-pii-key' };
const hmac = (value: string) => createHmac('sha256', ctx.piiKey).update(value).digest('hex');

/** Synthetic NIKs registered in Rembang (3317): a woman born 1 Dec 1985 (day 41 = 1 + 40), a man born 12 Mar 1990. */
const NIK_F = '3317094112850002';
const NIK_M = '3317091203900001';

describe('emptyToNull', () => {
  it.each([
    ['', null],
    ['   ', null],
    [null, null],
    [undefined, null],
    [' PT SAMUDRA REMBANG LESTARI ', 'PT SAMUDRA REMBANG LESTARI'],
    ['\u00a0TASIKAGUNG\u00a0', 'TASIKAGUNG'],
    [10213, '10213'],
    [0, '0'],
    [1500000000, '1500000000'],
    [28.5, '28.5'],
    [1.5e21, '1500000000000000000000'],
    [1e-7, '0.0000001'],
    [-0, '0'],
    [true, 'true'],
    [[], null],
    [{}, null],
    [{ kd_dni: '65' }, '{"kd_dni":"65"}'],
  ])('%j → %j', (input, expected) => {
    expect(emptyToNull(input)).toBe(expected);
  });
});

describe('idOrCode: "-" placeholders in id and code fields', () => {
  it.each([
    ['-', null, ['nib_umkm']],
    ['--', null, ['nib_umkm']],
    [' - ', null, ['nib_umkm']],
    ['\u2014', null, ['nib_umkm']],
    ['', null, []],
    [null, null, []],
    ['8120202771234', '8120202771234', []],
    [8120202771234, '8120202771234', []],
    ['-1', '-1', []],
  ])('%j → %j, placeholder_fields %j', (input, expected, placeholders) => {
    const seen: string[] = [];
    expect(idOrCode(input, 'nib_umkm', seen)).toBe(expected);
    expect(seen).toEqual(placeholders);
  });
});

describe('readObject / readList: wire quirks', () => {
  it('reads a key with a trailing or leading space as if trimmed, and keeps the object when no key is padded', () => {
    const padded = { nib: '1234567890123', 'tipe_dokumen ': '5', ' versi_pia': '4.3.22' };
    expect(readObject(padded)).toEqual({ nib: '1234567890123', tipe_dokumen: '5', versi_pia: '4.3.22' });
    const plain = { nib: '1234567890123' };
    expect(readObject(plain)).toBe(plain);
  });

  it('prefers the exact key over a padded duplicate', () => {
    expect(readObject({ 'tipe_dokumen ': '9', tipe_dokumen: '5' })).toEqual({ tipe_dokumen: '5' });
  });

  it.each([[null], ['x'], [[]], [42]])('%j is not an object', (v) => {
    expect(readObject(v)).toBeNull();
  });

  it.each([
    [[{ kd_dni: '65' }], [{ kd_dni: '65' }]],
    [[], []],
    [{}, []],
    [null, []],
    [undefined, []],
    ['', []],
    ['abc', null],
    [{ 0: { kd_dni: '65' } }, null],
  ])('list %j → %j', (v, expected) => {
    expect(readList(v)).toEqual(expected);
  });
});

describe('parseWibDateTime: WIB (UTC+7) → UTC instant', () => {
  it.each([
    ['2024-02-19 13:05:00', '2024-02-19T06:05:00.000Z'],
    ['2024-02-19 07:00:00', '2024-02-19T00:00:00.000Z'],
    ['2024-02-19 06:59:59', '2024-02-18T23:59:59.000Z'],
    ['2024-03-01 00:00:00', '2024-02-29T17:00:00.000Z'],
    ['2023-03-01 03:00:00', '2023-02-28T20:00:00.000Z'],
    ['2024-01-01 00:30:00', '2023-12-31T17:30:00.000Z'],
    [' 2024-02-19 23:59:59 ', '2024-02-19T16:59:59.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseWibDateTime(input)).toBe(expected);
  });

  it.each([
    ['2024-02-30 10:00:00'],
    ['2023-02-29 10:00:00'],
    ['2024-02-19 24:00:00'],
    ['2024-02-19 13:60:00'],
    ['2024-02-19'],
    ['2024-02-19T13:05:00'],
    ['19-02-2024 13:05:00'],
    ['2024-02-19 13:05'],
  ])('%s is kept as received', (input) => {
    expect(parseWibDateTime(input)).toBe(input);
  });

  it.each([[''], [null], [undefined]])('%j → null', (input) => {
    expect(parseWibDateTime(input)).toBeNull();
  });

  it('agrees with Date for every hour across month, year and leap-day boundaries', () => {
    for (const day of ['2024-01-01', '2024-02-29', '2024-03-01', '2023-03-01', '2024-12-31', '2025-01-01']) {
      for (let h = 0; h < 24; h++) {
        const s = `${day} ${String(h).padStart(2, '0')}:17:42`;
        expect(parseWibDateTime(s)).toBe(new Date(`${day}T${s.slice(11)}+07:00`).toISOString());
      }
    }
  });

  it('parseWibInstant also accepts a bare date, as WIB midnight', () => {
    expect(parseWibInstant('2024-02-19')).toBe('2024-02-18T17:00:00.000Z');
    expect(parseWibInstant('2024-02-19 10:00:00')).toBe('2024-02-19T03:00:00.000Z');
    expect(parseWibInstant('2024-02-30')).toBe('2024-02-30');
    expect(parseWibInstant('')).toBeNull();
  });
});

describe('parseDate', () => {
  it.each([
    ['2024-02-19', '2024-02-19'],
    ['20240219', '2024-02-19'],
    [20240219, '2024-02-19'],
    ['2024-02-29', '2024-02-29'],
    [' 2024-02-19 ', '2024-02-19'],
    ['2023-02-29', '2023-02-29'],
    ['2024-02-30', '2024-02-30'],
    ['20240230', '20240230'],
    ['2024-13-01', '2024-13-01'],
    ['19/02/2024', '19/02/2024'],
    ['14 Maret 2023', '14 Maret 2023'],
    ['-', '-'],
    ['', null],
    [null, null],
  ])('%j → %j (impossible or foreign dates kept as received)', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['15000000000', '15000000000'],
    [15000000000, '15000000000'],
    ['1250.50', '1250.5'],
    [1250.5, '1250.5'],
    ['1500000000.00', '1500000000'],
    ['0', '0'],
    ['0.25', '0.25'],
    ['007', '7'],
    ['-0', '0'],
    ['-12.30', '-12.3'],
    ['Rp 15000000', '15000000'],
    ['Rp. 1 500 000', '1500000'],
    ['rp15000', '15000'],
    ['15.000', '15'],
  ])('%j → %j', (input, expected) => {
    expect(parseDecimal(input)).toBe(expected);
  });

  it.each([['15.000.000.000'], ['1,5'], ['Rp 1.500.000'], ['abc'], ['-'], ['12 ton'], ['1e6']])(
    '%j is kept as received (ambiguous or not a number)',
    (input) => {
      expect(parseDecimal(input)).toBe(input);
    },
  );

  it.each([[''], [null], [undefined]])('%j → null', (input) => {
    expect(parseDecimal(input)).toBeNull();
  });
});

describe('parseInteger', () => {
  it.each([
    ['40', 40],
    [40, 40],
    ['2024', 2024],
    [' 3 ', 3],
    ['-2', -2],
    [40.5, '40.5'],
    ['40.5', '40.5'],
    ['4a', '4a'],
    ['I', 'I'],
    ['', null],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(parseInteger(input)).toBe(expected);
  });
});

describe('normalizeKbli: strings, no zero padding', () => {
  it.each([
    [10213, '10213'],
    ['10213', '10213'],
    [3111, '3111'],
    ['03111', '03111'],
    [' 47111 ', '47111'],
    ['-', null],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeKbli(input)).toBe(expected);
  });
});

describe('normalizeRegionCode and kecamatanOf', () => {
  it.each([
    ['33.17.10.2025', '3317102025', '331710'],
    ['3317102025', '3317102025', '331710'],
    [3317102025, '3317102025', '331710'],
    ['3317 10 2025', '3317102025', '331710'],
    ['3317000000', '3317000000', '331700'],
    ['3317', '3317', null],
    ['331710202', '331710202', null],
    ['33171020251', '33171020251', null],
    ['-', null, null],
    ['', null, null],
  ])('%j → %j, kecamatan %j', (input, code, kecamatan) => {
    const normalized = normalizeRegionCode(input);
    expect(normalized).toBe(code);
    expect(kecamatanOf(normalized)).toBe(kecamatan);
  });
});

describe('parseLatLng', () => {
  it.each([
    ['-6.69,111.45', { lat: -6.69, lng: 111.45 }],
    [' -6.6912 , 111.4501 ', { lat: -6.6912, lng: 111.4501 }],
    ['111.45,-6.69', { lat: 111.45, lng: -6.69 }],
    ['-6.69', { lat: null, lng: null }],
    ['-6,69;111,45', { lat: null, lng: null }],
    ['', { lat: null, lng: null }],
    [null, { lat: null, lng: null }],
  ])('%j → %j (swapped values kept for the location rule)', (input, expected) => {
    expect(parseLatLng(input)).toEqual(expected);
  });
});

describe('dateFromOssId', () => {
  it.each([
    ['R-202303140930124561234', '2023-03-14'],
    ['I-202303141002334121234', '2023-03-14'],
    ['K-202402191305001230001', '2024-02-19'],
    ['P02-20230314093012456A1B2', '2023-03-14'],
    ['R-202302300930124561234', null],
    ['R-2023131409', null],
    ['8120202771234', null],
    ['-', null],
    ['', null],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(dateFromOssId(input)).toBe(expected);
  });
});

describe('nikFacts', () => {
  it.each([
    [NIK_F, '3317********0002', '33', []],
    [NIK_M, '3317********0001', '33', []],
    ['3317 0941 1285 0002', '3317********0002', '33', []],
    [3317094112850002, '3317********0002', '33', []],
    ['3317097112850002', '3317********0002', '33', []],
    ['331709411285000', '3317********5000', null, ['length']],
    ['33170941128500021', '3317********0021', null, ['length']],
    ['3317093212850002', '3317********0002', '33', ['day']],
    ['3317097212850002', '3317********0002', '33', ['day']],
    ['3317090012850002', '3317********0002', '33', ['day']],
    ['3317094113850002', '3317********0002', '33', ['month']],
    ['3317094100850002', '3317********0002', '33', ['month']],
    ['3317094112850000', '3317********0000', '33', ['serial']],
    ['3317094013850000', '3317********0000', '33', ['month', 'day', 'serial']],
  ])('%j → masked %s, province %j, issues %j', (raw, masked, province, issues) => {
    const facts = nikFacts(raw, ctx.piiKey);
    expect(facts).toEqual({ hash: hmac(String(raw).replace(/\s/g, '')), masked, province, issues });
  });

  it.each([[''], [null], [undefined], ['-']])('%j → all null, no issues', (raw) => {
    expect(nikFacts(raw, ctx.piiKey)).toEqual({ hash: null, masked: null, province: null, issues: [] });
  });

  it('hashes with the key: another key gives another hash', () => {
    expect(nikFacts(NIK_F, 'k1').hash).not.toBe(nikFacts(NIK_F, 'k2').hash);
  });
});

describe('maskIdentity and hashIdentity', () => {
  it.each([
    [NIK_F, '3317********0002'],
    ['3317.0941.1285.0002', '3317********0002'],
    ['B1234567', 'B1********67'],
    ['b 1234567', 'B1********67'],
    ['A123', '********'],
    ['-', '-'],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(maskIdentity(input)).toBe(expected);
  });

  it('gives one hash for one person whatever the formatting', () => {
    expect(hashIdentity('3317 0941 1285 0002', ctx.piiKey)).toBe(nikFacts(NIK_F, ctx.piiKey).hash);
    expect(hashIdentity('-', ctx.piiKey)).toBeNull();
  });
});

describe('normalizeNpwp', () => {
  it.each([
    ['01.234.567.8-901.000', 'unknown', '0012345678901000', '01.234.567.8-901.000', [], false],
    ['012345678901000', 'entity', '0012345678901000', '012345678901000', [], false],
    ['0012345678901000', 'entity', '0012345678901000', '0012345678901000', [], false],
    ['0012.3456.7890.1000', 'entity', '0012345678901000', '0012.3456.7890.1000', [], false],
    [NIK_F, 'individual', '3317********0002', '3317********0002', [], true],
    ['3317.0941.1285.0002', 'unknown', '3317********0002', '3317.****.****.0002', [], true],
    [NIK_F, 'entity', '3317********0002', '3317********0002', ['entity_prefix'], true],
    ['12.345.678.9-012', 'entity', '123456789012', '12.345.678.9-012', ['length'], false],
    ['33170941128500021', 'unknown', '3317*********0021', '3317*********0021', ['length'], false],
    ['01.234.567.8-901.00A', 'entity', '01234567890100A', '01.234.567.8-901.00A', ['length'], false],
  ] as const)('%s (%s) → display %s, raw %s, issues %j, isNik %s', (raw, holder, display, rawSafe, issues, isNik) => {
    const npwp = normalizeNpwp(raw, ctx.piiKey, { holder });
    expect(npwp).toEqual({ display, rawSafe, hash: expect.any(String), issues, isNik });
  });

  it('hashes the 16-digit form, so the 15- and 16-digit forms of one NPWP match', () => {
    expect(normalizeNpwp('01.234.567.8-901.000', ctx.piiKey).hash).toBe(hmac('0012345678901000'));
    expect(normalizeNpwp('0012345678901000', ctx.piiKey).hash).toBe(hmac('0012345678901000'));
  });

  it("an individual's NPWP (= NIK) has the NIK's hash", () => {
    expect(normalizeNpwp(NIK_F, ctx.piiKey).hash).toBe(nikFacts(NIK_F, ctx.piiKey).hash);
  });

  it.each([
    ['0012345678901000', '01.234.567.8-901.000', []],
    ['0012345678901000', '02.234.567.8-901.000', ['entity_prefix']],
    ['01.234.567.8-901.000', '0012345678901000', []],
    ['01.234.567.8-901.000', '0112345678901000', ['entity_prefix']],
    ['0012345678901000', '0099999999999999', []],
  ])('pair check: %s with the other form %s → %j', (raw, pairedForm, issues) => {
    expect(normalizeNpwp(raw, ctx.piiKey, { holder: 'entity', pairedForm }).issues).toEqual(issues);
  });

  it.each([[''], [null], ['-']])('%j → all null', (raw) => {
    expect(normalizeNpwp(raw, ctx.piiKey)).toEqual({
      display: null,
      rawSafe: null,
      hash: null,
      issues: [],
      isNik: false,
    });
  });
});

/** A listKemitraan record as the feed contract describes it (oss-feeds.md), with the quirks real payloads have. */
function wireKemitraan(): Record<string, unknown> {
  return {
    id_kemitraan: 'K-202402191305001230001',
    nib_ub: '8120202771234',
    nama_ub: 'PT SAMUDRA REMBANG LESTARI',
    id_proyek_ub: 'R-202303140930124561234',
    kbli_ub: '10213',
    nib_umkm: '',
    nama_umkm: 'KUB MINA SEJAHTERA',
    kbli_umkm: 3111,
    nik_umkm: NIK_F,
    skala_usaha_umkm: '01',
    pola_kemitraan: '06',
    objek_kemitraan: 'Pasokan ikan segar',
    volume: 120,
    satuan: 'ton',
    periode_volume: 'tahun',
    nilai_kemitraan: '1500000000.00',
    tgl_kesepakatan: '2024-01-15',
    tgl_mulai: '2024-02-01',
    tgl_berakhir: '',
    kd_daerah_pelaksanaan: '33.17.10.2025',
    no_dokumen: '-',
    url_dokumen: 'https://oss.go.id/kemitraan/dokumen/KKU-2024-001.pdf',
    status_kemitraan: '03',
    tgl_pengajuan: '2024-01-15 09:12:44',
    tgl_perubahan: '2024-02-19 13:05:00',
    realisasi: [
      {
        tahun: '2024',
        triwulan: '1',
        nilai_realisasi: '350000000',
        volume_realisasi: 28.5,
        satuan: 'ton',
        sumber: 'LKPM',
      },
      { tahun: 2024, triwulan: 2, nilai_realisasi: '', volume_realisasi: '', satuan: '', sumber: 'LKPM' },
    ],
    kolom_baru_oss: 'an unknown extra field',
  };
}

describe('normalizePartnership', () => {
  it('maps a listKemitraan record, its quirks included', () => {
    expect(normalizePartnership(wireKemitraan(), ctx)).toEqual({
      id_kemitraan: 'K-202402191305001230001',
      nib_ub: '8120202771234',
      nama_ub: 'PT SAMUDRA REMBANG LESTARI',
      id_proyek_ub: 'R-202303140930124561234',
      kbli_ub: '10213',
      nib_umkm: null,
      nama_umkm: 'KUB MINA SEJAHTERA',
      kbli_umkm: '3111',
      nik_umkm_hash: hmac(NIK_F),
      nik_umkm_masked: '3317********0002',
      nik_umkm_province: '33',
      nik_umkm_issues: [],
      skala_usaha_umkm: '01',
      pola_kemitraan: '06',
      objek_kemitraan: 'Pasokan ikan segar',
      volume: '120',
      satuan: 'ton',
      periode_volume: 'tahun',
      nilai_kemitraan: '1500000000',
      tgl_kesepakatan: '2024-01-15',
      tgl_mulai: '2024-02-01',
      tgl_berakhir: null,
      kd_daerah_pelaksanaan: '3317102025',
      kd_kecamatan: '331710',
      no_dokumen: null,
      url_dokumen: 'https://oss.go.id/kemitraan/dokumen/KKU-2024-001.pdf',
      status_kemitraan: '03',
      tgl_pengajuan: '2024-01-15T02:12:44.000Z',
      tgl_perubahan: '2024-02-19T06:05:00.000Z',
      placeholder_fields: ['no_dokumen'],
      realisasi: [
        {
          id_kemitraan: 'K-202402191305001230001',
          tahun: 2024,
          triwulan: 1,
          nilai_realisasi: '350000000',
          volume_realisasi: '28.5',
          satuan: 'ton',
          sumber: 'LKPM',
        },
        {
          id_kemitraan: 'K-202402191305001230001',
          tahun: 2024,
          triwulan: 2,
          nilai_realisasi: null,
          volume_realisasi: null,
          satuan: null,
          sumber: 'LKPM',
        },
      ],
    });
  });

  it('lists every "-" placeholder it turned into null', () => {
    const p = normalizePartnership({ ...wireKemitraan(), nib_ub: '-', kbli_ub: '--', nik_umkm: '-' }, ctx);
    expect(p.nib_ub).toBeNull();
    expect(p.kbli_ub).toBeNull();
    expect(p.nik_umkm_hash).toBeNull();
    expect(p.placeholder_fields).toEqual(['nik_umkm', 'nib_ub', 'kbli_ub', 'no_dokumen']);
  });

  it('keeps what it cannot normalize as received, for validate to report', () => {
    const p = normalizePartnership(
      {
        ...wireKemitraan(),
        tgl_mulai: '2024-02-30',
        nilai_kemitraan: '1.500.000.000',
        realisasi: [{ tahun: '2024a', triwulan: 'Q1' }, null],
      },
      ctx,
    );
    expect(p.tgl_mulai).toBe('2024-02-30');
    expect(p.nilai_kemitraan).toBe('1.500.000.000');
    expect(p.realisasi[0]).toMatchObject({ tahun: '2024a', triwulan: 'Q1' });
    expect(p.realisasi[1]).toBeNull();
  });

  it('flags NIK structure problems without rejecting anything', () => {
    expect(normalizePartnership({ ...wireKemitraan(), nik_umkm: '3317097212850000' }, ctx).nik_umkm_issues).toEqual([
      'day',
      'serial',
    ]);
  });

  it.each([[null], ['K-1'], [[]], [42]])('never throws on %j', (wire) => {
    expect(normalizePartnership(wire, ctx).placeholder_fields).toEqual([]);
  });
});

/** The inqueryNIB dataNIB example of oss-domain.md 1.6, completed with people and the processing user. */
function wireDataNib(): Record<string, unknown> {
  return {
    nib: '1234567890123',
    tgl_pengajuan_nib: '2023-03-14',
    tgl_terbit_nib: '2023-03-14',
    tgl_perubahan_nib: '2024-01-09',
    oss_id: 'P02-20230314093012456A1B2',
    jenis_pelaku_usaha: '01',
    flag_umk: 'N',
    skala_usaha: '04',
    status_penanaman_modal: '02',
    jenis_perseroan: '01',
    status_badan_hukum: '01',
    npwp_perseroan: '0012345678901000',
    nama_perseroan: 'PT SAMUDRA REMBANG LESTARI',
    alamat_perseroan: 'JL. PANTURA KM 3',
    rt_rw_perseroan: '002/001',
    kelurahan_perseroan: 'TASIKAGUNG',
    perseroan_daerah_id: '3317102025',
    kode_pos_perseroan: '59217',
    total_modal_dasar: '20000000000',
    total_modal_ditempatkan: '12000000000',
    persen_pma: 0,
    persen_pmdn: 100,
    status_nib: '01',
    'tipe_dokumen ': '5',
    versi_pia: '4.3.22',
    jenis_id_user_proses: '01',
    no_id_user_proses: NIK_M,
    nama_user_proses: 'BUDI SANTOSO',
    jns_kelamin_user_proses: 'L',
    tgl_lahir_user_proses: '1990-03-12',
    tempat_lahir_user_proses: 'REMBANG',
    alamat_user_proses: 'DS. TASIKAGUNG RT 2 RW 1',
    hp_user_proses: '081234567890',
    email_user_proses: 'budi@example.id',
    pemegang_saham: [
      {
        jenis_pemegang_saham: '01',
        flag_asing: 'N',
        total_modal_pemegang: '6000000000',
        jabatan_pemegang_saham: 'KOMISARIS',
        nama_pemegang_saham: 'SITI AMINAH',
        jns_identitas_pemegang_saham: '01',
        no_identitas_pemegang_saham: NIK_F,
        negara_asal_pemegang_saham: 'ID',
        npwp_pemegang_saham: NIK_F,
      },
      {
        jenis_pemegang_saham: '02',
        flag_asing: 'N',
        total_modal_pemegang: 6000000000,
        nama_pemegang_saham: 'PT INDUK SAMUDRA',
        jns_identitas_pemegang_saham: '',
        no_identitas_pemegang_saham: '',
        npwp_pemegang_saham: '01.111.222.3-507.000',
      },
    ],
    penanggung_jwb: [
      {
        flag_asing: 'N',
        jns_identitas_penanggung_jwb: '01',
        no_identitas_penanggung_jwb: NIK_M,
        nama_penanggung_jwb: 'BUDI SANTOSO',
        jabatan_penanggung_jwb: 'DIREKTUR',
        kebangsaan_penanggung_jwb: 'WNI',
        npwp_penanggung_jwb: NIK_M,
      },
    ],
    data_proyek: [
      {
        id_proyek: 'R-202303140930124561234',
        nomor_proyek: 'P-202303140930124561234',
        uraian_usaha: 'INDUSTRI PEMBEKUAN IKAN',
        kbli: '10213',
        sektor: '019',
        skala_usaha: '04',
        skala_resiko: 'MT',
        jumlah_tki_l: 40,
        jumlah_tki_p: '85',
        jumlah_tka_l: '',
        jumlah_tka_p: 0,
        pembelian_pematang_tanah: '2000000000',
        bangunan_gedung: '3000000000',
        jumlah_investasi: '15000000000',
        luas_tanah: '12500.50',
        satuan_luas_tanah: '01',
        nama_pj: 'BUDI SANTOSO',
        no_identitas_pj: NIK_M,
        data_lokasi_proyek: [
          {
            id_proyek_lokasi: 'L-202303140930124561234',
            proyek_daerah_id: '3317142008',
            alamat_usaha: 'DESA DASUN, LASEM',
            status_lokasi: '01',
            data_lokasi_proyek: [{ serial: '1', lat_lng: '-6.69,111.45' }],
          },
          { id_proyek_lokasi: '-', proyek_daerah_id: '33.17.14.2009', status_lokasi: '02', data_lokasi_proyek: [] },
        ],
        data_proyek_produk: [
          { id_produk: 'PR-2023', kbli: '10213', jenis_produksi: 'Ikan beku', kapasitas: '1200', satuan: 'ton/tahun' },
          { id_produk: '', kbli: 10213, jenis_produksi: 'Fillet', kapasitas: 300, satuan: 'ton/tahun' },
        ],
      },
    ],
    data_checklist: [
      {
        id_proyek: 'R-202303140930124561234',
        id_izin: 'I-202303141002334121234',
        jenis_izin: '04',
        kd_izin: '019000000123',
        kd_daerah: '3317000000',
        nama_izin: 'Sertifikat Standar',
        instansi: 'DPMPTSP Kab. Rembang',
        kewenangan: '02',
        flag_checklist: 'Y',
        status_checklist: '45',
        no_izin: '',
        tgl_izin: '',
        data_persyaratan: [],
      },
      {
        id_proyek: 'R-202303140930124561234',
        id_izin: 'I-202303141002334125678',
        kd_status: '58',
        tgl_izin: '20230320',
      },
    ],
    data_dni: [{ kd_dni: '65' }, { kd_dni: 111 }, { kd_dni: '' }],
  };
}

describe('normalizeBusiness', () => {
  const b = normalizeBusiness(wireDataNib(), ctx);

  it('maps the identity, codes, capital and the trailing-space tipe_dokumen', () => {
    expect(b).toMatchObject({
      nib: '1234567890123',
      oss_id: 'P02-20230314093012456A1B2',
      tgl_pengajuan_nib: '2023-03-14',
      tgl_terbit_nib: '2023-03-14',
      tgl_perubahan_nib: '2024-01-09',
      jenis_pelaku_usaha: '01',
      skala_usaha: '04',
      npwp_perseroan: '0012345678901000',
      npwp_perseroan_raw: '0012345678901000',
      npwp_hash: hmac('0012345678901000'),
      npwp_issues: [],
      npwp_is_nik: false,
      perseroan_daerah_id: '3317102025',
      kd_kecamatan: '331710',
      total_modal_dasar: '20000000000',
      persen_pma: '0',
      persen_pmdn: '100',
      tipe_dokumen: '5',
      versi_pia: '4.3.22',
      kd_dni: ['65', '111'],
    });
  });

  it('numbers shareholders and persons from 1, with identity numbers hashed and masked', () => {
    expect(b.shareholders).toEqual([
      {
        nib: '1234567890123',
        seq: 1,
        jenis_pemegang_saham: '01',
        flag_asing: 'N',
        nama_pemegang_saham: 'SITI AMINAH',
        jabatan_pemegang_saham: 'KOMISARIS',
        jns_identitas_pemegang_saham: '01',
        no_identitas_hash: hmac(NIK_F),
        no_identitas_masked: '3317********0002',
        no_identitas_province: '33',
        no_identitas_issues: [],
        npwp_hash: hmac(NIK_F),
        total_modal_pemegang: '6000000000',
        negara_asal_pemegang_saham: 'ID',
      },
      {
        nib: '1234567890123',
        seq: 2,
        jenis_pemegang_saham: '02',
        flag_asing: 'N',
        nama_pemegang_saham: 'PT INDUK SAMUDRA',
        jabatan_pemegang_saham: null,
        jns_identitas_pemegang_saham: null,
        no_identitas_hash: null,
        no_identitas_masked: null,
        no_identitas_province: null,
        no_identitas_issues: [],
        npwp_hash: hmac('0011112223507000'),
        total_modal_pemegang: '6000000000',
        negara_asal_pemegang_saham: null,
      },
    ]);
    expect(b.persons).toEqual([
      {
        nib: '1234567890123',
        seq: 1,
        nama_penanggung_jwb: 'BUDI SANTOSO',
        jabatan_penanggung_jwb: 'DIREKTUR',
        flag_asing: 'N',
        jns_identitas_penanggung_jwb: '01',
        no_identitas_hash: hmac(NIK_M),
        no_identitas_masked: '3317********0001',
        no_identitas_province: '33',
        no_identitas_issues: [],
        npwp_hash: hmac(NIK_M),
        kebangsaan_penanggung_jwb: 'WNI',
      },
    ]);
  });

  it('maps projects with their locations (first inner point) and products, synthesizing missing keys', () => {
    const [project] = b.projects;
    expect(project).toMatchObject({
      id_proyek: 'R-202303140930124561234',
      nib: '1234567890123',
      kbli: '10213',
      skala_resiko: 'MT',
      jumlah_tki_l: 40,
      jumlah_tki_p: 85,
      jumlah_tka_l: null,
      jumlah_tka_p: 0,
      jumlah_investasi: '15000000000',
      luas_tanah: '12500.5',
      tgl_pengajuan_proyek: '2023-03-14',
      no_identitas_pj_hash: hmac(NIK_M),
      no_identitas_pj_masked: '3317********0001',
    });
    expect(project?.locations).toEqual([
      {
        id_proyek_lokasi: 'L-202303140930124561234',
        id_proyek: 'R-202303140930124561234',
        nib: '1234567890123',
        proyek_daerah_id: '3317142008',
        kd_kecamatan: '331714',
        alamat_usaha: 'DESA DASUN, LASEM',
        status_lokasi: '01',
        lat_lng: '-6.69,111.45',
        lat: -6.69,
        lng: 111.45,
      },
      {
        id_proyek_lokasi: 'R-202303140930124561234#L2',
        id_proyek: 'R-202303140930124561234',
        nib: '1234567890123',
        proyek_daerah_id: '3317142009',
        kd_kecamatan: '331714',
        alamat_usaha: null,
        status_lokasi: '02',
        lat_lng: null,
        lat: null,
        lng: null,
      },
    ]);
    expect(project?.products.map((p) => [p.id_produk, p.kbli, p.kapasitas])).toEqual([
      ['PR-2023', '10213', '1200'],
      ['R-202303140930124561234#P2', '10213', '300'],
    ]);
    expect(b.placeholder_fields).toEqual(['data_proyek[0].data_lokasi_proyek[1].id_proyek_lokasi']);
  });

  it('maps data_checklist to licences, kd_status from status_checklist (or kd_status)', () => {
    expect(b.licences.map((l) => [l.id_izin, l.kd_status, l.kd_daerah, l.tgl_izin, l.nib])).toEqual([
      ['I-202303141002334121234', '45', '3317000000', null, '1234567890123'],
      ['I-202303141002334125678', '58', null, '2023-03-20', '1234567890123'],
    ]);
  });

  it("treats an individual's NPWP as their NIK: masked, hashed, not flagged", () => {
    const individual = normalizeBusiness({ ...wireDataNib(), jenis_pelaku_usaha: '02', npwp_perseroan: NIK_F }, ctx);
    expect(individual).toMatchObject({
      npwp_perseroan: '3317********0002',
      npwp_perseroan_raw: '3317********0002',
      npwp_hash: hmac(NIK_F),
      npwp_issues: [],
      npwp_is_nik: true,
    });
  });

  it('flags an entity whose 16-digit NPWP is not "0" + 15 digits, and upgrades a 15-digit NPWP', () => {
    expect(normalizeBusiness({ ...wireDataNib(), npwp_perseroan: NIK_F }, ctx).npwp_issues).toEqual(['entity_prefix']);
    expect(normalizeBusiness({ ...wireDataNib(), npwp_perseroan: '01.234.567.8-901.000' }, ctx)).toMatchObject({
      npwp_perseroan: '0012345678901000',
      npwp_perseroan_raw: '01.234.567.8-901.000',
      npwp_issues: [],
    });
  });

  it.each([[[]], [{}], [null]])('survives dataNIB %j', (wire) => {
    expect(normalizeBusiness(wire, ctx)).toMatchObject({ nib: null, shareholders: [], projects: [], licences: [] });
  });
});

describe('normalizeLicenceStatus and normalizeListedNib', () => {
  it('maps a checkLicenseStatus dataIZIN, unknown status codes included', () => {
    expect(
      normalizeLicenceStatus({
        nib: '1234567890123',
        id_proyek: 'R-202303140930124561234',
        id_izin: 'I-202303141002334121234',
        kd_status: '58',
        uraian_status: 'Izin terbit/SS terverifikasi',
        file_lampiran: '',
      }),
    ).toEqual({
      id_izin: 'I-202303141002334121234',
      nib: '1234567890123',
      id_proyek: 'R-202303140930124561234',
      kd_status: '58',
      uraian_status: 'Izin terbit/SS terverifikasi',
    });
    expect(normalizeLicenceStatus({ id_izin: 'I-1', nib: '-', id_proyek: '' })).toMatchObject({
      nib: null,
      id_proyek: null,
    });
  });

  it('maps a listNIB item', () => {
    expect(normalizeListedNib({ nib: 8120202771234, nama_perseroan: ' PT X ', tgl_perubahan_nib: '20240219' })).toEqual(
      {
        nib: '8120202771234',
        nama_perseroan: 'PT X',
        tgl_perubahan_nib: '2024-02-19',
      },
    );
  });
});

describe('redactRaw', () => {
  it('masks nik_umkm in a partnership and copies everything else, unknown fields included', () => {
    const wire = wireKemitraan();
    const raw = redactRaw(wire) as Record<string, unknown>;
    expect(raw).toEqual({ ...wire, nik_umkm: '3317********0002' });
    expect(raw.realisasi).not.toBe(wire.realisasi);
    expect(wire.nik_umkm).toBe(NIK_F);
  });

  it('masks identity numbers and NIK-form NPWPs in a dataNIB, keeps entity NPWPs, drops the processing user’s personal fields', () => {
    const raw = redactRaw(wireDataNib()) as Record<string, unknown> & {
      pemegang_saham: Array<Record<string, unknown>>;
      penanggung_jwb: Array<Record<string, unknown>>;
      data_proyek: Array<Record<string, unknown>>;
    };
    expect(raw.pemegang_saham[0]).toMatchObject({
      no_identitas_pemegang_saham: '3317********0002',
      npwp_pemegang_saham: '3317********0002',
    });
    expect(raw.pemegang_saham[1]).toMatchObject({
      no_identitas_pemegang_saham: '',
      npwp_pemegang_saham: '01.111.222.3-507.000',
    });
    expect(raw.penanggung_jwb[0]).toMatchObject({
      no_identitas_penanggung_jwb: '3317********0001',
      npwp_penanggung_jwb: '3317********0001',
    });
    expect(raw.data_proyek[0]).toMatchObject({ no_identitas_pj: '3317********0001' });
    expect(raw).toMatchObject({
      npwp_perseroan: '0012345678901000',
      jenis_id_user_proses: '01',
      no_id_user_proses: '3317********0001',
      nama_user_proses: 'BUDI SANTOSO',
      jns_kelamin_user_proses: 'L',
      'tipe_dokumen ': '5',
    });
    for (const dropped of [
      'tgl_lahir_user_proses',
      'tempat_lahir_user_proses',
      'alamat_user_proses',
      'hp_user_proses',
      'email_user_proses',
    ]) {
      expect(raw).not.toHaveProperty(dropped);
    }
    const json = JSON.stringify(raw);
    expect(json).not.toContain(NIK_F);
    expect(json).not.toContain(NIK_M);
  });

  it.each([
    [{ 'nik_umkm ': NIK_F }, { 'nik_umkm ': '3317********0002' }],
    [{ nik_umkm: 3317094112850002 }, { nik_umkm: '3317********0002' }],
    [{ NIK_UMKM: NIK_F }, { NIK_UMKM: '3317********0002' }],
    [{ npwp_perseroan: '3317.0941.1285.0002' }, { npwp_perseroan: '3317.****.****.0002' }],
    [{ pi_npwp: NIK_F }, { pi_npwp: '3317********0002' }],
    [{ nik_umkm: '' }, { nik_umkm: '' }],
    [{ nik_umkm: '-' }, { nik_umkm: '-' }],
    [NIK_F, '3317********0002'],
    [`nik ${NIK_F} di teks`, 'nik 3317********0002 di teks'],
    // Free text in any other field that quotes a NIK; longer digit runs (OSS ids) and NIBs stay as they are.
    [{ catatan: `pemilik NIK ${NIK_F}, hubungi` }, { catatan: 'pemilik NIK 3317********0002, hubungi' }],
    [{ alamat: [`RT 2 (${NIK_F})`] }, { alamat: ['RT 2 (3317********0002)'] }],
    [
      { oss_id: 'P02-202403140930124561234', nib: '1234567890123' },
      { oss_id: 'P02-202403140930124561234', nib: '1234567890123' },
    ],
    [null, null],
    [42, 42],
  ])('%j → %j', (wire, expected) => {
    expect(redactRaw(wire)).toEqual(expected);
  });

  it('copies a "__proto__" key as a plain field, without touching any prototype', () => {
    const wire = JSON.parse('{"__proto__": {"polluted": true}, "nib": "1"}') as Record<string, unknown>;
    const raw = redactRaw(wire) as Record<string, unknown>;
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
    expect(Object.hasOwn(raw, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
