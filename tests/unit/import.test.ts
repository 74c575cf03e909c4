import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import {
  descriptionKey,
  indexDescriptions,
  isBlankToken,
  JENIS_IZIN_DESCRIPTIONS,
  JENIS_PERSEROAN_DESCRIPTIONS,
  JENIS_PROYEK_DESCRIPTIONS,
  KEWENANGAN_DESCRIPTIONS,
  RISIKO_DESCRIPTIONS,
  SATUAN_TANAH_DESCRIPTIONS,
  SEKTOR_DESCRIPTIONS,
  SKALA_USAHA_DESCRIPTIONS,
  STATUS_IZIN_DESCRIPTIONS,
  STATUS_PM_DESCRIPTIONS,
} from '../../src/import/codes.js';
import { idProyek, nib, text } from '../../src/import/convert.js';
import { CsvTokenizer, detectDelimiter } from '../../src/import/csv.js';
import {
  column,
  DP_NIB_KANTOR,
  DP_PROYEK,
  defineExport,
  ExportDefinitionError,
  type ExportTypeDef,
  type ExportTypeId,
  type FieldDef,
  headerKey,
  LIST_IZIN,
} from '../../src/import/exportTypes.js';
import { Decision, hashCells, hashKey, KeyTable } from '../../src/import/hashing.js';
import { describeUnrecognized, recognizeHeader } from '../../src/import/headers.js';
import { createRowMapper, type MappingNotes } from '../../src/import/mapping.js';
import { buildRegionIndex, RegionResolver } from '../../src/import/regions.js';
import { dateInFileName, dateInText } from '../../src/import/snapshot.js';
import { openExport } from '../../src/import/source.js';
import {
  type Cell,
  decideDateOrder,
  excelSerialToDate,
  formatNumberId,
  parseExportDate,
  parseExportInteger,
  parseExportNumber,
} from '../../src/import/values.js';
import { loadReference } from '../../src/reference.js';
import { writeWorldExport } from '../../src/simulator/exports.js';
import { generateWorld } from '../../src/simulator/index.js';
import type { ExportTable } from '../../src/store/exports.js';

