/*
 * Beranda: the office's overview for a quarter (this one in WIB, or ?periode=2026-Q3). How many partnerships are
 * registered, running and running with realisation in the quarter, with their values and UMKM partners; the same per
 * pola, kecamatan and status; the active findings per severity and rule; and the health of the sync (the last run, the
 * last complete success, a run going on, the quarantine and the NIB queue), with a warning when no complete sync has
 * succeeded for two days. Every chart is server-rendered SVG with its numbers in a table beside it.
 */
import type { FastifyInstance } from 'fastify';
import { POLA_KEMITRAAN, STATUS_KEMITRAAN } from '../../domain/codes.js';
import { fmtDecimal, fmtId, fmtRupiah } from '../../domain/format.js';
import { localDateTime } from '../../domain/wib.js';
import { loadReference } from '../../reference.js';
import { barChart, donutChart, fmtRupiahShort, PALETTE, SEVERITY_COLORS } from '../../report/charts.js';
import {
  type FindingOverview,
  type FindingRuleCount,
  findingOverview,
  type PartnershipGroup,
  type PartnershipOverview,
  partnershipOverview,
  type Quarter,
  type SyncHealth,
  syncHealth,
} from '../../store/overview.js';
import { SEVERITY_LABELS } from '../../verification/summary.js';
import { type Column, dataTable, facts, selectField, severityBadge, timeText } from '../components.js';
import { type ConsoleDeps, requireRole, sendPage } from '../context.js';
import { type HtmlValue, html, type SafeHtml, trustedSvg } from '../html.js';
import { ROMAN } from '../present.js';
import { roleAllows } from '../session.js';
import { COUNT_COLUMNS, durationText, orderedStreams, runStatusBadge, streamLabel, TRIGGER_LABELS } from './syncs.js';

/** No complete sync succeeded for this long: the page warns that its figures may be out of date. */
export const STALE_AFTER_MS = 2 * 24 * 60 * 60 * 1000;
/** Quarters offered in the period select (this one and the ones before it). */
const RECENT_QUARTERS = 8;
/** Bars per chart (and rows of its table); past it, the smallest are summed into one "Lainnya" bar and row. */
const CHART_BARS = 15;
/** Rules on the Beranda (the queue lists them all). */
const RULE_BARS = 10;

/** The "Lainnya" bar: grey, so that a sum of many rules does not read as one more rule. */
const REST_COLOR = '#6e7781';

/** "Triwulan III 2026". */
export const quarterLabel = (q: Quarter): string => `Triwulan ${ROMAN[q.triwulan - 1]} ${q.tahun}`;

/** "2026-Q3", the value of ?periode. */
export const quarterParam = (q: Quarter): string => `${q.tahun}-Q${q.triwulan}`;

/** The quarter `instant` falls in, on the wall clock of `timeZone` (WIB for the office). */
export function quarterOf(instant: Date, timeZone: string): Quarter {
  const local = localDateTime(instant, timeZone);
  const month = Number(local.slice(5, 7));
  return { tahun: Number(local.slice(0, 4)), triwulan: Math.ceil(month / 3) };
}

/** ?periode=2026-Q3 → the quarter; null when absent or not a quarter (2000–2100). */
export function parseQuarter(value: unknown): Quarter | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-Q([1-4])$/i.exec(value.trim());
  if (!m) return null;
  const tahun = Number(m[1]);
  return tahun >= 2000 && tahun <= 2100 ? { tahun, triwulan: Number(m[2]) } : null;
}

function previousQuarter(q: Quarter): Quarter {
  return q.triwulan === 1 ? { tahun: q.tahun - 1, triwulan: 4 } : { tahun: q.tahun, triwulan: q.triwulan - 1 };
}

/** This quarter and the RECENT_QUARTERS - 1 before it, newest first; `chosen` added when it is older or newer. */
function quarterOptions(current: Quarter, chosen: Quarter) {
  const list: Quarter[] = [current];
  while (list.length < RECENT_QUARTERS) list.push(previousQuarter(list[list.length - 1]!));
  if (!list.some((q) => quarterParam(q) === quarterParam(chosen))) {
    list.push(chosen);
    list.sort((a, b) => b.tahun - a.tahun || b.triwulan - a.triwulan);
  }
  return list.map((q) => ({ value: quarterParam(q), label: quarterLabel(q) }));
}

