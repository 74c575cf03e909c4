import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ValidationIssue } from '../../src/domain/records.js';
import {
  type NormalizeContext,
  normalizeBusiness,
  normalizePartnership,
  redactRaw,
} from '../../src/normalize/index.js';
import {
  validateBusinesses,
  validateLicenceStatuses,
  validateListedNibs,
  validatePartnerships,
} from '../../src/validate/index.js';
import { businessSchema, licenceStatusSchema, listedNibSchema, partnershipSchema } from '../../src/validate/schemas.js';

const ctx: NormalizeContext = { piiKey: 'test-pii-key' };
const NIK_F = '3317094112850002';
const NIK_M = '3317091203900001';

/** A listKemitraan record (oss-feeds.md) with a partner without NIB, identified by NIK. */
function kemitraan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id_kemitraan: 'K-202402191305001230001',
    nib_ub: '8120202771234',
    nama_ub: 'PT SAMUDRA REMBANG LESTARI',
    id_proyek_ub: 'R-202303140930124561234',
    kbli_ub: '10213',
    nib_umkm: '',
    nama_umkm: 'KUB MINA SEJAHTERA',
    kbli_umkm: '03111',
    nik_umkm: NIK_F,
    skala_usaha_umkm: '01',
    pola_kemitraan: '06',
    objek_kemitraan: 'Pasokan ikan segar',
    volume: '120',
    satuan: 'ton',
    periode_volume: 'tahun',
    nilai_kemitraan: '1500000000',
    tgl_kesepakatan: '2024-01-15',
    tgl_mulai: '2024-02-01',
    tgl_berakhir: '2026-01-31',
    kd_daerah_pelaksanaan: '3317102025',
    no_dokumen: 'KKU/001/2024',
    url_dokumen: 'https://oss.go.id/kemitraan/dokumen/KKU-2024-001.pdf',
    status_kemitraan: '03',
    tgl_pengajuan: '2024-01-15 09:12:44',
    tgl_perubahan: '2024-02-19 13:05:00',
    realisasi: [
      {
        tahun: '2024',
        triwulan: '1',
        nilai_realisasi: '350000000',
        volume_realisasi: '28.5',
        satuan: 'ton',
        sumber: 'LKPM',
      },
      {
        tahun: '2024',
        triwulan: '2',
        nilai_realisasi: '360000000',
        volume_realisasi: '30',
        satuan: 'ton',
        sumber: 'LKPM',
      },
      { tahun: '2024', triwulan: '3', nilai_realisasi: '', volume_realisasi: '', satuan: '', sumber: 'LKPM' },
    ],
    ...overrides,
  };
}

function withRealisasi(index: number, patch: Record<string, unknown>): Record<string, unknown> {
  const wire = kemitraan();
  const realisasi = (wire.realisasi as Array<Record<string, unknown>>).map((r) => ({ ...r }));
  realisasi[index] = { ...realisasi[index], ...patch };
  return { ...wire, realisasi };
}

/** The dataNIB of oss-domain.md 1.6, with people. */
function dataNib(overrides: Record<string, unknown> = {}): Record<string, unknown> {
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
    npwp_perseroan: '0012345678901000',
    nama_perseroan: 'PT SAMUDRA REMBANG LESTARI',
    perseroan_daerah_id: '3317102025',
    total_modal_dasar: '20000000000',
    total_modal_ditempatkan: '12000000000',
    status_nib: '01',
    'tipe_dokumen ': '5',
    no_id_user_proses: NIK_M,
    tgl_lahir_user_proses: '1990-03-12',
    pemegang_saham: [
      {
        jenis_pemegang_saham: '01',
        nama_pemegang_saham: 'SITI AMINAH',
        no_identitas_pemegang_saham: NIK_F,
        npwp_pemegang_saham: NIK_F,
        total_modal_pemegang: '6000000000',
      },
    ],
    penanggung_jwb: [
      { nama_penanggung_jwb: 'BUDI SANTOSO', no_identitas_penanggung_jwb: NIK_M, npwp_penanggung_jwb: NIK_M },
    ],
    data_proyek: [
      {
        id_proyek: 'R-202303140930124561234',
        kbli: 10213,
        skala_resiko: 'MT',
        jumlah_tki_l: 40,
        jumlah_tki_p: '85',
        jumlah_investasi: '15000000000',
        no_identitas_pj: NIK_M,
        data_lokasi_proyek: [
          {
            id_proyek_lokasi: '-',
            proyek_daerah_id: '3317142008',
            data_lokasi_proyek: [{ serial: '1', lat_lng: '-6.69,111.45' }],
          },
        ],
        data_proyek_produk: [{ id_produk: '', kbli: '10213', kapasitas: '1200', satuan: 'ton/tahun' }],
      },
    ],
    data_checklist: [
      {
        id_proyek: 'R-202303140930124561234',
        id_izin: 'I-202303141002334121234',
        jenis_izin: '04',
        status_checklist: '45',
        tgl_izin: '',
      },
    ],
    data_dni: [{ kd_dni: '65' }],
    ...overrides,
  };
}