const tmp = mkdtempSync(join(tmpdir(), 'oss-import-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('header recognition', () => {
  const exact = (t: ExportTypeDef) => [...t.headers] as Cell[];

  it.each([
    ['DP Proyek', exact(DP_PROYEK), 'dp_proyek'],
    ['DP NIB Kantor with its unnamed flag column', [...exact(DP_NIB_KANTOR), ''], 'dp_nib_kantor'],
    ['List Izin', exact(LIST_IZIN), 'list_izin'],
    ['DP Proyek in upper case with padded names', DP_PROYEK.headers.map((h) => ` ${h.toUpperCase()}  `), 'dp_proyek'],
    [
      'List Izin with spaces for underscores and no "No."',
      LIST_IZIN.headers.slice(1).map((h) => h.replace(/_/g, ' ')),
      'list_izin',
    ],
    ['DP Proyek with columns in another order', [...DP_PROYEK.headers].reverse(), 'dp_proyek'],
  ])('recognises %s', (_name, header, id) => {
    const r = recognizeHeader([header]);
    expect(r.ok && r.match.type.id).toBe(id);
  });

  it('finds the header under title rows and reports the flag and extra columns', () => {
    const r = recognizeHeader([
      ['DP NIB Kantor - DPMPTSP KABUPATEN REMBANG'],
      ['Tanggal Pengambilan Data: 14 Maret 2023'],
      [...DP_NIB_KANTOR.headers, '', 'Catatan'],
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.match.rowIndex).toBe(2);
    expect(r.match.unnamedColumns).toBe(1);
    expect(r.match.extraColumns).toEqual(['Catatan']);
    expect(r.match.columns.get('nib')).toBe(1);
  });

  it('names the closest type and its missing headers when nothing matches', () => {
    const header = DP_PROYEK.headers.filter((h) => h !== 'Kbli' && h !== 'TKI');
    const r = recognizeHeader([['judul'], header]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.closest?.type.id).toBe('dp_proyek');
    expect(r.closest?.missing).toEqual(['Kbli', 'TKI']);
    const message = describeUnrecognized('x.csv', r.closest, ['judul']);
    expect(message).toContain('Closest: "DP Proyek" (20 of 22 headers, row 2); missing: "Kbli", "TKI"');
  });

  it('says when no header row is there at all', () => {
    const r = recognizeHeader([['id_kemitraan', 'nib_ub', 'nib_umkm']]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(describeUnrecognized('kemitraan.csv', r.closest, ['id_kemitraan', 'nib_ub'])).toBe(
      'kemitraan.csv is not a known OSS export ("DP Proyek", "DP NIB Kantor", "List Izin"): no header row found in its first 10 rows (first row: "id_kemitraan", "nib_ub")',
    );
  });

  it('measures closeness as the share of expected headers present', () => {
    const r = recognizeHeader([['id_kemitraan', 'NIB', 'nama_umkm']]);
    expect(!r.ok && r.closest?.type.id).toBe('dp_nib_kantor');
    expect(!r.ok && [r.closest?.matched, r.closest?.expected]).toEqual([1, 10]);
  });

  it.each([
    ['Uraian_Jenis_Proyek', 'uraian jenis proyek'],
    ['No.', 'no'],
    ['  KL/Sektor   Pembina ', 'kl/sektor pembina'],
  ])('header key of %j is %j', (h, key) => expect(headerKey(h)).toBe(key));
});

describe('dates', () => {
  it.each<[Cell, 'dmy' | 'mdy', string | null]>([
    ['14/03/2023', 'dmy', '2023-03-14'],
    ['03/14/2023', 'mdy', '2023-03-14'],
    ['3/14/2023', 'mdy', '2023-03-14'],
    ['14/03/23', 'dmy', '2023-03-14'],
    ['14-03-2023', 'dmy', '2023-03-14'],
    ['14.03.2023', 'dmy', '2023-03-14'],
    ['14 Maret 2023', 'mdy', '2023-03-14'],
    ['1 Agustus 2021', 'dmy', '2021-08-01'],
    ['Selasa, 14 Maret 2023', 'dmy', '2023-03-14'],
    ['14-Mar-23', 'dmy', '2023-03-14'],
    ['14 Agt. 2023', 'dmy', '2023-08-14'],
    ['March 14, 2023', 'dmy', '2023-03-14'],
    ['2023-03-14', 'mdy', '2023-03-14'],
    ['2023-03-14 10:15:00', 'dmy', '2023-03-14'],
    ['14/03/2023 10:15', 'dmy', '2023-03-14'],
    [45000, 'dmy', '2023-03-15'],
    ['45000', 'dmy', '2023-03-15'],
    [new Date(Date.UTC(2023, 2, 14)), 'mdy', '2023-03-14'],
    ['', 'dmy', null],
    [null, 'dmy', null],
  ])('%j read %s → %s', (v, order, out) => {
    expect(parseExportDate(v, order, 2026)).toEqual({ ok: true, value: out });
  });

  it.each<[Cell, 'dmy' | 'mdy']>([
    ['31/02/2023', 'dmy'],
    ['14/03/2023', 'mdy'],
    ['31-13-2023', 'dmy'],
    ['30 Februari 2023', 'dmy'],
    ['14 Maretan 2023', 'dmy'],
    ['kemarin', 'dmy'],
  ])('%j read %s is refused with what was expected', (v, order) => {
    const r = parseExportDate(v, order, 2026);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.expected).toContain(order === 'dmy' ? 'd/m/Y' : 'm/d/Y');
  });

  it.each([
    ['two-digit years up to a year ahead are 20yy', '01/01/27', '2027-01-01'],
    ['later two-digit years are 19yy', '01/01/95', '1995-01-01'],
  ])('%s', (_n, v, out) => expect(parseExportDate(v, 'dmy', 2026)).toEqual({ ok: true, value: out }));

  it.each<[string, Cell[], 'dmy' | 'mdy', Record<string, unknown>]>([
    ['values that fit only day-first win', ['01/02/2023', '13/02/2023'], 'mdy', { order: 'dmy', by: 'values' }],
    ['values that fit only month-first win', ['01/02/2023', '02/13/2023'], 'dmy', { order: 'mdy', by: 'values' }],
    ['all ambiguous: the convention', ['01/02/2023', '03/04/2023'], 'mdy', { order: 'mdy', by: 'convention' }],
    ['long dates do not vote', ['14 Maret 2023', '01/02/2023'], 'dmy', { order: 'dmy', by: 'convention' }],
    [
      'the majority wins a disagreement',
      ['13/01/2023', '14/01/2023', '01/13/2023'],
      'mdy',
      { order: 'dmy', by: 'values' },
    ],
    ['ISO values make an ISO column', ['2023-03-14', '2023-04-01', '13/03/2023'], 'dmy', { iso: true, isoDates: 2 }],
    ['a stray ISO value does not', ['13/03/2023', '14/03/2023', '2099-01-01'], 'dmy', { iso: false, isoDates: 1 }],
  ])('column order: %s', (_n, values, convention, expected) => {
    expect(decideDateOrder(values, convention)).toMatchObject(expected);
  });

  it('reads Excel day numbers', () => {
    expect(excelSerialToDate(1)).toBeNull();
    expect(excelSerialToDate(44927)).toBe('2023-01-01');
  });
});

describe('numbers', () => {
  it.each<[Cell, string | null]>([
    ['150.000.000', '150000000'],
    ['1.250,5', '1250.5'],
    ['1.250,50', '1250.5'],
    ['1250,5', '1250.5'],
    ['1.250', '1250'],
    ['1250.5', '1250.5'],
    ['0.250', '0.25'],
    ['Rp 1.500.000', '1500000'],
    ['Rp. 1.500.000,00', '1500000'],
    ['-2.500', '-2500'],
    ['007', '7'],
    [1250.5, '1250.5'],
    [150000000, '150000000'],
    ['', null],
    [null, null],
  ])('%j → %j', (v, out) => expect(parseExportNumber(v)).toEqual({ ok: true, value: out }));

  it.each<Cell>(['banyak', '1,250.5', '1.25.0', '12 ribu'])('%j is not a number', (v) => {
    expect(parseExportNumber(v).ok).toBe(false);
  });

  it.each<[Cell, number | null, boolean]>([
    ['1.200', 1200, true],
    ['12', 12, true],
    ['12,5', null, false],
  ])('whole number %j', (v, out, ok) => {
    const r = parseExportInteger(v);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.value).toBe(out);
  });

  it.each([
    ['150000000', '150.000.000'],
    ['1250.5', '1.250,5'],
    ['12', '12'],
  ])('writes %s the Indonesian way: %s', (v, out) => expect(formatNumberId(v)).toBe(out));
});