const codeLabel = (labels: Readonly<Record<string, string>>, code: string | null, none: string): string =>
  code === null ? none : labels[code] ? `${code} ${labels[code]}` : code;

const polaLabel = (code: string | null) => codeLabel(POLA_KEMITRAAN, code, 'Tanpa pola');
const statusLabel = (code: string | null) => codeLabel(STATUS_KEMITRAAN, code, 'Tanpa status');

function kecamatanName(g: PartnershipGroup): string {
  if (g.code === null) return 'Tanpa kecamatan';
  return g.name ?? loadReference().kecamatan[g.code] ?? g.code;
}

const percent = (part: number, whole: number) => (whole > 0 ? `${fmtDecimal((part / whole) * 100, 1)}%` : '0%');

/** A row of a chart and its table: one item, or the sum of the items past the limit ("Lainnya"). */
interface Limited<T> {
  label: string;
  item: T;
  rest: boolean;
}

/** The first `max` items (the first `max - 1` and one "Lainnya (n …)" summing the others, when there are more). */
function limited<T>(
  items: readonly T[],
  max: number,
  label: (x: T) => string,
  restNoun: string,
  sum: (rest: readonly T[]) => T,
): Array<Limited<T>> {
  const shown = items.length > max ? items.slice(0, max - 1) : items;
  const out = shown.map((item) => ({ label: label(item), item, rest: false }));
  const rest = items.slice(shown.length);
  if (rest.length > 0) out.push({ label: `Lainnya (${fmtId(rest.length)} ${restNoun})`, item: sum(rest), rest: true });
  return out;
}

const total = <T>(rest: readonly T[], v: (x: T) => number) => rest.reduce((a, x) => a + v(x), 0);

function sumGroups(rest: readonly PartnershipGroup[]): PartnershipGroup {
  return {
    code: null,
    name: null,
    registered: total(rest, (g) => g.registered),
    registeredValue: total(rest, (g) => g.registeredValue),
    running: total(rest, (g) => g.running),
    runningValue: total(rest, (g) => g.runningValue),
    realised: total(rest, (g) => g.realised),
    realisedAgreedValue: total(rest, (g) => g.realisedAgreedValue),
    realisedValue: total(rest, (g) => g.realisedValue),
  };
}

function sumRules(rest: readonly FindingRuleCount[]): FindingRuleCount {
  return {
    ruleCode: '',
    title: null,
    severity: '',
    active: total(rest, (r) => r.active),
    open: total(rest, (r) => r.open),
    inReview: total(rest, (r) => r.inReview),
    confirmed: total(rest, (r) => r.confirmed),
  };
}

/** A chart and its table, under a heading. */
function chartCard(heading: string, svg: string | null, table: SafeHtml, note?: HtmlValue): SafeHtml {
  return html`<section class="card">
<h3>${heading}</h3>
${note ? html`<p class="hint">${note}</p>` : ''}
${svg ? html`<div class="chart">${trustedSvg(svg)}<div>${table}</div></div>` : table}
</section>`;
}

function tile(value: string, label: string, ...hints: HtmlValue[]): SafeHtml {
  return html`<div class="tile"><div class="value">${value}</div><div class="label">${label}</div>${hints.map(
    (h) => html`<div class="hint">${h}</div>`,
  )}</div>`;
}

/** A tile's Rupiah: short enough for a phone (Rp 2,03 T), the exact amount on hover. */
const money = (n: number) => html`<span title="${fmtRupiah(n)}">${fmtRupiahShort(n, 2)}</span>`;

function tiles(p: PartnershipOverview, f: FindingOverview): SafeHtml {
  const t = p.total;
  const q = quarterLabel(p.quarter);
  return html`<div class="tiles">
${tile(fmtId(t.registered), 'Kemitraan terdaftar', html`Nilai ${money(t.registeredValue)}`)}
${tile(
  fmtId(t.running),
  'Kemitraan berjalan (03)',
  html`Nilai ${money(t.runningValue)}`,
  `${percent(t.running, t.registered)} dari yang terdaftar`,
)}
${tile(
  fmtId(t.realised),
  `Berjalan dengan realisasi ${q}`,
  html`Nilai kesepakatan ${money(t.realisedAgreedValue)}`,
  html`Realisasi ${money(t.realisedValue)}`,
  `${percent(t.realised, t.running)} dari yang berjalan`,
)}
${tile(fmtId(p.umkmPartners), 'Mitra UMKM', `${fmtId(p.umkmPartnersRunning)} dalam kemitraan berjalan`)}
${tile(fmtId(f.active), 'Temuan aktif', `${fmtId(f.errors)} berat`, html`<a href="/temuan">Buka antrean temuan</a>`)}
</div>`;
}

