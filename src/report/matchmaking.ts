/*
 * Peluang kemitraan (matchmaking), the pure half: the supply-chain map of config/supply-chains.json (validated),
 * and candidates (src/store/matchmaking.ts) + the map → the invitation list, ranked per large business with the
 * reason for each match in Indonesian, as terminal rows, csv and xlsx. Ranking: "siap bermitra" first, then the
 * distance between the nearest project locations (unknown distance last), then the same kecamatan first, then name.
 * loadSupplyChainMap is the one function here that reads a file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { csvField, neutralizeFormula } from '../domain/cells.js';
import { SKALA_USAHA } from '../domain/codes.js';
import { fmtDecimal } from '../domain/format.js';
import { humanTime, localDateTime } from '../domain/wib.js';
import { ConfigError } from '../errors.js';
import { loadReference, projectRoot } from '../reference.js';
import type { CandidateRow, ChainPair, ReadinessStatus } from '../store/matchmaking.js';

/** How a UMKM relates to the UB: it supplies the UB, or it sells its products through the UB (modern retail). */
export const RELATIONS = ['memasok', 'menjual_melalui'] as const;
export type Relation = (typeof RELATIONS)[number];

/** One entry of the map: UB KBLIs (codes or prefixes) → the UMKM KBLIs that supply them or sell through them. */
export interface SupplyChain {
  id: string;
  nama: string;
  ubKbli: readonly string[];
  hubungan: Relation;
  mitraKbli: readonly string[];
  why: string;
  sources: readonly string[];
}

export interface SupplyChainMap {
  /** Where the map was read from (named in messages). */
  source: string;
  chains: readonly SupplyChain[];
  /** KBLI 2020 titles: config/reference/kbli.json, and the map's kbli_judul for codes that file lacks. */
  titles: Readonly<Record<string, string>>;
}

const kbliCode = z
  .string({ error: 'harus teks berisi kode KBLI, mis. "03111"' })
  .regex(/^\d{2,5}$/, { error: 'harus kode KBLI 5 digit atau awalan 2-4 digit, mis. "03111" atau "1021"' });

const chainSchema = z.strictObject({
  id: z
    .string({ error: 'wajib diisi: nama pendek entri' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'hanya huruf kecil, angka dan tanda -' }),
  nama: z.string({ error: 'wajib diisi: nama rantai pasok' }).trim().min(1, { error: 'tidak boleh kosong' }),
  ub_kbli: z.array(kbliCode, { error: 'harus daftar kode KBLI' }).min(1, { error: 'paling sedikit satu KBLI' }),
  hubungan: z.enum(RELATIONS, { error: `harus salah satu dari ${RELATIONS.join(', ')}` }),
  mitra_kbli: z.array(kbliCode, { error: 'harus daftar kode KBLI' }).min(1, { error: 'paling sedikit satu KBLI' }),
  why: z.string({ error: 'wajib diisi: alasan kecocokan' }).trim().min(1, { error: 'tidak boleh kosong' }),
  sources: z
    .array(z.string().trim().min(1, { error: 'tidak boleh kosong' }), { error: 'harus daftar sumber' })
    .min(1, { error: 'paling sedikit satu sumber' }),
});

const mapSchema = z.strictObject({
  _comment: z.union([z.string(), z.array(z.string())]).optional(),
  kbli_judul: z
    .record(
      z.string().regex(/^\d{5}$/, { error: 'kunci kbli_judul harus kode KBLI 5 digit' }),
      z.string().trim().min(1, { error: 'judul tidak boleh kosong' }),
    )
    .optional(),
  chains: z.array(chainSchema, { error: 'harus daftar entri' }).min(1, { error: 'paling sedikit satu entri' }),
});

/** "chains[2] (semen) → mitra_kbli[1]" for an issue path; the entry is named by its id when it has one. */
function issuePlace(input: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(isi berkas)';
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
  if (path[0] === 'chains' && typeof path[1] === 'number') {
    const entry = (input as { chains?: unknown[] })?.chains?.[path[1]] as { id?: unknown } | undefined;
    const head = `chains[${path[1]}]${typeof entry?.id === 'string' ? ` (${entry.id})` : ''}`;
    const rest = parts.slice(2).join('').replace(/^\./, '');
    return rest ? `${head} → ${rest}` : head;
  }
  return parts.join('').replace(/^\./, '');
}