describe('descriptions → codes', () => {
  it.each([
    [STATUS_PM_DESCRIPTIONS, 'PMDN', '02'],
    [STATUS_PM_DESCRIPTIONS, 'Penanaman Modal Asing', '01'],
    [JENIS_PERSEROAN_DESCRIPTIONS, 'Perseroan Terbatas (PT)', '01'],
    [JENIS_PERSEROAN_DESCRIPTIONS, 'pt', '01'],
    [JENIS_PERSEROAN_DESCRIPTIONS, 'Persekutuan Komanditer (CV)', '02'],
    [JENIS_PERSEROAN_DESCRIPTIONS, 'Perorangan', '17'],
    [JENIS_PERSEROAN_DESCRIPTIONS, 'PT Perorangan', '26'],
    [JENIS_PERSEROAN_DESCRIPTIONS, 'BUM Desa', '28'],
    [SKALA_USAHA_DESCRIPTIONS, 'Usaha Mikro', '01'],
    [SKALA_USAHA_DESCRIPTIONS, 'MENENGAH', '03'],
    [RISIKO_DESCRIPTIONS, 'Menengah Rendah', 'MR'],
    [RISIKO_DESCRIPTIONS, 'MT', 'MT'],
    [JENIS_PROYEK_DESCRIPTIONS, 'Utama', '01'],
    [JENIS_IZIN_DESCRIPTIONS, 'Sertifikat Standar', '04'],
    [JENIS_IZIN_DESCRIPTIONS, 'PB UMKU', 'K03'],
    [KEWENANGAN_DESCRIPTIONS, 'Kabupaten/Kota', '02'],
    [KEWENANGAN_DESCRIPTIONS, 'kab kota', '02'],
    [KEWENANGAN_DESCRIPTIONS, '2', '02'],
    [SATUAN_TANAH_DESCRIPTIONS, 'm²', '01'],
    [SEKTOR_DESCRIPTIONS, 'Kementerian Perindustrian', '019'],
    [SEKTOR_DESCRIPTIONS, 'Kelautan dan Perikanan', '032'],
    [STATUS_IZIN_DESCRIPTIONS, 'Disetujui', '50'],
    [STATUS_IZIN_DESCRIPTIONS, 'Disetujui otomatis', '57'],
    [STATUS_IZIN_DESCRIPTIONS, 'Persyaratan terverifikasi (dinas teknis)', '45'],
  ])('%#: %j → %j', (table, description, code) => {
    expect(indexDescriptions(table).get(descriptionKey(description))).toBe(code);
  });

  it.each([
    [JENIS_PERSEROAN_DESCRIPTIONS, 'Firma Baru'],
    [STATUS_IZIN_DESCRIPTIONS, 'Izin terbit/SS terverifikasi'],
    [RISIKO_DESCRIPTIONS, 'Sedang'],
  ])('%#: %j is not guessed', (table, description) => {
    expect(indexDescriptions(table).get(descriptionKey(description))).toBeUndefined();
  });

  it.each([
    ['KOSONG', true],
    [' kosong ', true],
    ['-', true],
    ['Null', true],
    ['', true],
    ['Kosongan', false],
    ['0', false],
  ])('blank token %j: %s', (v, blank) => expect(isBlankToken(v)).toBe(blank));
});

