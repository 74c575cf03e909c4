/*
 * Peluang kemitraan (matchmaking) in the console: per large business (UB) of the region, the local UMKM that could
 * supply it or sell through it and are not its partners yet, ranked as `oss-sync matchmaking` ranks them (the same
 * store query and ranking, composed as src/cli/matchmaking.ts composes them), with the reason for each match; the
 * office's readiness markings (verifiers mark "siap bermitra" / "belum siap" under their signed-in name, with a note
 * and the history of each UMKM's markings); the invitation list as the CLI's xlsx (or csv) for the same filters; and
 * the supply-chain map the candidates come from.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SKALA_USAHA, STATUS_NIB } from '../../domain/codes.js';
import { fmtDecimal, fmtId } from '../../domain/format.js';
import { localDateTime } from '../../domain/wib.js';
import { ConfigError } from '../../errors.js';
import {
  chainPairs,
  loadSupplyChainMap,
  matchmakingCsv,
  matchmakingWorkbook,
  type Opportunity,
  READINESS_LABELS,
  rankOpportunities,
  readinessLabel,
  type SupplyChainMap,
  skalaLabel,
} from '../../report/matchmaking.js';
import {
  ACTIVE_STATUS_NIB,
  businessForReadiness,
  CANDIDATE_SKALA,
  type CandidateRow,
  markReadiness,
  matchmakingCandidates,
  READINESS_STATUSES,
  type ReadinessEventRow,
  type ReadinessStatus,
  readinessEventsOf,
  regionLargeBusinesses,
} from '../../store/matchmaking.js';
import { listUsers } from '../../store/users.js';
import { loadRuleReference } from '../../verification/config.js';
import { dataTable, pageNumber, pager, selectField, timeText, withQuery } from '../components.js';
import { actorOf, audit, type ConsoleDeps, csrfField, redirect, requireRole, sendPage, setFlash } from '../context.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';
import { nibLink } from '../present.js';
import { roleAllows } from '../session.js';
import { ignoredNote, readQuery } from './partnerships.js';

/** Rows per page, over the whole list (a UB's rows may continue on the next page). */
export const PAGE_SIZE = 50;
const NOTE_MAX = 2000;
const LIST_PATH = '/peluang-kemitraan';

const NIB = /^\d{13}$/;

const LIST_QUERY = {
  ub: z.string().regex(NIB),
  siap: z.literal('1'),
  halaman: z.string().regex(/^\d{1,7}$/),
};
const LIST_LABELS: Readonly<Record<string, string>> = {
  ub: 'usaha besar (UB)',
  siap: 'hanya yang siap',
  halaman: 'halaman',
};

/** "Kabupaten Rembang (3317)": the region as the CLI names it (the xlsx's Keterangan sheet says the same). */
function regionLabel(kd: string): string {
  const name = loadRuleReference().regionNames[kd];
  return name ? `${name} (${kd})` : `wilayah ${kd}`;
}

/** The CLI's default file name: peluang-kemitraan-3317-20261120.xlsx (the office's calendar day). */
function exportName(kdDaerah: string, now: Date, tz: string, ext: 'xlsx' | 'csv'): string {
  return `peluang-kemitraan-${kdDaerah}-${localDateTime(now, tz).slice(0, 10).replace(/-/g, '')}.${ext}`;
}

/** The list URL for a filter (empty values left out). */
const listUrl = (p: { ub: string | null; siap: boolean; halaman?: number | null }) =>
  withQuery(LIST_PATH, { ub: p.ub, siap: p.siap ? '1' : null, halaman: p.halaman && p.halaman > 1 ? p.halaman : null });