const GROUP_COLUMNS = (first: string): Column[] => [
  { label: first },
  { label: 'Terdaftar', numeric: true },
  { label: 'Berjalan', numeric: true },
  // Short: the table sits beside its chart in two fifths of the card.
  { label: 'Realisasi', numeric: true },
];

const groupRow = (label: HtmlValue, g: PartnershipGroup): HtmlValue[] => [
  label,
  fmtId(g.registered),
  fmtId(g.running),
  fmtId(g.realised),
];

function groupChart(title: string, rows: ReadonlyArray<Limited<PartnershipGroup>>, q: string) {
  if (rows.length === 0) return null;
  return barChart({
    title,
    categories: rows.map((r) => r.label),
    series: [
      { name: 'Terdaftar', values: rows.map((r) => r.item.registered) },
      { name: 'Berjalan', values: rows.map((r) => r.item.running) },
      { name: `Dengan realisasi ${q}`, values: rows.map((r) => r.item.realised) },
    ],
    horizontal: true,
  });
}

function partnershipSections(p: PartnershipOverview): SafeHtml {
  const q = quarterLabel(p.quarter);
  const realisedNote = `Realisasi: kemitraan berjalan yang melaporkan realisasi ${q}.`;
  const pola = limited(p.byPola, CHART_BARS, (g) => polaLabel(g.code), 'pola', sumGroups);
  const byPola = chartCard(
    'Per pola kemitraan',
    groupChart(`Kemitraan per pola, ${q}`, pola, q),
    dataTable({
      columns: GROUP_COLUMNS('Pola'),
      rows: pola.map((r) => groupRow(r.label, r.item)),
      empty: 'Belum ada kemitraan.',
    }),
    realisedNote,
  );
  const kecamatan = limited(p.byKecamatan, CHART_BARS, kecamatanName, 'kecamatan', sumGroups);
  const byKecamatan = chartCard(
    'Per kecamatan',
    groupChart(`Kemitraan per kecamatan, ${q}`, kecamatan, q),
    dataTable({
      columns: GROUP_COLUMNS('Kecamatan'),
      rows: kecamatan.map((r) =>
        groupRow(r.rest || r.item.code === null ? r.label : `${r.label} (${r.item.code})`, r.item),
      ),
      empty: 'Belum ada kemitraan.',
    }),
    `Menurut kecamatan pelaksanaan kemitraan. ${realisedNote}`,
  );
  const byStatus = chartCard(
    'Per status kemitraan',
    p.byStatus.length
      ? donutChart({
          title: 'Kemitraan terdaftar per status',
          slices: p.byStatus.map((g) => ({ name: statusLabel(g.code), value: g.registered })),
          totalLabel: 'terdaftar',
        })
      : null,
    dataTable({
      columns: [
        { label: 'Status' },
        { label: 'Jumlah', numeric: true },
        { label: 'Bagian', numeric: true },
        { label: 'Nilai', numeric: true },
      ],
      rows: p.byStatus.map((g) => [
        statusLabel(g.code),
        fmtId(g.registered),
        percent(g.registered, p.total.registered),
        fmtRupiah(g.registeredValue),
      ]),
      empty: 'Belum ada kemitraan.',
    }),
  );
  return html`<h2 id="kemitraan">Kemitraan</h2>
${byStatus}
${byPola}
${byKecamatan}`;
}