describe('region names → Kemendagri codes', () => {
  const resolver = new RegionResolver(buildRegionIndex(loadReference()));
  it.each([
    [{ kabupaten: 'KABUPATEN REMBANG', kecamatan: 'Lasem', desa: 'Dasun' }, '3317', '331714', '3317142008', []],
    [
      { kabupaten: 'Kab. Rembang', kecamatan: 'Kec. Rembang', desa: 'Desa Tasikagung' },
      '3317',
      '331710',
      '3317102025',
      [],
    ],
    [{ kabupaten: 'REMBANG', kecamatan: 'KRAGAN', desa: 'PANDANGAN WETAN' }, '3317', '331712', '3317122024', []],
    [{ kabupaten: 'KABUPATEN REMBANG', kecamatan: 'Kaliori', desa: 'Atlantis' }, '3317', '331709', null, ['desa']],
    [{ kabupaten: 'KABUPATEN REMBANG', kecamatan: 'Atlantis', desa: 'X' }, '3317', null, null, ['kecamatan']],
    [
      { kabupaten: 'KOTA SEMARANG', kecamatan: 'Semarang Utara', desa: 'Tanjung Mas' },
      '3374',
      null,
      null,
      ['kecamatan'],
    ],
    [{ kabupaten: 'KABUPATEN SEMARANG', kecamatan: null, desa: null }, '3322', null, null, []],
    [{ kabupaten: 'Gotham', kecamatan: 'X', desa: 'Y' }, null, null, null, ['kabupaten']],
  ])('%j', (names, kab, kec, desa, unresolvedLevels) => {
    const r = resolver.resolve(names);
    expect([r.kabupaten, r.kecamatan, r.desa]).toEqual([kab, kec, desa]);
    expect(r.unresolved.map((u) => u.level)).toEqual(unresolvedLevels);
  });
});