/**
 * Validates the map: its shape (unknown keys are typos), unique ids, and a title for every 5-digit code (a code
 * neither kbli.json nor kbli_judul knows is most likely mistyped). Throws a ConfigError naming each entry at fault.
 */
export function parseSupplyChainMap(
  input: unknown,
  source: string,
  referenceTitles: Readonly<Record<string, string>>,
): SupplyChainMap {
  const parsed = mapSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${source}: ${issuePlace(input, i.path)}: ${i.message}`));
  }
  const titles: Record<string, string> = { ...parsed.data.kbli_judul, ...referenceTitles };
  const problems: string[] = [];
  const seen = new Map<string, number>();
  parsed.data.chains.forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) problems.push(`${source}: chains[${i}] (${c.id}): id sama dengan chains[${first}]`);
    else seen.set(c.id, i);
    for (const list of ['ub_kbli', 'mitra_kbli'] as const) {
      c[list].forEach((code, j) => {
        if (code.length === 5 && !titles[code]) {
          problems.push(
            `${source}: chains[${i}] (${c.id}) → ${list}[${j}]: KBLI ${code} tidak ada di config/reference/kbli.json; bila kodenya benar, tambahkan judulnya di kbli_judul`,
          );
        }
      });
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return {
    source,
    titles,
    chains: parsed.data.chains.map((c) => ({
      id: c.id,
      nama: c.nama,
      ubKbli: c.ub_kbli,
      hubungan: c.hubungan,
      mitraKbli: c.mitra_kbli,
      why: c.why,
      sources: c.sources,
    })),
  };
}

/** Reads and validates config/supply-chains.json (the office's copy), titles from config/reference/kbli.json. */
export function loadSupplyChainMap(root = projectRoot()): SupplyChainMap {
  const file = join(root, 'config', 'supply-chains.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${file} tidak bisa dibaca: ${(err as Error).message}`]);
  }
  return parseSupplyChainMap(raw, file, loadReference(root).kbli);
}

/** The map as the store's query takes it: every (UB prefix, UMKM prefix) pair with its chain's index. */
export function chainPairs(map: SupplyChainMap): ChainPair[] {
  return map.chains.flatMap((c, chain) =>
    c.ubKbli.flatMap((ubPrefix) => c.mitraKbli.map((mitraPrefix) => ({ ubPrefix, mitraPrefix, chain }))),
  );
}

/** One line of the invitation list: a UMKM for a UB, its place in that UB's list, and why. */
export interface Opportunity {
  /** 1 for the first UMKM of each UB. */
  rank: number;
  nibUb: string;
  namaUb: string | null;
  kecamatanUb: string | null;
  nibUmkm: string;
  namaUmkm: string | null;
  skalaUsaha: string;
  /** The UMKM KBLI of the best match (the first chain of the map that matches) and its title. */
  kbli: string;
  judulKbli: string | null;
  kbliUb: string;
  chain: SupplyChain;
  kdKecamatan: string | null;
  kecamatan: string | null;
  sekecamatan: boolean;
  jarakKm: number | null;
  kesiapan: ReadinessStatus | null;
  catatan: string | null;
  dicatatOleh: string | null;
  dicatatPada: Date | null;
  /** Why, in Indonesian: "KBLI 03111 … memasok 10213 …; 4,2 km; Kec. Sarang; siap bermitra (dicatat oleh …)". */
  alasan: string;
}

export const READINESS_LABELS: Readonly<Record<ReadinessStatus, string>> = {
  siap: 'siap bermitra',
  belum_siap: 'belum siap bermitra',
};

const RELATION_VERBS: Readonly<Record<Relation, string>> = {
  memasok: 'memasok',
  menjual_melalui: 'menjual produknya melalui',
};

