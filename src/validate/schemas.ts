/*
 * zod v4 schemas over the *normalized* records, built once at module load.
 * They check only what makes a record unusable (the validation contract); everything else (bad NIB formats, unknown
 * codes, region codes, KBLI zeros, NIK structure) is stored and flagged later by rules/.
 * Each check's error is an expectation kind (a key of EXPECTATIONS): issues.ts turns it into expected/message.
 * The schemas only answer valid or not; the record stored is the normalized one, never zod's output copy.
 * Speed: validate/index.ts also compiles them (z.compile, zod 4.6): the generated validator answers a valid record
 * without building output or issues (~1 µs for a partnership); only a failing record pays for the runtime parse.
 */
import { z } from 'zod';
import { POLA_KEMITRAAN, SKALA_USAHA, STATUS_KEMITRAAN } from '../domain/codes.js';

/** What a field must be: the `expected` text of an issue, and the end of its message ("<path> <problem>."). */
export const EXPECTATIONS = {
  id: { expected: 'a non-empty id', problem: 'is empty' },
  datetime: {
    expected: "a WIB datetime 'YYYY-MM-DD HH:II:SS'",
    problem: "is not a valid datetime 'YYYY-MM-DD HH:II:SS'",
  },
  date_or_datetime: {
    expected: "a date YYYY-MM-DD or a datetime 'YYYY-MM-DD HH:II:SS'",
    problem: 'is not a real calendar date',
  },
  date: { expected: 'a date YYYY-MM-DD', problem: 'is not a real calendar date' },
  number: { expected: 'a number', problem: 'is not numeric' },
  integer: { expected: 'a whole number', problem: 'is not a whole number' },
  year: { expected: 'a whole year, e.g. 2024', problem: 'is not a whole year' },
  quarter: { expected: 'a quarter 1–4', problem: 'is not a quarter 1–4' },
  status_kemitraan: { expected: 'one of 01–06', problem: 'is not a partnership status code 01–06' },
  pola_kemitraan: { expected: 'one of 01–10, 99', problem: 'is not a partnership pattern code (01–10, 99)' },
  skala_usaha: { expected: 'one of 01–04', problem: 'is not a business scale code 01–04' },
  object: { expected: 'an object', problem: 'is not an object' },
  list: { expected: 'a list', problem: 'is not a list' },
} as const;

export type ExpectationKind = keyof typeof EXPECTATIONS;

const e = (kind: ExpectationKind) => ({ error: kind });

/** Canonical instants as parseWibDateTime writes them; a value it could not parse is kept raw and fails here. */
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

const id = z.string(e('id')).min(1, e('id'));
const instant = z.string(e('datetime')).regex(INSTANT_RE, e('datetime'));
const optionalInstant = z.string(e('date_or_datetime')).regex(INSTANT_RE, e('date_or_datetime')).nullable();
// z.iso.date() checks the calendar too (2024-02-30 and 2023-02-29 fail).
const optionalDate = z.iso.date(e('date')).nullable();
const optionalDecimal = z.string(e('number')).regex(DECIMAL_RE, e('number')).nullable();
const optionalCount = z.number(e('integer')).int(e('integer')).nullable();

const codes = (table: Record<string, string>) => Object.keys(table) as [string, ...string[]];

const realisation = z.object(
  {
    tahun: z.number(e('year')).int(e('year')),
    triwulan: z.number(e('quarter')).int(e('quarter')).min(1, e('quarter')).max(4, e('quarter')),
    nilai_realisasi: optionalDecimal,
    volume_realisasi: optionalDecimal,
  },
  e('object'),
);

/** A Partnership is unusable when its id, last-change time, dates, amounts, status, pattern or realisations are. */
export const partnershipSchema = z.object({
  id_kemitraan: id,
  tgl_perubahan: instant,
  tgl_pengajuan: optionalInstant,
  tgl_kesepakatan: optionalDate,
  tgl_mulai: optionalDate,
  tgl_berakhir: optionalDate,
  nilai_kemitraan: optionalDecimal,
  volume: optionalDecimal,
  status_kemitraan: z.enum(codes(STATUS_KEMITRAAN), e('status_kemitraan')),
  pola_kemitraan: z.enum(codes(POLA_KEMITRAAN), e('pola_kemitraan')),
  skala_usaha_umkm: z.enum(codes(SKALA_USAHA), e('skala_usaha')).nullable(),
  realisasi: z.array(realisation, e('list')),
});

const shareholder = z.object({ total_modal_pemegang: optionalDecimal }, e('object'));
const person = z.object({}, e('object'));
const location = z.object({}, e('object'));
const product = z.object({ kapasitas: optionalDecimal }, e('object'));

const project = z.object(
  {
    id_proyek: id,
    jumlah_tki_l: optionalCount,
    jumlah_tki_p: optionalCount,
    jumlah_tka_l: optionalCount,
    jumlah_tka_p: optionalCount,
    pembelian_pematang_tanah: optionalDecimal,
    bangunan_gedung: optionalDecimal,
    mesin_peralatan: optionalDecimal,
    investasi_lain: optionalDecimal,
    modal_kerja: optionalDecimal,
    jumlah_investasi: optionalDecimal,
    luas_tanah: optionalDecimal,
    locations: z.array(location, e('list')),
    products: z.array(product, e('list')),
  },
  e('object'),
);

const licence = z.object({ id_izin: id, tgl_izin: optionalDate }, e('object'));

/** A Business (NIB document) is unusable when its nib, a date, an amount, a project id or a licence id is. */
export const businessSchema = z.object({
  nib: id,
  tgl_pengajuan_nib: optionalDate,
  tgl_terbit_nib: optionalDate,
  tgl_perubahan_nib: optionalDate,
  total_modal_dasar: optionalDecimal,
  total_modal_ditempatkan: optionalDecimal,
  total_pma: optionalDecimal,
  persen_pma: optionalDecimal,
  persen_pmdn: optionalDecimal,
  shareholders: z.array(shareholder, e('list')),
  persons: z.array(person, e('list')),
  projects: z.array(project, e('list')),
  licences: z.array(licence, e('list')),
});

/** Normalized Business keys → their wire names, for issue paths ('projects.0.locations' → 'data_proyek[0].data_lokasi_proyek'). */
export const BUSINESS_WIRE_KEYS: Readonly<Record<string, string>> = {
  shareholders: 'pemegang_saham',
  persons: 'penanggung_jwb',
  projects: 'data_proyek',
  locations: 'data_lokasi_proyek',
  products: 'data_proyek_produk',
  licences: 'data_checklist',
};

export const licenceStatusSchema = z.object({ id_izin: id });

export const listedNibSchema = z.object({ nib: id, tgl_perubahan_nib: optionalDate });