describe('csv tokenizer', () => {
  const samples: Array<[string, string]> = [
    ['plain', 'a,b,c\n1,2,3\n'],
    ['quoted delimiters and quotes', 'a,"b, ""quoted""",c\n"x",,"z"\n'],
    ['line breaks inside quotes', 'id,alamat\n1,"JL. PANTURA\nNO. 12"\n2,"a\r\nb"\n'],
    ['CRLF and a last line without a break', 'a,b\r\n1,2\r\n3,4'],
    ['empty fields and a trailing delimiter', 'a,,c,\n,,,\n'],
    ['Indonesian decimals in quotes', 'luas,nilai\n"1.250,5","150.000.000"\n'],
  ];
  const tokenize = (text: string, chunk: number, delimiter: ',' | ';' = ',') => {
    const t = new CsvTokenizer(delimiter);
    const out: string[][] = [];
    for (let i = 0; i < text.length; i += chunk) t.push(text.slice(i, i + chunk), false, (f) => out.push(f));
    t.push('', true, (f) => out.push(f));
    return out;
  };
  it.each(samples)('%s: same fields as csv-parse, however the text is cut', (_n, text) => {
    const expected = parseCsvSync(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
    for (const chunk of [1, 2, 3, 5, 7, text.length]) expect(tokenize(text, chunk)).toEqual(expected);
  });

  it('numbers records by the line they start on', () => {
    const t = new CsvTokenizer(',');
    const lines: number[] = [];
    t.push('h1,h2\n1,"a\nb"\n\n3,c\n', true, (_f, line) => lines.push(line));
    expect(lines).toEqual([1, 2, 5]);
  });

  it.each([
    ['a,b,c\n1,2,3', ','],
    ['a;b;c\n"1,5";2;3', ';'],
    ['a\tb\tc', '\t'],
    ['Judul saja\nNo.;Nib;Nama\n1;2;3', ';'],
  ])('delimiter of %j is %j', (head, d) => expect(detectDelimiter(head)).toBe(d));
});

describe('key table', () => {
  it('tells new, same and changed records apart, and survives growth', () => {
    const table = new KeyTable(8);
    const key = (i: number) => Array.from(hashKey(`R-${i}`));
    const content = (i: number, v: string) => Array.from(hashCells([`R-${i}`, v], [0, 1], 7));
    for (let i = 0; i < 5_000; i++) {
      const [a, b] = key(i) as [number, number];
      const [c, d] = content(i, 'x') as [number, number];
      table.addKnown(a, b, i % 2 === 0 ? Uint32Array.of(c, d) : null);
    }
    const decide = (i: number, v: string) => {
      const [a, b] = key(i) as [number, number];
      const [c, d] = content(i, v) as [number, number];
      return table.decide(a, b, c, d);
    };
    expect(decide(2, 'x')).toBe(Decision.Same);
    expect(decide(2, 'y')).toBe(Decision.Merge);
    expect(decide(3, 'x')).toBe(Decision.Merge); // stored without an export hash (an API row)
    expect(decide(9_999, 'x')).toBe(Decision.Insert);
    const [a, b] = key(9_999) as [number, number];
    const [c, d] = content(9_999, 'x') as [number, number];
    table.accept(a, b, c, d);
    expect(table.seen(a, b)).toBe(true);
    expect(decide(9_999, 'x')).toBe(Decision.Same);
    expect(decide(9_999, 'z')).toBe(Decision.Merge);
  });

  it('hashes cells by content and position', () => {
    const h = (row: Cell[]) => Array.from(hashCells(row, [0, 1], 1));
    expect(h(['ab', 'c'])).not.toEqual(h(['a', 'bc']));
    expect(h(['a', ''])).toEqual(h(['a', null]));
    expect(h([' a ', 'b'])).toEqual(h(['a', 'b']));
    expect(h(['1', 'b'])).not.toEqual(h([1, 'b']));
  });
});

describe('snapshot dates', () => {
  it.each([
    ['Tanggal Pengambilan Data: 14 Maret 2023', '2023-03-14'],
    ['Data per 14/03/2023', '2023-03-14'],
    ['Snapshot 2023-03-14 pukul 10.00', '2023-03-14'],
    ['DP Proyek Kabupaten Rembang', null],
  ])('title %j → %j', (text, out) => expect(dateInText(text, 2026)).toBe(out));

  it.each([
    ['DP Proyek 2023-03-14.xlsx', '2023-03-14'],
    ['dp_proyek_20230314.csv', '2023-03-14'],
    ['list izin 14-03-2023.csv', '2023-03-14'],
    ['dp_proyek.csv', null],
  ])('file name %j → %j', (name, out) => expect(dateInFileName(name, 2026)).toBe(out));
});

describe('row mapping', () => {
  const ref = loadReference();
  const noted: string[] = [];
  const notes: MappingNotes = {
    unknownDescription: (column, value, row) => noted.push(`${row}:${column}=${value}`),
    unresolvedRegion: (column, u, row) => noted.push(`${row}:${column}~${u.name}`),
    kbliRestored: (row) => noted.push(`${row}:kbli`),
  };
  const header = [...DP_PROYEK.headers] as Cell[];
  const recognised = recognizeHeader([header]);
  if (!recognised.ok) throw new Error('header not recognised');
  const mapper = createRowMapper(DP_PROYEK, recognised.match, {
    pivotYear: 2026,
    dateOrders: new Map([
      ['Tanggal Terbit Oss', 'dmy'],
      ['Day of Tanggal Pengajuan Proyek', 'dmy'],
    ]),
    regions: new RegionResolver(buildRegionIndex(ref)),
    kbliTitles: ref.kbli,
    notes,
  });
  const row = (over: Record<string, Cell>): Cell[] =>
    DP_PROYEK.headers.map(
      (h) =>
        over[h] ??
        {
          'No.': '1',
          'Id Proyek': 'R-202303140930124561234',
          Uraian_Jenis_Proyek: 'Utama',
          Nib: '1234567890123',
          'Nama Perusahaan': 'PT SAMUDRA REMBANG LESTARI',
          'Tanggal Terbit Oss': '14/03/2023',
          'Uraian Status Penanaman Modal': 'PMDN',
          'Uraian Jenis Perusahaan': 'Perseroan Terbatas (PT)',
          'Uraian Risiko Proyek': 'Menengah Tinggi',
          nama_proyek: 'INDUSTRI PEMBEKUAN IKAN',
          'Uraian Skala Usaha': 'Usaha Besar',
          'Alamat Usaha': 'DESA DASUN, LASEM',
          'Kab Kota Usaha': 'KABUPATEN REMBANG',
          kecamatan_usaha: 'Lasem',
          kelurahan_usaha: 'Dasun',
          'Day of Tanggal Pengajuan Proyek': '14 Maret 2023',
          Kbli: '10213',
          'Judul Kbli': 'Industri Pembekuan Ikan',
          'KL/Sektor Pembina': 'Kementerian Perindustrian',
          luas_tanah: '1.250,5',
          satuan_tanah: 'M2',
          'Jumlah Investasi': '15.000.000.000',
          TKI: '125',
        }[h] ??
        null,
    );

  it('maps a DP Proyek row to proyek, pelaku_usaha and proyek_lokasi records keyed by column', () => {
    const m = mapper(row({}), 4);
    expect(m.problems).toEqual([]);
    expect(m.records).toEqual({
      proyek: {
        id_proyek: 'R-202303140930124561234',
        nib: '1234567890123',
        jenis_proyek: '01',
        skala_resiko: 'MT',
        nama_kegiatan: 'INDUSTRI PEMBEKUAN IKAN',
        skala_usaha: '04',
        kbli: '10213',
        sektor: '019',
        luas_tanah: '1250.5',
        satuan_luas_tanah: '01',
        jumlah_investasi: '15000000000',
        tgl_pengajuan_proyek: '2023-03-14',
        jumlah_tki: '125',
      },
      pelaku_usaha: {
        nib: '1234567890123',
        nama_perseroan: 'PT SAMUDRA REMBANG LESTARI',
        tgl_terbit_nib: '2023-03-14',
        status_penanaman_modal: '02',
        jenis_perseroan: '01',
      },
      proyek_lokasi: {
        id_proyek: 'R-202303140930124561234',
        nib: '1234567890123',
        alamat_usaha: 'DESA DASUN, LASEM',
        proyek_daerah_id: '3317142008',
        kd_kecamatan: '331714',
      },
    });
  });

  it('keeps an unknown description of an open code table as written and reports it', () => {
    noted.length = 0;
    const m = mapper(row({ 'Uraian Jenis Perusahaan': 'Firma Baru' }), 7);
    expect(m.problems).toEqual([]);
    expect(m.records.pelaku_usaha?.jenis_perseroan).toBe('Firma Baru');
    expect(noted).toEqual(['7:Uraian Jenis Perusahaan=Firma Baru']);
  });

  it('treats KOSONG as no value, and a spreadsheet-number KBLI gets its zero back only when the title agrees', () => {
    const m = mapper(
      row({ 'Uraian Risiko Proyek': 'KOSONG', Kbli: 3111, 'Judul Kbli': 'Penangkapan Pisces/Ikan Bersirip di Laut' }),
      2,
    );
    expect(m.records.proyek?.skala_resiko).toBeNull();
    expect(m.records.proyek?.kbli).toBe('03111');
    expect(
      mapper(row({ Kbli: '3111', 'Judul Kbli': 'Penangkapan Pisces/Ikan Bersirip di Laut' }), 2).records.proyek?.kbli,
    ).toBe('3111');
    expect(mapper(row({ Kbli: 3111, 'Judul Kbli': 'Industri Batik' }), 2).records.proyek?.kbli).toBe('3111');
  });

  it('refuses a row with every problem listed', () => {
    const m = mapper(row({ 'Id Proyek': '', 'Jumlah Investasi': 'banyak', 'Tanggal Terbit Oss': '31/02/2023' }), 9);
    expect(m.problems.map((p) => [p.column, p.got])).toEqual([
      ['Id Proyek', ''],
      ['Jumlah Investasi', 'banyak'],
      ['Tanggal Terbit Oss', '31/02/2023'],
    ]);
  });

  it.each<[string, Record<string, Cell>, string, RegExp]>([
    ['a NIB that is not 13 digits', { Nib: '12345' }, 'Nib', /"12345" is not a NIB: a NIB has 13 digits/],
    ['a project id that is not an OSS id', { 'Id Proyek': 'R-XYZ' }, 'Id Proyek', /"R-XYZ" is not an OSS project id/],
    ['a KBLI that is not digits', { Kbli: 'ABCDE' }, 'Kbli', /"ABCDE" is not a KBLI code/],
    ['a negative workforce', { TKI: '-5' }, 'TKI', /"-5" is negative/],
    ['a negative investment', { 'Jumlah Investasi': '-1.000' }, 'Jumlah Investasi', /"-1.000" is negative/],
    [
      'a scale outside its code table',
      { 'Uraian Skala Usaha': 'Raksasa' },
      'Uraian Skala Usaha',
      /"Raksasa" is not one of "Usaha Mikro"/,
    ],
    ['a risk level outside its code table', { 'Uraian Risiko Proyek': 'Sedang' }, 'Uraian Risiko Proyek', /"Sedang"/],
    [
      'an ISO date in a d/m/Y column',
      { 'Tanggal Terbit Oss': '2099-01-01' },
      'Tanggal Terbit Oss',
      /YYYY-MM-DD in a column of d\/m\/Y dates/,
    ],
  ])('refuses %s and stores nothing of the row', (_n, over, column, message) => {
    const m = mapper(row(over), 5);
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]).toMatchObject({ column });
    expect(m.problems[0]?.message).toMatch(message);
  });

  it('keeps a 4-digit KBLI written as text (the KBLI_INVALID rule flags it) and an empty optional value', () => {
    const m = mapper(row({ Kbli: '3111', TKI: '', luas_tanah: 'KOSONG' }), 5);
    expect(m.problems).toEqual([]);
    expect(m.records.proyek).toMatchObject({ kbli: '3111', jumlah_tki: null, luas_tanah: null });
  });

  it('reads ISO dates in a column whose values are ISO, and refuses a d/m/Y date there', () => {
    const iso = createRowMapper(DP_PROYEK, recognised.match, {
      pivotYear: 2026,
      dateOrders: new Map([['Tanggal Terbit Oss', 'dmy']]),
      isoDates: new Set(['Tanggal Terbit Oss']),
      regions: new RegionResolver(buildRegionIndex(ref)),
      kbliTitles: ref.kbli,
      notes,
    });
    expect(iso(row({ 'Tanggal Terbit Oss': '2023-03-14' }), 2).records.pelaku_usaha?.tgl_terbit_nib).toBe('2023-03-14');
    expect(iso(row({ 'Tanggal Terbit Oss': '14/03/2023' }), 2).problems[0]?.message).toMatch(/column of YYYY-MM-DD/);
  });
});