function findingSections(f: FindingOverview): SafeHtml {
  const severities = f.bySeverity;
  const bySeverity = chartCard(
    'Temuan aktif per tingkat',
    severities.length
      ? barChart({
          title: 'Temuan aktif per tingkat',
          categories: severities.map((s) => SEVERITY_LABELS[s.severity] ?? s.severity),
          series: [{ name: 'Temuan aktif', values: severities.map((s) => s.active) }],
          categoryColors: severities.map((s) => SEVERITY_COLORS[s.severity] ?? '#6e7781'),
          height: 240,
        })
      : null,
    dataTable({
      columns: [
        { label: 'Tingkat' },
        { label: 'Aktif', numeric: true },
        { label: 'Di antaranya terbuka', numeric: true },
      ],
      rows: severities.map((s) => [severityBadge(s.severity), fmtId(s.active), fmtId(s.open)]),
      empty: 'Tidak ada temuan aktif.',
    }),
    'Aktif: terbuka (belum diperiksa), sedang diperiksa atau terkonfirmasi.',
  );
  const rules = limited(f.byRule, RULE_BARS, (r) => r.title ?? r.ruleCode, 'aturan lain', sumRules);
  const byRule = chartCard(
    'Temuan aktif per aturan',
    rules.length
      ? barChart({
          title: 'Temuan aktif per aturan',
          categories: rules.map((r) => r.label),
          series: [{ name: 'Temuan aktif', values: rules.map((r) => r.item.active) }],
          categoryColors: rules.map((r) => (r.rest ? REST_COLOR : PALETTE[0]!)),
          horizontal: true,
        })
      : null,
    dataTable({
      columns: [{ label: 'Aturan' }, { label: 'Tingkat' }, { label: 'Aktif', numeric: true }],
      rows: rules.map((r) => [
        r.rest ? r.label : html`<code>${r.item.ruleCode}</code> ${r.item.title ?? ''}`,
        r.rest ? '-' : severityBadge(r.item.severity),
        fmtId(r.item.active),
      ]),
      empty: 'Tidak ada temuan aktif.',
    }),
    f.byRule.length > RULE_BARS
      ? html`Aturan dengan temuan aktif terbanyak; semua aturan ada di <a href="/temuan">antrean temuan</a>.`
      : null,
  );
  return html`<h2 id="temuan">Temuan</h2>
${bySeverity}
${byRule}`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "3 hari yang lalu", "5 jam yang lalu". */
function ago(then: Date, now: Date): string {
  const hours = Math.floor((now.getTime() - then.getTime()) / 3_600_000);
  if (hours >= 48) return `${fmtId(Math.floor(hours / 24))} hari yang lalu`;
  if (hours >= 1) return `${fmtId(hours)} jam yang lalu`;
  return 'kurang dari satu jam yang lalu';
}

/** The warning and notices at the top: a stale sync, a run going on. */
function syncNotices(h: SyncHealth, now: Date, tz: string, admin: boolean): SafeHtml {
  const complete = h.lastComplete;
  const at = complete ? (complete.finishedAt ?? complete.startedAt) : null;
  const stale = !at || now.getTime() - at.getTime() > STALE_AFTER_MS;
  const progress = admin ? html` <a href="/sinkronisasi">Lihat kemajuannya</a>` : '';
  return html`${
    stale
      ? html`<div class="flash flash-error" role="alert"><strong>Data mungkin sudah usang.</strong> ${
          at
            ? html`Sinkronisasi lengkap terakhir yang berhasil selesai ${timeText(at, tz)} (${ago(at, now)}).`
            : 'Belum pernah ada sinkronisasi lengkap yang berhasil.'
        } Tidak ada sinkronisasi lengkap yang berhasil dalam 2 hari terakhir; angka di halaman ini bisa berbeda dengan OSS.
        ${admin ? html`Periksa <a href="/sinkronisasi">Sinkronisasi</a>.` : 'Hubungi admin kantor.'}</div>`
      : ''
  }${
    h.running
      ? html`<div class="flash flash-info" role="status">Sinkronisasi #${h.running.id} (${TRIGGER_LABELS[h.running.trigger] ?? h.running.trigger})
          sedang berjalan sejak ${timeText(h.running.startedAt, tz)}; datanya dihitung setelah selesai.${progress}</div>`
      : ''
  }`;
}

function syncSection(h: SyncHealth, now: Date, tz: string, admin: boolean): SafeHtml {
  const last = h.last;
  const status = (s: string, live: boolean) =>
    s === 'running' && !live
      ? html`<span class="badge sev-error">terhenti (prosesnya tidak aktif lagi)</span>`
      : runStatusBadge(s);
  const lastFacts = last
    ? facts([
        [
          'Run',
          html`#${last.id} · ${TRIGGER_LABELS[last.trigger] ?? last.trigger}${last.requestedBy ? ` oleh ${last.requestedBy}` : ''}${
            last.scope?.dryRun ? ' · uji coba (tidak menulis data)' : ''
          }`,
        ],
        ['Status', status(last.status, last.live)],
        ['Mulai', timeText(last.startedAt, tz)],
        ['Selesai', last.finishedAt ? timeText(last.finishedAt, tz) : last.live ? 'masih berjalan' : '-'],
        ['Durasi', durationText((last.finishedAt ?? now).getTime() - last.startedAt.getTime())],
        ...(last.error ? ([['Galat', last.error]] as Array<[string, HtmlValue]>) : []),
      ])
    : html`<p class="empty">Belum pernah ada sinkronisasi atau impor.</p>`;
  const streams = last ? orderedStreams(last, last.counts) : [];
  const counts = last
    ? dataTable({
        columns: [
          { label: 'Aliran' },
          ...COUNT_COLUMNS.map(([, label]) => ({ label: capitalize(label), numeric: true })),
        ],
        rows: streams.map(([name, c]) => [streamLabel(name), ...COUNT_COLUMNS.map(([k]) => fmtId(Number(c[k] ?? 0)))]),
        empty: 'Run ini belum mencatat hitungan.',
      })
    : '';
  const complete = h.lastComplete;
  return html`<h2 id="sinkronisasi">Sinkronisasi</h2>
<div class="grid">
<section class="card">
<h3>Run terakhir</h3>
${lastFacts}
${counts}
</section>
<section class="card">
<h3>Kesehatan</h3>
${facts([
  [
    'Sinkronisasi lengkap terakhir berhasil',
    complete
      ? html`${timeText(complete.finishedAt ?? complete.startedAt, tz)} (#${complete.id}, ${ago(complete.finishedAt ?? complete.startedAt, now)})`
      : 'belum pernah',
  ],
  [
    'Sedang berjalan',
    h.running
      ? html`ya, #${h.running.id} sejak ${timeText(h.running.startedAt, tz)}${admin ? html` · <a href="/sinkronisasi">lihat</a>` : ''}`
      : 'tidak',
  ],
  ['Karantina', `${fmtId(h.quarantined)} rekaman ditolak menunggu perbaikan`],
  [
    'Antrean NIB',
    `${fmtId(h.nibQueue)} NIB menunggu inqueryNIB${h.nibQueueFailing ? `, ${fmtId(h.nibQueueFailing)} di antaranya pernah gagal` : ''}`,
  ],
])}
${admin ? html`<p><a class="button secondary" href="/sinkronisasi">Buka Sinkronisasi</a></p>` : ''}
</section>
</div>`;
}

function periodForm(current: Quarter, chosen: Quarter): SafeHtml {
  return html`<form class="filters" method="get" action="/">