/** Only a list URL of this page: the marking form returns there with its filters. */
function safeListUrl(v: unknown): string {
  return typeof v === 'string' && /^\/peluang-kemitraan(\?[^#\s]*)?$/.test(v) ? v : LIST_PATH;
}

const first = (v: unknown): string => {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim() : '';
};

const byName = (a: string | null, b: string | null) => (a ?? '\uffff').localeCompare(b ?? '\uffff', 'id');

const kmText = (km: number | null) => (km === null ? '-' : `${fmtDecimal(km, 1)} km`);

/** The readiness as a badge: siap bermitra, belum siap, belum dinilai. */
function readinessBadge(s: ReadinessStatus | null): SafeHtml {
  // Green ready, yellow not yet, grey not judged (console.css .kesiapan-*).
  return html`<span class="badge kesiapan-${s ?? 'belum_dinilai'}">${readinessLabel(s)}</span>`;
}

/** Who marked: the console user's full name with the user name, or the name the CLI's --by recorded. */
type WhoText = (name: string | null) => string;

/** The supply-chain map, or the page that says what is wrong with it (the office edits the file). */
function loadMap(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ConsoleDeps,
): { map: SupplyChainMap } | { sent: FastifyReply } {
  try {
    return { map: loadSupplyChainMap() };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      sent: sendPage(req, reply, deps, {
        title: 'Peta rantai pasok tidak sah',
        active: 'peluang',
        status: 500,
        body: html`<p>Daftar peluang kemitraan tidak dapat disusun: berkas peta rantai pasok
          (<code>config/supply-chains.json</code>) tidak sah. Petugas TI perlu memperbaikinya:</p>
          <ul>${err.problems.map((p) => html`<li>${p}</li>`)}</ul>`,
      }),
    };
  }
}

interface ListFilter {
  ub: string | null;
  siap: boolean;
}

/** The ranked list for a filter, exactly as `oss-sync matchmaking [--ub NIB] [--siap-saja]` composes it. */
async function rankedList(
  deps: ConsoleDeps,
  map: SupplyChainMap,
  f: ListFilter,
): Promise<{ candidates: CandidateRow[]; rows: Opportunity[] }> {
  const candidates = await matchmakingCandidates(deps.db, {
    kdDaerah: deps.config.oss.kdDaerah,
    pairs: chainPairs(map),
    nibUb: f.ub,
  });
  const rows = rankOpportunities(candidates, map, { timeZone: deps.config.sync.timezone, siapSaja: f.siap });
  return { candidates, rows };
}

// ---------------------------------------------------------------------------------------------------------------

export async function matchmakingPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const tz = deps.config.sync.timezone;
  const kdDaerah = deps.config.oss.kdDaerah;

  app.get(LIST_PATH, { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const loaded = loadMap(req, reply, deps);
    if ('sent' in loaded) return loaded.sent;
    const { map } = loaded;
    const { values: v, ignored } = readQuery(LIST_QUERY, req.query);
    const ubs = (await regionLargeBusinesses(deps.db, { kdDaerah })).sort(
      (a, b) => byName(a.nama, b.nama) || a.nib.localeCompare(b.nib),
    );
    const problems: string[] = [];
    let ub = v.ub;
    if (ub !== null && !ubs.some((u) => u.nib === ub)) {
      problems.push(
        `NIB ${ub} bukan usaha besar dengan proyek di ${regionLabel(kdDaerah)}; yang ditampilkan semua usaha besar.`,
      );
      ub = null;
    }
    const filter: ListFilter = { ub, siap: v.siap === '1' };
    const { candidates, rows } = await rankedList(deps, map, filter);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const page = pageNumber(v.halaman, pages);
    const shown = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const canMark = roleAllows(req.viewer!.user.role, 'verifier');
    const [events, users] = await Promise.all([
      readinessEventsOf(
        deps.db,
        shown.filter((o) => o.kesiapan !== null).map((o) => o.nibUmkm),
      ),
      listUsers(deps.db),
    ]);
    const people = new Map(users.map((u) => [u.username, u]));
    const who: WhoText = (name) => {
      if (name === null) return '-';
      const u = people.get(name);
      return u?.fullName ? `${u.fullName} (${u.username})` : name;
    };
    const here = listUrl({ ...filter, halaman: page });

    const ubOptions = ubs.map((u) => ({ value: u.nib, label: `${u.nama ?? '(tanpa nama)'} · ${u.nib}` }));
    const filters = html`<form class="filters" method="get" action="${LIST_PATH}" role="search" aria-label="Saring peluang kemitraan">
${selectField({ name: 'ub', label: 'Usaha besar (UB)', options: ubOptions, selected: filter.ub, any: 'Semua usaha besar' })}
<label class="field check"><input type="checkbox" name="siap" value="1"${filter.siap ? html` checked` : ''}><span>Hanya yang siap bermitra</span></label>
<div class="actions"><button type="submit">Terapkan</button><a class="button secondary" href="${LIST_PATH}">Atur ulang</a></div>
</form>`;

    const siapNibs = new Set(candidates.filter((c) => c.kesiapan === 'siap').map((c) => c.nib_umkm));
    const tiles = html`<div class="tiles">
<div class="tile"><div class="value">${fmtId(filter.ub ? 1 : ubs.length)}</div><div class="label">Usaha besar di wilayah${filter.ub ? ' (dipilih)' : ''}</div></div>
<div class="tile"><div class="value">${fmtId(candidates.length)}</div><div class="label">Peluang (pasangan UB–UMKM)</div></div>
<div class="tile"><div class="value">${fmtId(new Set(candidates.map((c) => c.nib_umkm)).size)}</div><div class="label">UMKM kandidat</div></div>
<div class="tile"><div class="value">${fmtId(siapNibs.size)}</div><div class="label">UMKM siap bermitra</div></div>
</div>`;

    const downloads = html`<p class="actions">
<a class="button secondary" href="${withQuery(`${LIST_PATH}/undangan.xlsx`, { ub: filter.ub, siap: filter.siap ? '1' : null })}">Unduh xlsx (daftar undangan)</a>
<a class="button secondary" href="${withQuery(`${LIST_PATH}/undangan.csv`, { ub: filter.ub, siap: filter.siap ? '1' : null })}">Unduh csv</a>
${filter.siap ? '' : html`<a class="button secondary" href="${withQuery(`${LIST_PATH}/undangan.xlsx`, { ub: filter.ub, siap: '1' })}">Unduh xlsx yang siap bermitra saja</a>`}
</p>
<p class="hint">Berkas xlsx sama dengan <code>oss-sync matchmaking${filter.siap ? ' --siap-saja' : ''}${filter.ub ? ` --ub ${filter.ub}` : ''} --format xlsx</code>: daftar, keterangan dan peta rantai pasok, untuk kementerian dan usaha besar.</p>`;

    const body = html`${explanation(kdDaerah)}
${filters}
${tiles}
${downloads}
${filter.ub ? '' : ubSummary(ubs, candidates, filter)}
<section aria-labelledby="daftar-umkm">
<h2 id="daftar-umkm">${filter.siap ? 'UMKM siap bermitra' : 'UMKM kandidat'} per usaha besar</h2>
${
  rows.length === 0
    ? html`<p class="empty">Tidak ada ${filter.siap ? 'UMKM siap bermitra' : 'UMKM'}${filter.ub ? ' untuk usaha besar ini' : ''} di ${regionLabel(kdDaerah)} yang memenuhi syarat peluang kemitraan.</p>`
    : groups(shown, rows).map((g) =>
        ubGroup(g, { tz, who, events, canMark, reply, back: here, total: g.total, siap: filter.siap }),
      )
}
${pager({ path: LIST_PATH, params: { ub: filter.ub, siap: filter.siap ? '1' : null }, page, pageSize: PAGE_SIZE, total: rows.length, shown: shown.length })}
</section>`;

    const ignoredText = ignoredNote(ignored, LIST_LABELS)?.text;
    const notes = ignoredText ? [...problems, ignoredText] : problems;
    return sendPage(req, reply, deps, {
      title: 'Peluang kemitraan',
      active: 'peluang',
      body,
      ...(notes.length
        ? { flash: { kind: problems.length ? ('error' as const) : ('info' as const), text: notes.join(' ') } }
        : {}),
    });
  });

  app.post(`${LIST_PATH}/kesiapan`, { preHandler: requireRole(deps, 'verifier') }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const back = safeListUrl(first(body.kembali));
    const nib = first(body.nib);
    const status = first(body.status);
    const note = first(body.catatan).slice(0, NOTE_MAX) || null;
    if (!NIB.test(nib)) {
      setFlash(reply, 'error', `"${nib.slice(0, 40)}" bukan NIB (13 digit); tidak ada yang dicatat.`);
      return redirect(reply, back);
    }
    if (!(READINESS_STATUSES as readonly string[]).includes(status)) {
      setFlash(reply, 'error', 'Pilih "Siap bermitra" atau "Belum siap"; tidak ada yang dicatat.');
      return redirect(reply, back);
    }
    const business = await businessForReadiness(deps.db, nib);
    if (!business) {
      setFlash(reply, 'error', `NIB ${nib} tidak ada di data tersinkron (pelaku usaha); tidak ada yang dicatat.`);
      return redirect(reply, back);
    }
    const by = actorOf(req);
    const to = status as ReadinessStatus;
    const { previous } = await markReadiness(deps.db, { nib, status: to, note, by });
    await audit(deps, req, 'matchmaking.mark', nib, { status: to });
    const lines = [
      `UMKM ${business.nama ?? 'tanpa nama'} (NIB ${nib}) dicatat ${READINESS_LABELS[to]} oleh ${by}${
        previous ? ` (sebelumnya: ${READINESS_LABELS[previous.status]}, dicatat oleh ${previous.marked_by})` : ''
      }.`,
    ];
    // The judgement is kept either way; say when the UMKM cannot appear in the list as its data stands now.
    if (!(CANDIDATE_SKALA as readonly string[]).includes(business.skala_usaha ?? '')) {
      lines.push(
        `Skala usahanya ${business.skala_usaha ? skalaLabel(business.skala_usaha) : 'tidak diketahui'}: daftar peluang hanya memuat 01 Mikro dan 02 Kecil.`,
      );
    }
    if (!(ACTIVE_STATUS_NIB as readonly string[]).includes(business.status_nib ?? '')) {
      lines.push(
        `Status NIB-nya ${business.status_nib ?? 'tidak diketahui'}: daftar peluang hanya memuat NIB aktif (01, 03, 04).`,
      );
    }
    setFlash(reply, lines.length > 1 ? 'info' : 'ok', lines.join(' '));
    return redirect(reply, back);
  });

  const download = (ext: 'xlsx' | 'csv') => async (req: FastifyRequest, reply: FastifyReply) => {
    const loaded = loadMap(req, reply, deps);
    if ('sent' in loaded) return loaded.sent;
    const { map } = loaded;
    const { values: v } = readQuery(LIST_QUERY, req.query);
    const rawUb = first((req.query as Record<string, unknown>).ub);
    const ub = v.ub;
    if (rawUb !== '' && (ub === null || (await regionLargeBusinesses(deps.db, { kdDaerah, nibUb: ub })).length === 0)) {
      return sendPage(req, reply, deps, {
        title: 'Usaha besar tidak ditemukan',
        active: 'peluang',
        status: 404,
        body: html`<p>NIB <strong>${rawUb.slice(0, 40)}</strong> bukan usaha besar dengan proyek di ${regionLabel(kdDaerah)}
          (skala 04 Besar atau pihak UB pada kemitraan, dengan lokasi proyek di wilayah).</p>
          <p><a href="${LIST_PATH}">Kembali ke Peluang kemitraan</a></p>`,
      });
    }
    const siap = v.siap === '1';
    const { rows } = await rankedList(deps, map, { ub, siap });
    const now = deps.now();
    const name = exportName(kdDaerah, now, tz, ext);
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (ext === 'csv') {
      // A BOM, so Excel opens the file as UTF-8 (as the CLI writes a csv file).
      return reply.type('text/csv; charset=utf-8').send(`\uFEFF${matchmakingCsv(rows, tz, ';')}\r\n`);
    }
    const workbook = await matchmakingWorkbook(rows, map, {
      region: regionLabel(kdDaerah),
      generatedAt: now,
      timeZone: tz,
      ub,
      siapSaja: siap,
    });
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(workbook);
  };
  app.get(`${LIST_PATH}/undangan.xlsx`, { preHandler: requireRole(deps, 'viewer') }, download('xlsx'));
  app.get(`${LIST_PATH}/undangan.csv`, { preHandler: requireRole(deps, 'viewer') }, download('csv'));

  app.get(`${LIST_PATH}/rantai-pasok`, { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const loaded = loadMap(req, reply, deps);
    if ('sent' in loaded) return loaded.sent;
    return sendPage(req, reply, deps, {
      title: 'Peta rantai pasok',
      active: 'peluang',
      body: chainMapBody(loaded.map),
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Parts of the page.

/** How candidates are chosen and ranked, in the office's words. */
function explanation(kdDaerah: string): SafeHtml {
  const codes = (list: readonly string[], table: Readonly<Record<string, string>>) =>
    list.map((c) => `${c} ${table[c] ?? ''}`.trim()).join(', ');
  return html`<details class="card" id="cara-memilih">
<summary><strong>Cara kandidat dipilih dan diurutkan</strong></summary>
<p>Usaha besar (UB): pelaku usaha skala 04 Besar atau pihak UB pada kemitraan, dengan lokasi proyek di
${regionLabel(kdDaerah)}. UMKM kandidat untuk sebuah UB memenuhi semua syarat ini:</p>
<ul>
<li>NIB aktif (${codes(ACTIVE_STATUS_NIB, STATUS_NIB)});</li>
<li>skala ${codes(CANDIDATE_SKALA, SKALA_USAHA)};</li>
<li>berdomisili di wilayah atau punya lokasi proyek di wilayah;</li>
<li>KBLI salah satu proyeknya cocok dengan KBLI UB (proyek UB atau KBLI UB pada kemitraannya) menurut
<a href="${LIST_PATH}/rantai-pasok">peta rantai pasok</a>: UMKM memasok UB, atau menjual produknya melalui UB;</li>
<li>belum bermitra dengan UB itu (kemitraan yang sudah ditarik dari OSS tidak dihitung);</li>
<li>tidak punya temuan tingkat error yang masih terbuka, sedang diperiksa atau terkonfirmasi pada NIB, proyek atau izinnya.</li>
</ul>
<p>Urutan per UB: yang dicatat <strong>siap bermitra</strong> lebih dulu, lalu jarak terdekat antara lokasi proyek
keduanya (garis lurus; tanpa koordinat di akhir), lalu yang sekecamatan dengan UB, lalu nama. Kesiapan dicatat
per UMKM oleh petugas kantor dan berlaku untuk setiap UB. Daftar yang sama: <code>oss-sync matchmaking</code>.</p>
</details>`;
}

/** The UBs of the region with their candidates: a line each, linking to its own list. */
function ubSummary(
  ubs: ReadonlyArray<{ nib: string; nama: string | null }>,
  candidates: readonly CandidateRow[],
  filter: ListFilter,
): SafeHtml {
  const count = new Map<string, { all: number; siap: number; kecamatan: string | null }>();
  for (const c of candidates) {
    const n = count.get(c.nib_ub) ?? { all: 0, siap: 0, kecamatan: c.kecamatan_ub };
    n.all++;
    if (c.kesiapan === 'siap') n.siap++;
    count.set(c.nib_ub, n);
  }
  return html`<section aria-labelledby="usaha-besar">
<h2 id="usaha-besar">Usaha besar di wilayah</h2>
${dataTable({
  columns: [
    { label: 'Usaha besar (UB)' },
    { label: 'NIB' },
    { label: 'Kecamatan' },
    { label: 'UMKM kandidat', numeric: true },
    { label: 'Siap bermitra', numeric: true },
  ],
  rows: ubs.map((u) => {
    const n = count.get(u.nib);
    return [
      html`<a href="${listUrl({ ub: u.nib, siap: filter.siap })}">${u.nama ?? '(tanpa nama)'}</a>`,
      nibLink(u.nib),
      n?.kecamatan ?? '-',
      fmtId(n?.all ?? 0),
      fmtId(n?.siap ?? 0),
    ];
  }),
  empty: 'Tidak ada usaha besar dengan lokasi proyek di wilayah.',
})}
</section>`;
}

interface Group {
  rows: Opportunity[];
  /** How many rows this UB has in the whole (filtered) list. */
  total: number;
}

/** The rows of a page, split by UB (the list is already in UB order). */
function groups(shown: readonly Opportunity[], all: readonly Opportunity[]): Group[] {
  const totals = new Map<string, number>();
  for (const o of all) totals.set(o.nibUb, (totals.get(o.nibUb) ?? 0) + 1);
  const out: Group[] = [];
  for (const o of shown) {
    const last = out.at(-1);
    if (last && last.rows[0]!.nibUb === o.nibUb) last.rows.push(o);
    else out.push({ rows: [o], total: totals.get(o.nibUb) ?? 0 });
  }
  return out;
}

interface GroupContext {
  tz: string;
  who: WhoText;
  events: ReadonlyMap<string, readonly ReadinessEventRow[]>;
  canMark: boolean;
  reply: FastifyReply;
  back: string;
  total: number;
  siap: boolean;
}

/** One UB's rows on this page: a heading, then its UMKM. */
function ubGroup(g: Group, ctx: GroupContext): SafeHtml {
  const head = g.rows[0]!;
  const firstRank = head.rank;
  const lastRank = g.rows.at(-1)!.rank;
  const range =
    firstRank === 1 && lastRank === g.total
      ? `${fmtId(g.total)} UMKM`
      : `UMKM ${fmtId(firstRank)}–${fmtId(lastRank)} dari ${fmtId(g.total)}`;
  const columns = [
    { label: 'No', numeric: true },
    { label: 'UMKM' },
    { label: 'KBLI' },
    { label: 'Kecamatan' },
    { label: 'Jarak', numeric: true },
    { label: 'Alasan' },
    { label: 'Kesiapan' },
    ...(ctx.canMark ? [{ label: 'Catat kesiapan' }] : []),
  ];
  const rows = g.rows.map((o) => [
    fmtId(o.rank),
    html`<strong>${o.namaUmkm ?? '(tanpa nama)'}</strong><br>NIB ${nibLink(o.nibUmkm)}<br><span class="hint">${skalaLabel(o.skalaUsaha)}</span>`,
    html`${o.kbli}${o.judulKbli ? html`<br><span class="hint">${o.judulKbli}</span>` : ''}`,
    o.kecamatan ?? '-',
    kmText(o.jarakKm),
    html`<span class="hint">${o.alasan}</span>`,
    readinessCell(o, ctx),
    ...(ctx.canMark ? [markForm(o, ctx)] : []),
  ]);
  return html`<section class="ub-group" aria-labelledby="ub-${head.nibUb}">
<h3 id="ub-${head.nibUb}">${head.namaUb ?? '(tanpa nama)'}</h3>
<p class="hint">NIB ${nibLink(head.nibUb)}${head.kecamatanUb ? ` · Kec. ${head.kecamatanUb}` : ''} · ${range}${ctx.siap ? ' siap bermitra' : ''}</p>
${dataTable({ columns, rows })}
</section>`;
}

const EVENT_TEXT = (e: ReadinessEventRow) =>
  e.from_status === null
    ? readinessLabel(e.to_status)
    : e.from_status === e.to_status
      ? `${readinessLabel(e.to_status)} (dicatat ulang)`
      : `${readinessLabel(e.from_status)} → ${readinessLabel(e.to_status)}`;

/** The badge, who marked it and when, the note, and the history of markings on demand. */
function readinessCell(o: Opportunity, ctx: GroupContext): HtmlValue {
  if (o.kesiapan === null) return readinessBadge(null);
  const history = ctx.events.get(o.nibUmkm) ?? [];
  return html`${readinessBadge(o.kesiapan)}
<br><span class="hint">oleh ${ctx.who(o.dicatatOleh)}, ${timeText(o.dicatatPada, ctx.tz)}</span>
${o.catatan ? html`<br>“${o.catatan}”` : ''}
${
  history.length > 0
    ? html`<details class="riwayat"><summary>Riwayat pencatatan (${fmtId(history.length)})</summary>
<ol>${history.map(
        (e) =>
          html`<li>${EVENT_TEXT(e)} · ${ctx.who(e.marked_by)} · ${timeText(e.marked_at, ctx.tz)}${e.note ? html` · “${e.note}”` : ''}</li>`,
      )}</ol></details>`
    : ''
}`;
}

/** A verifier's marking form for one UMKM: a note and the two judgements (full width on a phone). */
function markForm(o: Opportunity, ctx: GroupContext): SafeHtml {
  return html`<details class="tandai"><summary class="button secondary">Catat kesiapan</summary>
<form method="post" action="${LIST_PATH}/kesiapan">
${csrfField(ctx.reply)}
<input type="hidden" name="nib" value="${o.nibUmkm}">
<input type="hidden" name="kembali" value="${ctx.back}">
<label class="field"><span>Catatan untuk ${o.namaUmkm ?? o.nibUmkm} (boleh kosong)</span><textarea name="catatan" rows="2" maxlength="${String(NOTE_MAX)}"></textarea></label>
<div class="grid">
<button type="submit" name="status" value="siap">Siap bermitra</button>
<button type="submit" name="status" value="belum_siap" class="secondary">Belum siap</button>
</div>
</form>
</details>`;
}

const RELATION_LABELS: Readonly<Record<string, string>> = {
  memasok: 'UMKM memasok UB',
  menjual_melalui: 'UMKM menjual produknya melalui UB',
};

/** The supply-chain map as the office reads it: one row per chain, with why and its sources. */
function chainMapBody(map: SupplyChainMap): SafeHtml {
  const titled = (code: string) =>
    map.titles[code] ? `${code} ${map.titles[code]}` : `${code} (awalan: semua ${code}…)`;
  const list = (codes: readonly string[]) => html`<ul>${codes.map((c) => html`<li>${titled(c)}</li>`)}</ul>`;
  return html`<p><a href="${LIST_PATH}">‹ Kembali ke Peluang kemitraan</a></p>
<p>Peluang kemitraan mencocokkan KBLI usaha besar (UB) dengan KBLI UMKM menurut peta ini. Kantor dapat mengubahnya di
<code>config/supply-chains.json</code>; oss-sync memeriksanya setiap kali dibaca.</p>
${dataTable({
  caption: 'Peta rantai pasok: KBLI UB → KBLI UMKM',
  columns: [
    { label: 'Rantai pasok' },
    { label: 'KBLI UB' },
    { label: 'Hubungan' },
    { label: 'KBLI UMKM' },
    { label: 'Alasan' },
    { label: 'Sumber' },
  ],
  rows: map.chains.map((c) => [
    html`<strong>${c.nama}</strong>`,
    list(c.ubKbli),
    RELATION_LABELS[c.hubungan] ?? c.hubungan,
    list(c.mitraKbli),
    c.why,
    html`<ul>${c.sources.map((s) => html`<li class="hint">${s}</li>`)}</ul>`,
  ]),
})}`;
}