describe('export type definitions', () => {
  const nswiHeaders = ['NIB', 'Status_NIB', 'id_proyek', 'KBLI'];
  const nswi = (fields: FieldDef[], tables: ExportTable[]) =>
    defineExport({ id: 'nswi' as ExportTypeId, title: 'NSWI', headers: nswiHeaders, tables, fields });

  it('refuses a fourth export type that writes no table', () => {
    expect(() => nswi([], [])).toThrow(/export type NSWI: it writes no table/);
    expect(() => nswi([column('NIB', nib, 'pelaku_usaha.nib')], [])).toThrow(ExportDefinitionError);
  });

  it.each<[string, FieldDef[], ExportTable[], RegExp]>([
    [
      'a column no table has',
      [column('NIB', nib, 'pelaku_usaha.nib'), column('KBLI', text, 'pelaku_usaha.kbli')],
      ['pelaku_usaha'],
      /pelaku_usaha has no column "kbli"/,
    ],
    [
      'a table without its key',
      [column('KBLI', text, 'proyek.kbli')],
      ['proyek'],
      /nothing fills the key proyek.id_proyek/,
    ],
    [
      'a table it does not declare',
      [column('NIB', nib, 'pelaku_usaha.nib'), column('id_proyek', idProyek, 'proyek.id_proyek')],
      ['pelaku_usaha'],
      /proyek is not one of its tables/,
    ],
    [
      'a header not in its header row',
      [column('Nib', nib, 'pelaku_usaha.nib')],
      ['pelaku_usaha'],
      /"Nib" is not in its header row/,
    ],
    [
      'a column filled twice',
      [column('NIB', nib, 'pelaku_usaha.nib'), column('id_proyek', text, 'pelaku_usaha.nib')],
      ['pelaku_usaha'],
      /pelaku_usaha.nib is filled twice/,
    ],
  ])('refuses a definition with %s', (_n, fields, tables, message) => {
    expect(() => nswi(fields, tables)).toThrow(message);
  });

  it('derives each table, its key and the cells that feed it from the column table', () => {
    const byTable = Object.fromEntries(LIST_IZIN.targets.map((t) => [t.spec.table, t]));
    expect(LIST_IZIN.targets.map((t) => t.spec.table)).toEqual([
      'perizinan',
      'pelaku_usaha',
      'proyek',
      'proyek_lokasi',
    ]);
    expect(byTable.proyek?.keyHeader).toBe('Id Proyek');
    expect([...(byTable.proyek?.sourceHeaders ?? [])].sort()).toEqual(['Id Proyek', 'Kbli', 'Kd Resiko', 'Nib']);
    expect(byTable.proyek_lokasi?.spec.columns.map((c) => c.name)).toEqual(['nib', 'proyek_daerah_id', 'kd_kecamatan']);
    expect(DP_PROYEK.dateColumns).toEqual([
      { header: 'Day of Tanggal Pengajuan Proyek', convention: 'dmy' },
      { header: 'Tanggal Terbit Oss', convention: 'dmy' },
    ]);
    expect(DP_NIB_KANTOR.dateColumns).toEqual([{ header: 'Day of tanggal_terbit_oss', convention: 'mdy' }]);
  });
});