const titled = (code: string, titles: Readonly<Record<string, string>>) =>
  titles[code] ? `${code} ${titles[code]}` : code;

/** The reason of one candidate, in Indonesian. */
function reasonOf(c: CandidateRow, map: SupplyChainMap, timeZone: string): string {
  // One phrase per UMKM KBLI and relation: "KBLI 03111 … memasok 10213 … dan 10214 …".
  const phrases = new Map<string, { umkm: string; verb: string; ub: string[] }>();
  for (const m of c.matches) {
    const chain = map.chains[m.chain];
    if (!chain) continue;
    const key = `${m.kbli_umkm} ${chain.hubungan}`;
    const phrase = phrases.get(key) ?? { umkm: m.kbli_umkm, verb: RELATION_VERBS[chain.hubungan], ub: [] };
    if (!phrase.ub.includes(m.kbli_ub)) phrase.ub.push(m.kbli_ub);
    phrases.set(key, phrase);
  }
  const what = [...phrases.values()]
    .map((p) => `KBLI ${titled(p.umkm, map.titles)} ${p.verb} ${p.ub.map((k) => titled(k, map.titles)).join(' dan ')}`)
    .join('; ');
  const distance = c.jarak_km === null ? 'jarak belum diketahui (tanpa koordinat)' : `${fmtDecimal(c.jarak_km, 1)} km`;
  const where = c.kecamatan
    ? `Kec. ${c.kecamatan}${c.sekecamatan ? ', sekecamatan dengan UB' : ''}`
    : c.sekecamatan
      ? 'sekecamatan dengan UB'
      : 'kecamatan belum diketahui';
  const ready = c.kesiapan
    ? `${READINESS_LABELS[c.kesiapan]} (dicatat oleh ${c.dicatat_oleh ?? '-'}, ${humanTime(c.dicatat_pada, timeZone)}${c.catatan ? `: ${c.catatan}` : ''})`
    : 'kesiapan belum dinilai';
  return [what, distance, where, ready].join('; ');
}

const byName = (a: string | null, b: string | null) => (a ?? '\uffff').localeCompare(b ?? '\uffff', 'id');

/**
 * The invitation list: per UB (by name), its candidates ranked — siap bermitra first, then nearest, unknown
 * distance last, then the same kecamatan first, then by name and NIB — each with its reason.
 */
export function rankOpportunities(
  candidates: readonly CandidateRow[],
  map: SupplyChainMap,
  opts: { timeZone: string; siapSaja?: boolean },
): Opportunity[] {
  const shown = opts.siapSaja ? candidates.filter((c) => c.kesiapan === 'siap') : candidates;
  const sorted = [...shown].sort(
    (a, b) =>
      byName(a.nama_ub, b.nama_ub) ||
      a.nib_ub.localeCompare(b.nib_ub) ||
      Number(b.kesiapan === 'siap') - Number(a.kesiapan === 'siap') ||
      (a.jarak_km ?? Number.POSITIVE_INFINITY) - (b.jarak_km ?? Number.POSITIVE_INFINITY) ||
      Number(b.sekecamatan) - Number(a.sekecamatan) ||
      byName(a.nama_umkm, b.nama_umkm) ||
      a.nib_umkm.localeCompare(b.nib_umkm),
  );
  const out: Opportunity[] = [];
  for (const c of sorted) {
    const best = c.matches[0];
    const chain = best ? map.chains[best.chain] : undefined;
    if (!best || !chain) continue;
    const previous = out.at(-1);
    const rank = previous?.nibUb === c.nib_ub ? previous.rank + 1 : 1;
    out.push({
      rank,
      nibUb: c.nib_ub,
      namaUb: c.nama_ub,
      kecamatanUb: c.kecamatan_ub,
      nibUmkm: c.nib_umkm,
      namaUmkm: c.nama_umkm,
      skalaUsaha: c.skala_usaha,
      kbli: best.kbli_umkm,
      judulKbli: map.titles[best.kbli_umkm] ?? null,
      kbliUb: best.kbli_ub,
      chain,
      kdKecamatan: c.kd_kecamatan,
      kecamatan: c.kecamatan,
      sekecamatan: c.sekecamatan,
      jarakKm: c.jarak_km,
      kesiapan: c.kesiapan,
      catatan: c.catatan,
      dicatatOleh: c.dicatat_oleh,
      dicatatPada: c.dicatat_pada,
      alasan: reasonOf(c, map, opts.timeZone),
    });
  }
  return out;
}

