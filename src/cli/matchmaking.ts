/*
 * `oss-sync matchmaking …`: Peluang kemitraan, the invitation list for the next matchmaking forum.
 *   matchmaking [--ub NIB] [--format table|csv|xlsx] [--output FILE] [--siap-saja] [--delimiter ;|,]
 *       per large business (UB) with a project in the region, the local UMKM that could supply it or sell through
 *       it and are not its partners yet, ranked (siap bermitra first, then distance, then kecamatan), with reasons;
 *       xlsx (the file the office sends to the ministry and the UBs) goes to --output or peluang-kemitraan-….xlsx
 *   matchmaking mark NIB --siap|--belum-siap [--note TEXT] --by NAME
 *       the office's judgement of a UMKM, with who marked it (the console passes its signed-in user)
 * The supply-chain map is config/supply-chains.json. Exit 0 ok; 2 the request cannot be done as asked (bad flags,
 * unknown NIB, an invalid map), with a message saying why; 1 failure. Verifiers read this: Indonesian messages,
 * id-ID numbers, times in TZ (WIB by default).
 */
import { writeFile } from 'node:fs/promises';
import { fittedTable, fmtDecimal, fmtId } from '../domain/format.js';
import { humanTime, localDateTime } from '../domain/wib.js';
import { ConfigError } from '../errors.js';
import {
  chainPairs,
  loadSupplyChainMap,
  matchmakingCsv,
  matchmakingWorkbook,
  type Opportunity,
  READINESS_LABELS,
  rankOpportunities,
  readinessLabel,
  skalaLabel,
} from '../report/matchmaking.js';
import type { Runtime } from '../runtime.js';
import {
  ACTIVE_STATUS_NIB,
  businessForReadiness,
  CANDIDATE_SKALA,
  markReadiness,
  matchmakingCandidates,
  type ReadinessStatus,
  regionLargeBusinesses,
} from '../store/matchmaking.js';
import { loadRuleReference } from '../verification/config.js';
import { type Invocation, parseCommandLine } from './program.js';
import { optionalString, UsageError } from './usage.js';

/** What the command needs of the runtime. */
export type MatchmakingRuntime = Pick<Runtime, 'db' | 'config' | 'log'>;

/** Where the command writes: the process's streams, or a caller's buffers. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

const STDIO: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

const NIB = /^\d{13}$/;

/**
 * `oss-sync matchmaking …`; returns the exit code. Takes the parsed command line, or the words after `matchmaking`
 * (parsed here with the same command tree).
 */