describe('simulator exports', () => {
  const world = generateWorld({ seed: 3, size: 'tiny', now: new Date('2026-11-20T03:00:00Z') });
  it.each([
    ['dp_proyek', 'csv'],
    ['dp_nib_kantor', 'csv'],
    ['list_izin', 'xlsx'],
    ['dp_proyek', 'xlsx'],
  ] as const)('%s as %s: the real header under a title, and repeated rows at the end', async (type, format) => {
    const path = join(tmp, `${type}.${format}`);
    const written = await writeWorldExport({ world, type, format, path, rows: 400, duplicateFraction: 0.05 });
    expect(written.rows).toBe(400);
    expect(written.duplicates).toBe(20);
    const rows: Cell[][] = [];
    for await (const batch of openExport(path, format).batches) rows.push(...batch.rows);
    const r = recognizeHeader(rows.slice(0, 10));
    expect(r.ok && r.match.type.id).toBe(type);
    expect(r.ok && r.match.rowIndex).toBe(2);
    expect(String(rows[1]?.[0])).toMatch(/^Tanggal Pengambilan Data: 20 November 2026$/);
    expect(rows.length).toBe(3 + 400);
  });

  it('writes the same bytes for the same world and options', async () => {
    const a = join(tmp, 'a.csv');
    const b = join(tmp, 'b.csv');
    await writeWorldExport({ world, type: 'list_izin', format: 'csv', path: a, rows: 300 });
    await writeWorldExport({ world, type: 'list_izin', format: 'csv', path: b, rows: 300 });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  it('reads a csv written with ";" and decimal commas', async () => {
    const path = join(tmp, 'semicolon.csv');
    writeFileSync(
      path,
      `${DP_NIB_KANTOR.headers.join(';')};\n1;1234567890123;3/14/2023;"CV A; B";PMDN;CV;Mikro;"JL. X, 1";LETEH;Rembang;KABUPATEN REMBANG;Y\n`,
    );
    const rows: Cell[][] = [];
    const source = openExport(path, 'csv');
    for await (const batch of source.batches) rows.push(...batch.rows);
    expect(rows[1]?.[3]).toBe('CV A; B');
    expect(source.describe()).toBe('utf-8, delimiter ";"');
  });
});