/** The readiness as a column shows it. */
export const readinessLabel = (s: ReadinessStatus | null): string =>
  s === 'siap' ? 'Siap bermitra' : s === 'belum_siap' ? 'Belum siap' : 'Belum dinilai';

export const skalaLabel = (code: string): string =>
  `${code} ${SKALA_USAHA[code as keyof typeof SKALA_USAHA] ?? ''}`.trim();

type Cell = string | number | Date | null;

interface Column {
  header: string;
  width: number;
  value: (o: Opportunity) => Cell;
}

/** The list's columns, the same in csv and xlsx. */
const COLUMNS: readonly Column[] = [
  { header: 'No', width: 5, value: (o) => o.rank },
  { header: 'UB', width: 30, value: (o) => o.namaUb ?? '' },
  { header: 'NIB UB', width: 15, value: (o) => o.nibUb },
  { header: 'UMKM', width: 30, value: (o) => o.namaUmkm ?? '' },
  { header: 'NIB', width: 15, value: (o) => o.nibUmkm },
  { header: 'Skala', width: 10, value: (o) => skalaLabel(o.skalaUsaha) },
  { header: 'KBLI', width: 8, value: (o) => o.kbli },
  { header: 'Judul KBLI', width: 34, value: (o) => o.judulKbli ?? '' },
  { header: 'Kecamatan', width: 14, value: (o) => o.kecamatan ?? '' },
  { header: 'Jarak (km)', width: 10, value: (o) => (o.jarakKm === null ? null : Math.round(o.jarakKm * 10) / 10) },
  { header: 'Alasan', width: 70, value: (o) => o.alasan },
  { header: 'Status Kesiapan', width: 15, value: (o) => readinessLabel(o.kesiapan) },
  { header: 'Catatan', width: 30, value: (o) => o.catatan ?? '' },
  { header: 'Dicatat Oleh', width: 18, value: (o) => o.dicatatOleh ?? '' },
  { header: 'Tanggal', width: 12, value: (o) => o.dicatatPada },
];

/** The header row of the csv and of the xlsx list sheet (Indonesian). */
export const MATCHMAKING_HEADERS: readonly string[] = COLUMNS.map((c) => c.header);

const calendarDay = (d: Date, timeZone: string) => localDateTime(d, timeZone).slice(0, 10);

/** The list as csv text (CRLF lines, no BOM); `;` writes decimals with a comma, as an Indonesian Excel reads them. */
export function matchmakingCsv(rows: readonly Opportunity[], timeZone: string, delimiter: ';' | ',' = ';'): string {
  const text = (v: Cell): string | number =>
    v === null
      ? ''
      : v instanceof Date
        ? calendarDay(v, timeZone)
        : typeof v === 'number' && delimiter === ';'
          ? String(v).replace('.', ',')
          : v;
  return [
    MATCHMAKING_HEADERS.map((h) => csvField(h, delimiter)).join(delimiter),
    ...rows.map((o) => COLUMNS.map((c) => csvField(text(c.value(o)), delimiter)).join(delimiter)),
  ].join('\r\n');
}

/** What the workbook's Keterangan sheet says about the list. */
export interface ListMeta {
  region: string;
  generatedAt: Date;
  timeZone: string;
  /** The UB filter (--ub), or null for every UB. */
  ub: string | null;
  siapSaja: boolean;
}

/**
 * The workbook the office sends to the ministry and to the large businesses: the list (A4 landscape, header on
 * every page), a Keterangan sheet (region, time, filters, how it is ranked) and the supply-chain map with its sources.
 */