export async function matchmakingCommand(
  rt: MatchmakingRuntime,
  command: Invocation | readonly string[],
  io: Io = STDIO,
): Promise<number> {
  let inv: Invocation;
  if (Array.isArray(command)) {
    const parsed = parseCommandLine(['matchmaking', ...(command as readonly string[])], io);
    if ('exit' in parsed) return parsed.exit;
    inv = parsed;
  } else inv = command as Invocation;
  try {
    if (inv.path === 'matchmaking') return await listCommand(rt, inv, io);
    if (inv.path === 'matchmaking mark') return await markCommand(rt, inv, io);
    throw new UsageError(`perintah tidak dikenal "${inv.path}" (lihat oss-sync matchmaking --help)`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`oss-sync matchmaking: galat: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr(
        `oss-sync matchmaking: galat: peta rantai pasok tidak sah, perbaiki lalu ulangi:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`,
      );
      return 2;
    }
    rt.log.error({ err }, 'matchmaking command failed');
    io.stderr(`oss-sync matchmaking: galat: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

/** "Kabupaten Rembang (3317)". */
function regionName(kd: string): string {
  const name = loadRuleReference().regionNames[kd];
  return name ? `${name} (${kd})` : `wilayah ${kd}`;
}

/** The width tables fit: the terminal's, or unlimited off a terminal (a file or a pager gets every reason whole). */
const columns = () =>
  process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : Number.POSITIVE_INFINITY;

async function listCommand(rt: MatchmakingRuntime, inv: Invocation, io: Io): Promise<number> {
  const format = typeof inv.opts.format === 'string' ? inv.opts.format : 'table';
  const ub = optionalString(inv.opts.ub);
  if (ub !== null && !NIB.test(ub)) throw new UsageError(`--ub harus NIB 13 digit, bukan "${ub}"`);
  const siapSaja = inv.opts.siapSaja === true;
  const kdDaerah = rt.config.oss.kdDaerah;
  const tz = rt.config.sync.timezone;
  const map = loadSupplyChainMap();
  const region = regionName(kdDaerah);
  if (ub !== null && (await regionLargeBusinesses(rt.db, { kdDaerah, nibUb: ub })).length === 0) {
    throw new UsageError(
      `NIB ${ub} bukan usaha besar dengan proyek di ${region} (skala 04 Besar atau pihak UB pada kemitraan, dengan lokasi proyek di wilayah); lihat daftarnya tanpa --ub`,
    );
  }
  const candidates = await matchmakingCandidates(rt.db, { kdDaerah, pairs: chainPairs(map), nibUb: ub });
  const rows = rankOpportunities(candidates, map, { timeZone: tz, siapSaja });
  const now = new Date();
  const output = optionalString(inv.opts.output);
  const ubCount = new Set(rows.map((o) => o.nibUb)).size;
  const written = (file: string) =>
    io.stderr(`${fmtId(rows.length)} UMKM untuk ${fmtId(ubCount)} usaha besar ditulis ke ${file}\n`);

  if (format === 'xlsx') {
    const file =
      output ?? `peluang-kemitraan-${kdDaerah}-${localDateTime(now, tz).slice(0, 10).replace(/-/g, '')}.xlsx`;
    await writeFile(
      file,
      await matchmakingWorkbook(rows, map, { region, generatedAt: now, timeZone: tz, ub, siapSaja }),
    );
    written(file);
    return 0;
  }
  if (format === 'csv') {
    const text = matchmakingCsv(rows, tz, inv.opts.delimiter === ',' ? ',' : ';');
    if (output === null) {
      io.stdout(`${text}\r\n`);
      return 0;
    }
    // A BOM, so Excel opens the file as UTF-8.
    await writeFile(output, `\uFEFF${text}\r\n`);
    written(output);
    return 0;
  }
  const text = listText(rows, { region, ub, siapSaja, width: output === null ? columns() : Number.POSITIVE_INFINITY });
  if (output === null) {
    io.stdout(text);
    return 0;
  }
  await writeFile(output, text);
  written(output);
  return 0;
}

/** The list as a person reads it at a terminal: one table per UB. */
function listText(
  rows: readonly Opportunity[],
  opts: { region: string; ub: string | null; siapSaja: boolean; width: number },
): string {
  const scope = `${opts.siapSaja ? 'UMKM siap bermitra' : 'UMKM'}${opts.ub ? ` untuk UB ${opts.ub}` : ''}`;
  if (rows.length === 0) {
    return `Tidak ada ${scope} di ${opts.region} yang memenuhi syarat peluang kemitraan.\n`;
  }
  const byUb = new Map<string, Opportunity[]>();
  for (const o of rows) byUb.set(o.nibUb, [...(byUb.get(o.nibUb) ?? []), o]);
  const out = [
    `Peluang kemitraan, ${opts.region}: ${fmtId(rows.length)} ${scope} untuk ${fmtId(byUb.size)} usaha besar`,
    'Urutan per UB: siap bermitra dulu, lalu jarak terdekat (jarak tidak diketahui di akhir), lalu yang sekecamatan.',
  ];
  for (const list of byUb.values()) {
    const first = list[0] as Opportunity;
    out.push(
      '',
      `${first.namaUb ?? '(tanpa nama)'} · NIB ${first.nibUb}${first.kecamatanUb ? ` · Kec. ${first.kecamatanUb}` : ''}: ${fmtId(list.length)} UMKM`,
      fittedTable(
        ['no', 'UMKM', 'NIB', 'skala', 'KBLI', 'kecamatan', 'jarak', 'kesiapan', 'alasan'],
        list.map((o) => [
          o.rank,
          o.namaUmkm,
          o.nibUmkm,
          skalaLabel(o.skalaUsaha),
          o.kbli,
          o.kecamatan,
          o.jarakKm === null ? '-' : `${fmtDecimal(o.jarakKm, 1)} km`,
          readinessLabel(o.kesiapan),
          o.alasan,
        ]),
        opts.width,
        8,
        fmtId,
      ),
    );
  }
  out.push(
    '',
    'Catat kesiapan: oss-sync matchmaking mark NIB --siap|--belum-siap --by NAMA [--note "…"]',
    'Daftar untuk kementerian dan UB: oss-sync matchmaking --siap-saja --format xlsx --output FILE',
  );
  return `${out.join('\n')}\n`;
}

async function markCommand(rt: MatchmakingRuntime, inv: Invocation, io: Io): Promise<number> {
  const nib = String(inv.args[0] ?? '').trim();
  if (!NIB.test(nib)) throw new UsageError(`"${nib}" bukan NIB (13 digit)`);
  const siap = inv.opts.siap === true;
  const belumSiap = inv.opts.belumSiap === true;
  if (siap === belumSiap) {
    throw new UsageError(
      siap ? 'pilih salah satu: --siap atau --belum-siap, bukan keduanya' : 'mark perlu --siap atau --belum-siap',
    );
  }
  const by = optionalString(inv.opts.by);
  if (by === null) throw new UsageError('mark perlu --by NAMA: petugas yang mencatat');
  const note = optionalString(inv.opts.note);
  const business = await businessForReadiness(rt.db, nib);
  if (!business) throw new UsageError(`NIB ${nib} tidak ada di data tersinkron (pelaku usaha)`);
  const status: ReadinessStatus = siap ? 'siap' : 'belum_siap';
  const { previous, current } = await markReadiness(rt.db, { nib, status, note, by });
  const tz = rt.config.sync.timezone;
  const lines = [
    `UMKM ${nib} (${business.nama ?? 'tanpa nama'}) dicatat ${READINESS_LABELS[status]} oleh ${by}, ${humanTime(current.marked_at, tz)}${note ? `: "${note}"` : ''}${previous ? ` (sebelumnya: ${READINESS_LABELS[previous.status]}, dicatat oleh ${previous.marked_by})` : ''}.`,
  ];
  // The judgement is kept either way; say when the UMKM cannot appear in the list as its data stands now.
  if (!(CANDIDATE_SKALA as readonly string[]).includes(business.skala_usaha ?? '')) {
    lines.push(
      `Catatan: skala usahanya ${business.skala_usaha ? skalaLabel(business.skala_usaha) : 'tidak diketahui'}; daftar peluang hanya memuat 01 Mikro dan 02 Kecil.`,
    );
  }
  if (!(ACTIVE_STATUS_NIB as readonly string[]).includes(business.status_nib ?? '')) {
    lines.push(
      `Catatan: status NIB-nya ${business.status_nib ?? 'tidak diketahui'}; daftar peluang hanya memuat NIB aktif (01, 03, 04).`,
    );
  }
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