function patchProject(patch: Record<string, unknown>, index = 0): Record<string, unknown> {
  const wire = dataNib();
  const projects = (wire.data_proyek as Array<Record<string, unknown>>).map((p) => ({ ...p }));
  projects[index] = { ...projects[index], ...patch };
  return { ...wire, data_proyek: projects };
}

/** The single issue of a single rejected record. */
function onlyIssue(result: { valid: unknown[]; rejected: Array<{ issues: ValidationIssue[] }> }): ValidationIssue {
  expect(result.valid).toHaveLength(0);
  expect(result.rejected).toHaveLength(1);
  expect(result.rejected[0]?.issues).toHaveLength(1);
  return result.rejected[0]?.issues[0] as ValidationIssue;
}

describe('schemas', () => {
  it.each([
    ['partnership', partnershipSchema],
    ['business', businessSchema],
    ['licence status', licenceStatusSchema],
    ['listed NIB', listedNibSchema],
  ])('the %s schema compiles ahead of time (the fast path is really used)', (_name, schema) => {
    expect(() => z.compile(schema, { strict: true })).not.toThrow();
  });
});

describe('validatePartnerships', () => {
  it('passes a valid page: every record valid, normalized, with its redacted raw', () => {
    const page = [
      kemitraan(),
      kemitraan({ id_kemitraan: 'K-202402191305001230002', nik_umkm: '', nib_umkm: '0220012345678', realisasi: [] }),
      kemitraan({
        id_kemitraan: 'K-202402191305001230003',
        tgl_berakhir: '',
        volume: '',
        nilai_kemitraan: 2500000000,
        skala_usaha_umkm: '',
      }),
    ];
    const out = validatePartnerships(page, ctx);
    expect(out.rejected).toEqual([]);
    expect(out.valid.map((v) => v.record)).toEqual(page.map((w) => normalizePartnership(w, ctx)));
    expect(out.valid[0]?.raw).toEqual({ ...page[0], nik_umkm: '3317********0002' });
  });

  it.each([
    ['nib_ub is a "-" placeholder', { nib_ub: '-' }],
    ['nib_umkm has 12 digits', { nib_umkm: '812020277123' }],
    ['kbli_umkm lost its leading zero', { kbli_umkm: 3111 }],
    ['the region code is not 10 digits', { kd_daerah_pelaksanaan: '3317' }],
    ['the NIK has a bad structure', { nik_umkm: '3317097213850000' }],
    ['the NIK is 15 digits', { nik_umkm: '331709411285000' }],
    ['numbers arrive as numbers', { nilai_kemitraan: 1500000000, volume: 120.5 }],
    [
      'empty optional fields are ""',
      { tgl_kesepakatan: '', tgl_berakhir: '', tgl_pengajuan: '', skala_usaha_umkm: '' },
    ],
    ['tgl_pengajuan is a bare date', { tgl_pengajuan: '2024-01-15' }],
    ['there are unknown extra fields', { flag_baru: 'Y', 'kd_daerah_pelaksanaan ': '3317102025' }],
    ['realisasi is null', { realisasi: null }],
  ])('keeps a record valid when %s (rules flag it later)', (_case, overrides) => {
    const out = validatePartnerships([kemitraan(overrides)], ctx);
    expect(out.rejected).toEqual([]);
    expect(out.valid).toHaveLength(1);
  });

  it.each([
    ['id_kemitraan', { id_kemitraan: '' }, '', 'a non-empty id', 'id_kemitraan is empty.'],
    ['id_kemitraan', { id_kemitraan: '-' }, '-', 'a non-empty id', 'id_kemitraan is empty.'],
    ['id_kemitraan', { id_kemitraan: undefined }, null, 'a non-empty id', 'id_kemitraan is missing.'],
    ['tgl_perubahan', { tgl_perubahan: '2024-02-19' }, '2024-02-19', "a WIB datetime 'YYYY-MM-DD HH:II:SS'", null],
    ['tgl_perubahan', { tgl_perubahan: '2024-02-30 13:05:00' }, '2024-02-30 13:05:00', null, null],
    ['tgl_perubahan', { tgl_perubahan: '2024-02-19T13:05:00+07:00' }, '2024-02-19T13:05:00+07:00', null, null],
    ['tgl_perubahan', { tgl_perubahan: '' }, '', null, null],
    [
      'tgl_kesepakatan',
      { tgl_kesepakatan: '2024-02-30' },
      '2024-02-30',
      'a date YYYY-MM-DD',
      'tgl_kesepakatan is not a real calendar date.',
    ],
    ['tgl_mulai', { tgl_mulai: '2023-02-29' }, '2023-02-29', 'a date YYYY-MM-DD', null],
    ['tgl_berakhir', { tgl_berakhir: '2026-13-01' }, '2026-13-01', 'a date YYYY-MM-DD', null],
    ['tgl_berakhir', { tgl_berakhir: '31/01/2026' }, '31/01/2026', 'a date YYYY-MM-DD', null],
    ['tgl_pengajuan', { tgl_pengajuan: '2024-02-30 09:12:44' }, '2024-02-30 09:12:44', null, null],
    [
      'nilai_kemitraan',
      { nilai_kemitraan: '1.500.000.000' },
      '1.500.000.000',
      'a number',
      'nilai_kemitraan is not numeric.',
    ],
    ['nilai_kemitraan', { nilai_kemitraan: 'Rp 1,5 M' }, 'Rp 1,5 M', 'a number', null],
    ['volume', { volume: 'dua ton' }, 'dua ton', 'a number', null],
    ['status_kemitraan', { status_kemitraan: '07' }, '07', 'one of 01–06', null],
    ['status_kemitraan', { status_kemitraan: 3 }, 3, 'one of 01–06', null],
    ['status_kemitraan', { status_kemitraan: '' }, '', 'one of 01–06', null],
    ['pola_kemitraan', { pola_kemitraan: '11' }, '11', 'one of 01–10, 99', null],
    ['pola_kemitraan', { pola_kemitraan: undefined }, null, 'one of 01–10, 99', 'pola_kemitraan is missing.'],
    ['skala_usaha_umkm', { skala_usaha_umkm: '05' }, '05', 'one of 01–04', null],
    ['realisasi', { realisasi: 'belum ada' }, 'belum ada', 'a list', 'realisasi is not a list.'],
    ['realisasi[0]', { realisasi: [null] }, null, 'an object', 'realisasi[0] is not an object.'],
  ])('rejects %s = %j', (path, overrides, got, expected, message) => {
    const issue = onlyIssue(validatePartnerships([kemitraan(overrides)], ctx));
    expect(issue.path).toBe(path);
    expect(issue.got).toEqual(got);
    if (expected !== null) expect(issue.expected).toBe(expected);
    if (message !== null) expect(issue.message).toBe(message);
  });

  it.each([
    [2, { triwulan: 5 }, 'realisasi[2].triwulan', 5, 'a quarter 1–4'],
    [2, { triwulan: '0' }, 'realisasi[2].triwulan', '0', 'a quarter 1–4'],
    [0, { triwulan: 'Q1' }, 'realisasi[0].triwulan', 'Q1', 'a quarter 1–4'],
    [0, { triwulan: 1.5 }, 'realisasi[0].triwulan', 1.5, 'a quarter 1–4'],
    [1, { tahun: '2024.5' }, 'realisasi[1].tahun', '2024.5', 'a whole year, e.g. 2024'],
    [1, { tahun: 'dua ribu' }, 'realisasi[1].tahun', 'dua ribu', 'a whole year, e.g. 2024'],
    [1, { tahun: '' }, 'realisasi[1].tahun', '', 'a whole year, e.g. 2024'],
    [1, { nilai_realisasi: 'abc' }, 'realisasi[1].nilai_realisasi', 'abc', 'a number'],
    [0, { volume_realisasi: '12,5' }, 'realisasi[0].volume_realisasi', '12,5', 'a number'],
  ])('rejects realisasi[%i] %j at %s', (index, patch, path, got, expected) => {
    const issue = onlyIssue(validatePartnerships([withRealisasi(index, patch)], ctx));
    expect(issue).toMatchObject({ path, got, expected });
    expect(issue.message).toMatch(new RegExp(`^${path.replace(/[[\]]/g, '\\$&')} is `));
  });

  it('reports every issue of a record, not just the first, with the record id', () => {
    const out = validatePartnerships(
      [
        withRealisasi(2, { triwulan: 5, nilai_realisasi: 'x' }),
        kemitraan({ tgl_mulai: '2024-02-30', nilai_kemitraan: 'banyak', status_kemitraan: '99', pola_kemitraan: '' }),
      ],
      ctx,
    );
    expect(out.valid).toEqual([]);
    expect(out.rejected.map((r) => r.entity_id)).toEqual(['K-202402191305001230001', 'K-202402191305001230001']);
    expect(out.rejected[0]?.issues.map((i) => i.path)).toEqual([
      'realisasi[2].triwulan',
      'realisasi[2].nilai_realisasi',
    ]);
    expect(out.rejected[1]?.issues.map((i) => [i.path, i.got])).toEqual([
      ['tgl_mulai', '2024-02-30'],
      ['nilai_kemitraan', 'banyak'],
      ['status_kemitraan', '99'],
      ['pola_kemitraan', ''],
    ]);
  });

  it.each([[null], ['K-202402191305001230001'], [42], [[kemitraan()]], [undefined]])(
    'rejects a record that is not an object (%j) with path "" and no entity id',
    (wire) => {
      const out = validatePartnerships([wire], ctx);
      const raw = redactRaw(wire);
      expect(out.rejected).toEqual([
        {
          entity_id: null,
          raw,
          issues: [{ path: '', expected: 'an object', got: raw ?? null, message: 'The record is not an object.' }],
        },
      ]);
    },
  );

  it('keeps every record of a mixed page: valid ones in order, rejected ones in order', () => {
    const page = [
      kemitraan(),
      null,
      kemitraan({ id_kemitraan: 'K-2', status_kemitraan: '00' }),
      kemitraan({ id_kemitraan: 'K-3' }),
    ];
    const out = validatePartnerships(page, ctx);
    expect(out.valid.map((v) => v.record.id_kemitraan)).toEqual(['K-202402191305001230001', 'K-3']);
    expect(out.rejected.map((r) => r.entity_id)).toEqual([null, 'K-2']);
  });

  it('turns a record normalize cannot read into a rejection instead of throwing', () => {
    const hostile = kemitraan();
    Object.defineProperty(hostile, 'status_kemitraan', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    const out = validatePartnerships([hostile, kemitraan()], ctx);
    expect(out.valid).toHaveLength(1);
    expect(out.rejected[0]?.issues[0]).toMatchObject({
      path: '',
      message: 'The record could not be normalized: getter exploded.',
    });
  });

  it('never puts a full NIK in its output, valid or rejected', () => {
    const out = validatePartnerships(
      [
        kemitraan(),
        kemitraan({ nik_umkm: `  ${NIK_F} `, status_kemitraan: 'x' }),
        kemitraan({ 'nik_umkm ': NIK_F, tgl_mulai: '-' }),
        NIK_F,
      ],
      ctx,
    );
    expect(out.valid).toHaveLength(1);
    expect(out.rejected).toHaveLength(3);
    expect(JSON.stringify(out)).not.toContain(NIK_F);
    expect(JSON.stringify(out)).toContain('3317********0002');
  });
});

describe('validateBusinesses', () => {
  it('passes the inqueryNIB example with its quirks (trailing-space key, "-" location id, numbers as numbers)', () => {
    const out = validateBusinesses(
      [dataNib(), dataNib({ nib: '123456789012', npwp_perseroan: NIK_F, jenis_pelaku_usaha: '02' })],
      ctx,
    );
    expect(out.rejected).toEqual([]);
    expect(out.valid.map((v) => v.record)).toEqual([
      normalizeBusiness(dataNib(), ctx),
      expect.objectContaining({ nib: '123456789012', npwp_is_nik: true }),
    ]);
    expect(out.valid[0]?.record.tipe_dokumen).toBe('5');
    expect(out.valid[0]?.raw).not.toHaveProperty('tgl_lahir_user_proses');
  });

  it.each([
    ['unknown licence status 58', { data_checklist: [{ id_izin: 'I-202303141002334121234', status_checklist: '58' }] }],
    ['a bad region code', { perseroan_daerah_id: '33.17' }],
    ['an NPWP of 12 digits', { npwp_perseroan: '123456789012' }],
    ['empty nested lists as {} or ""', { pemegang_saham: {}, penanggung_jwb: '', data_dni: null }],
  ])('keeps a NIB document valid with %s', (_case, overrides) => {
    expect(validateBusinesses([dataNib(overrides)], ctx).rejected).toEqual([]);
  });

  it.each([
    ['nib', dataNib({ nib: '' }), ''],
    ['nib', dataNib({ nib: '-' }), '-'],
    ['nib', dataNib({ nib: undefined }), null],
    ['tgl_terbit_nib', dataNib({ tgl_terbit_nib: '2023-02-30' }), '2023-02-30'],
    ['tgl_perubahan_nib', dataNib({ tgl_perubahan_nib: '09-01-2024' }), '09-01-2024'],
    ['total_modal_dasar', dataNib({ total_modal_dasar: '20.000.000.000' }), '20.000.000.000'],
    ['persen_pma', dataNib({ persen_pma: '10%' }), '10%'],
    ['data_proyek[0].id_proyek', patchProject({ id_proyek: '' }), ''],
    ['data_proyek[0].id_proyek', patchProject({ id_proyek: undefined }), null],
    ['data_proyek[0].jumlah_tki_l', patchProject({ jumlah_tki_l: '40 orang' }), '40 orang'],
    ['data_proyek[0].jumlah_tki_p', patchProject({ jumlah_tki_p: 85.5 }), 85.5],
    ['data_proyek[0].jumlah_investasi', patchProject({ jumlah_investasi: 'Rp 15 M' }), 'Rp 15 M'],
    [
      'data_proyek[0].data_proyek_produk[0].kapasitas',
      patchProject({ data_proyek_produk: [{ kapasitas: 'banyak' }] }),
      'banyak',
    ],
    ['data_proyek[0].data_lokasi_proyek[0]', patchProject({ data_lokasi_proyek: ['L-1'] }), 'L-1'],
    ['data_proyek[0].data_lokasi_proyek', patchProject({ data_lokasi_proyek: 'L-1' }), 'L-1'],
    [
      'data_checklist[0].id_izin',
      dataNib({ data_checklist: [{ id_proyek: 'R-202303140930124561234', id_izin: '' }] }),
      '',
    ],
    ['data_checklist[0].tgl_izin', dataNib({ data_checklist: [{ id_izin: 'I-1', tgl_izin: '20240230' }] }), '20240230'],
    ['pemegang_saham[0].total_modal_pemegang', dataNib({ pemegang_saham: [{ total_modal_pemegang: '6 M' }] }), '6 M'],
    ['data_proyek', dataNib({ data_proyek: 'none' }), 'none'],
  ])('rejects %s (got %j)', (path, wire, got) => {
    const issue = onlyIssue(validateBusinesses([wire], ctx));
    expect(issue.path).toBe(path);
    expect(issue.got).toEqual(got);
    expect(issue.message.startsWith(`${path} is `)).toBe(true);
  });

  it('rejects a second project without id_proyek by its wire path', () => {
    const wire = dataNib();
    (wire.data_proyek as unknown[]).push({ kbli: '47111', jumlah_investasi: '500000000' });
    const issue = onlyIssue(validateBusinesses([wire], ctx));
    expect(issue).toEqual({
      path: 'data_proyek[1].id_proyek',
      expected: 'a non-empty id',
      got: null,
      message: 'data_proyek[1].id_proyek is missing.',
    });
  });

  it.each([[[]], [null], ['Data NIB tidak ditemukan']])(
    'rejects dataNIB %j (an error response) as not an object',
    (wire) => {
      expect(onlyIssue(validateBusinesses([wire], ctx))).toMatchObject({ path: '', expected: 'an object' });
    },
  );

  it('rejects dataNIB {} for its missing nib', () => {
    expect(validateBusinesses([{}], ctx).rejected[0]).toEqual({
      entity_id: null,
      raw: {},
      issues: [{ path: 'nib', expected: 'a non-empty id', got: null, message: 'nib is missing.' }],
    });
  });

  it('never puts a full NIK in its output, valid or rejected', () => {
    const out = validateBusinesses([dataNib(), dataNib({ tgl_terbit_nib: 'x', npwp_perseroan: NIK_F })], ctx);
    expect(out.valid).toHaveLength(1);
    expect(out.rejected).toHaveLength(1);
    const json = JSON.stringify(out);
    expect(json).not.toContain(NIK_F);
    expect(json).not.toContain(NIK_M);
  });
});

describe('validateLicenceStatuses', () => {
  const dataIzin = {
    nib: '1234567890123',
    id_proyek: 'R-202303140930124561234',
    id_izin: 'I-202303141002334121234',
    kd_status: '58',
    uraian_status: 'Izin terbit/SS terverifikasi',
    file_lampiran: '',
  };

  it('passes a status outside the PIA table (58)', () => {
    const out = validateLicenceStatuses([dataIzin]);
    expect(out.rejected).toEqual([]);
    expect(out.valid[0]?.record).toMatchObject({ id_izin: 'I-202303141002334121234', kd_status: '58' });
  });

  it.each([[''], ['-'], [undefined]])('rejects id_izin %j', (idIzin) => {
    const issue = onlyIssue(validateLicenceStatuses([{ ...dataIzin, id_izin: idIzin }]));
    expect(issue).toMatchObject({ path: 'id_izin', expected: 'a non-empty id', got: idIzin ?? null });
  });
});

describe('validateListedNibs', () => {
  it('passes listNIB items, bad NIB formats included', () => {
    const out = validateListedNibs([
      { nib: '1234567890123', nama_perseroan: 'PT SAMUDRA REMBANG LESTARI', tgl_perubahan_nib: '2024-02-19' },
      { nib: '812020277123', nama_perseroan: 'CV MINA', tgl_perubahan_nib: '' },
    ]);
    expect(out.rejected).toEqual([]);
    expect(out.valid).toHaveLength(2);
  });

  it.each([
    ['nib', { nib: '', tgl_perubahan_nib: '2024-02-19' }, ''],
    ['nib', { nib: '-', tgl_perubahan_nib: '2024-02-19' }, '-'],
    ['tgl_perubahan_nib', { nib: '1234567890123', tgl_perubahan_nib: '2024-02-30' }, '2024-02-30'],
  ])('rejects %s (got %j)', (path, wire, got) => {
    expect(onlyIssue(validateListedNibs([wire]))).toMatchObject({ path, got });
  });
});