export async function matchmakingWorkbook(
  rows: readonly Opportunity[],
  map: SupplyChainMap,
  meta: ListMeta,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'oss-sync';
  wb.created = meta.generatedAt;
  const ws = wb.addWorksheet('Peluang Kemitraan', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: 'Halaman &P dari &N' },
  });
  ws.columns = COLUMNS.map((c) => ({ header: c.header, key: c.header, width: c.width }));
  for (const o of rows) {
    ws.addRow(
      COLUMNS.map((c) => {
        const v = c.value(o);
        // The calendar day in the office's zone as a date cell (midnight UTC of that day: Excel shows that day).
        return v instanceof Date ? new Date(`${calendarDay(v, meta.timeZone)}T00:00:00Z`) : neutralizeFormula(v);
      }),
    );
  }
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: COLUMNS.length } };
  const col = (header: string) => ws.getColumn(MATCHMAKING_HEADERS.indexOf(header) + 1);
  for (const header of ['UB', 'UMKM', 'Judul KBLI', 'Alasan', 'Catatan'])
    col(header).alignment = { wrapText: true, vertical: 'top' };
  col('Jarak (km)').numFmt = '0.0';
  col('Tanggal').numFmt = 'dd/mm/yyyy';

  const about = wb.addWorksheet('Keterangan');
  about.columns = [
    { header: 'Keterangan', key: 'k', width: 26 },
    { header: 'Isi', key: 'v', width: 100 },
  ];
  const ubs = new Set(rows.map((o) => o.nibUb)).size;
  for (const [k, v] of [
    ['Wilayah', meta.region],
    ['Dibuat', humanTime(meta.generatedAt, meta.timeZone)],
    ['Usaha besar (UB)', meta.ub ?? 'semua UB dengan proyek di wilayah'],
    ['Kesiapan', meta.siapSaja ? 'hanya UMKM yang dicatat siap bermitra' : 'semua UMKM yang memenuhi syarat'],
    ['Jumlah baris', rows.length],
    ['Jumlah UB', ubs],
    [
      'Syarat UMKM',
      'NIB aktif (01, 03, 04), skala mikro atau kecil, berdomisili atau berproyek di wilayah, KBLI proyeknya cocok dengan KBLI UB menurut peta rantai pasok, belum bermitra dengan UB itu, tanpa temuan tingkat error yang masih terbuka, diperiksa atau terkonfirmasi',
    ],
    [
      'Urutan',
      'per UB: siap bermitra lebih dulu, lalu jarak terdekat antar lokasi proyek (jarak tidak diketahui di akhir), lalu yang sekecamatan',
    ],
    ['Peta rantai pasok', map.source],
  ] as const) {
    about.addRow({ k, v: neutralizeFormula(v) });
  }
  about.getRow(1).font = { bold: true };
  about.getColumn(2).alignment = { wrapText: true, vertical: 'top' };

  const chains = wb.addWorksheet('Rantai Pasok');
  chains.columns = [
    { header: 'Rantai Pasok', key: 'nama', width: 30 },
    { header: 'KBLI UB', key: 'ub', width: 30 },
    { header: 'Hubungan', key: 'rel', width: 22 },
    { header: 'KBLI UMKM', key: 'mitra', width: 30 },
    { header: 'Alasan', key: 'why', width: 60 },
    { header: 'Sumber', key: 'src', width: 70 },
  ];
  for (const c of map.chains) {
    chains.addRow({
      nama: neutralizeFormula(c.nama),
      ub: neutralizeFormula(c.ubKbli.map((k) => titled(k, map.titles)).join('\n')),
      rel: RELATION_VERBS[c.hubungan],
      mitra: neutralizeFormula(c.mitraKbli.map((k) => titled(k, map.titles)).join('\n')),
      why: neutralizeFormula(c.why),
      src: neutralizeFormula(c.sources.join('\n')),
    });
  }
  chains.getRow(1).font = { bold: true };
  for (const key of ['nama', 'ub', 'mitra', 'why', 'src']) {
    chains.getColumn(key).alignment = { wrapText: true, vertical: 'top' };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