${selectField({ name: 'periode', label: 'Periode', options: quarterOptions(current, chosen), selected: quarterParam(chosen) })}
<div class="actions"><button type="submit">Tampilkan</button></div>
${
  quarterParam(chosen) === quarterParam(current)
    ? html`<p class="hint">Realisasi dilaporkan lewat LKPM, biasanya setelah triwulan berakhir: angka realisasi triwulan berjalan
        masih bertambah. Pilih triwulan sebelumnya untuk angka yang lengkap.</p>`
    : ''
}
</form>`;
}

export async function homePage(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  app.get<{ Querystring: { periode?: unknown } }>(
    '/',
    { preHandler: requireRole(deps, 'viewer') },
    async (req, reply) => {
      const tz = deps.config.sync.timezone;
      const now = deps.now();
      const current = quarterOf(now, tz);
      const asked = req.query.periode;
      const parsed = parseQuarter(asked);
      const quarter = parsed ?? current;
      const refused = asked !== undefined && asked !== '' && parsed === null;
      const [partnerships, findings, health] = await Promise.all([
        partnershipOverview(deps.db, quarter),
        findingOverview(deps.db),
        syncHealth(deps.db),
      ]);
      const admin = req.viewer ? roleAllows(req.viewer.user.role, 'admin') : false;
      const body = html`${syncNotices(health, now, tz, admin)}
${periodForm(current, quarter)}
<h2 id="ringkasan">Ringkasan ${quarterLabel(quarter)}</h2>
${tiles(partnerships, findings)}
${partnershipSections(partnerships)}
${findingSections(findings)}
${syncSection(health, now, tz, admin)}`;
      return sendPage(req, reply, deps, {
        title: 'Beranda',
        active: 'beranda',
        body,
        ...(refused
          ? {
              flash: {
                kind: 'error' as const,
                text: `Periode "${String(asked).slice(0, 40)}" tidak dikenal (tulis seperti ${quarterParam(current)}); yang ditampilkan ${quarterLabel(quarter)}.`,
              },
            }
          : {}),
      });
    },
  );
}
