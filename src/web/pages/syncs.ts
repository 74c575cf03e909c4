/*
 * Sinkronisasi (admin): the runs with their status and counts, one run in detail (its streams, findings, quarantined
 * records, an import's file), the live progress of a running run (polled by console.js), the trigger form, and the
 * open quarantine (Karantina). A trigger goes through the same runner as POST /syncs, so the one-sync-at-a-time rule
 * of the deployment holds here too; it is recorded under the signed-in user.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fmtDecimal, fmtId } from '../../domain/format.js';
import { RUN_STATUSES, RUN_TRIGGERS, STREAMS, type StreamName } from '../../domain/glossary.js';
import { humanTime } from '../../domain/wib.js';
import { SyncAlreadyRunningError } from '../../errors.js';
import { EXPORT_TYPES } from '../../import/exportTypes.js';
import { RunnerStoppedError } from '../../scheduler/runner.js';
import { runView } from '../../scheduler/runView.js';
import {
  type CappedCount,
  listOpenQuarantine,
  listRunsPage,
  openQuarantineCount,
  openQuarantineStreams,
  type QuarantineEntry,
  runFindings,
  runQuarantine,
} from '../../store/operations.js';
import { getRun, LEASE_SECONDS, type RunRow, type StreamCounts } from '../../store/runs.js';
import {
  dataTable,
  facts,
  pageNumber,
  pager,
  selectField,
  severityBadge,
  statusBadge,
  textField,
  timeText,
} from '../components.js';
import {
  actorOf,
  audit,
  type ConsoleDeps,
  csrfField,
  type Flash,
  redirect,
  requireRole,
  sendPage,
  setFlash,
} from '../context.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';

/** Indonesian names of run statuses, triggers and stream outcomes. */
export const RUN_STATUS_LABELS: Readonly<Record<string, string>> = {
  running: 'berjalan',
  succeeded: 'berhasil',
  partial: 'sebagian',
  failed: 'gagal',
};

export const TRIGGER_LABELS: Readonly<Record<string, string>> = {
  schedule: 'jadwal',
  manual: 'manual',
  push: 'push',
  import: 'impor',
};

const OUTCOME_TONES: Readonly<Record<string, string>> = {
  succeeded: 'status-resolved',
  failed: 'sev-error',
  running: 'status-in_review',
};

/** The errors and notes of a run's streams, under their table (long text would squeeze the table's columns). */
function streamNotes(entries: ReadonlyArray<[string, StreamView]>): SafeHtml {
  const items = entries.flatMap(([name, s]) => [
    ...(s.error ? [html`<li><strong>${streamLabel(name)}: ${String(s.error)}</strong></li>`] : []),
    ...(typeof s.note === 'string' && s.note ? [html`<li>${streamLabel(name)}: ${s.note}</li>`] : []),
  ]);
  return items.length ? html`<ul class="hint">${items}</ul>` : html``;
}

/** What a run is called in its page's title. */
const RUN_KIND: Readonly<Record<string, string>> = {
  schedule: 'Sinkronisasi',
  manual: 'Sinkronisasi',
  import: 'Impor',
  push: 'Batch push',
};

const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  running: 'berjalan',
  succeeded: 'berhasil',
  failed: 'gagal',
  skipped: 'dilewati',
};

/** Streams of a sync and tables of an import, as people name them. */
export const STREAM_LABELS: Readonly<Record<string, string>> = {
  kemitraan: 'Kemitraan',
  nib: 'NIB (pelaku usaha)',
  izin: 'Perizinan',
  pelaku_usaha: 'Pelaku usaha',
  proyek: 'Proyek',
  proyek_lokasi: 'Lokasi proyek',
  perizinan: 'Perizinan',
  import: 'Impor',
  push: 'Push (receiveNIB)',
};

const PHASE_LABELS: Readonly<Record<string, string>> = {
  listing: 'membaca daftar',
  'listing NIBs': 'membaca daftar NIB',
  'inquiring NIBs': 'menanyakan NIB',
  'checking licences': 'memeriksa izin',
  finished: 'selesai',
};

/** The counts of a stream, in the order the page shows them. */
export const COUNT_COLUMNS: ReadonlyArray<readonly [keyof StreamCounts, string]> = [
  ['fetched', 'dibaca'],
  ['inserted', 'baru'],
  ['updated', 'berubah'],
  ['unchanged', 'tetap'],
  ['rejected', 'ditolak'],
  ['deleted', 'dihapus'],
];

const PAGE_SIZE = 25;
/** Past this page a list stops (with the capped count, at most 10.000 rows are reachable). */
const MAX_PAGE = 400;
const DETAIL_LIMIT = 50;

/** A run's status as a badge (colours borrowed from the finding badges: green, red, amber, blue). */
export function runStatusBadge(status: string): SafeHtml {
  const tone: Record<string, string> = {
    succeeded: 'status-resolved',
    failed: 'sev-error',
    partial: 'sev-warning',
    running: 'status-in_review',
  };
  return html`<span class="badge ${tone[status] ?? ''}">${RUN_STATUS_LABELS[status] ?? status}</span>`;
}

const EXPORT_TITLES = new Map<string, string>(EXPORT_TYPES.map((t) => [`export:${t.id}`, `Ekspor ${t.title}`]));

/** A stream or table name as people read it ('export:dp_proyek' → 'Ekspor DP Proyek'). */
export const streamLabel = (s: string): string => STREAM_LABELS[s] ?? EXPORT_TITLES.get(s) ?? s;

/** The export an import run read (scope.import.export_type holds its id). */
export function exportTypeOf(row: Pick<RunRow, 'scope'>): (typeof EXPORT_TYPES)[number] | undefined {
  const id = (row.scope as { import?: { export_type?: unknown } } | null)?.import?.export_type;
  return EXPORT_TYPES.find((t) => t.id === id || t.title === id);
}

/**
 * The order a run's streams are shown in (jsonb keeps no key order): a sync's in pipeline order; an import's tables
 * as its export feeds them, the export's own table first (its `fetched` is the file's rows).
 */
export function streamOrder(row: Pick<RunRow, 'trigger' | 'scope'>): string[] {
  const type = row.trigger === 'import' ? exportTypeOf(row) : undefined;
  return type ? type.targets.map((t) => t.spec.table) : [...STREAMS];
}

/** The entries of a run's streams, in streamOrder (unknown names last, by name). */
export function orderedStreams<T>(
  row: Pick<RunRow, 'trigger' | 'scope'>,
  streams: Record<string, T>,
): Array<[string, T]> {
  const order = streamOrder(row);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.entries(streams).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** "4,9 dtk", "3 mnt 05 dtk", "2 jam 07 mnt". */
export function durationText(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  const s = ms / 1000;
  if (s < 60) return `${fmtDecimal(s, 1)} dtk`;
  const total = Math.round(s);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)} mnt ${pad(total % 60)} dtk`;
  return `${Math.floor(total / 3600)} jam ${pad(Math.floor((total % 3600) / 60))} mnt`;
}

const runDuration = (row: Pick<RunRow, 'started_at' | 'finished_at'>, now: Date) =>
  durationText((row.finished_at ?? now).getTime() - new Date(row.started_at).getTime());

type View = ReturnType<typeof runView>;
type StreamView = View['streams'][string];

const countsOf = (s: StreamView): Partial<StreamCounts> => (s.counts ?? {}) as Partial<StreamCounts>;

/** "1.200 dibaca, 300 baru, 0 berubah, …" */
function countsText(c: Partial<StreamCounts>): string {
  return COUNT_COLUMNS.map(([k, label]) => `${fmtId(Number(c[k] ?? 0))} ${label}`).join(', ');
}

/** One Indonesian line per stream: what the run has done so far (the live progress and the list's counts). */
export function progressText(row: Pick<RunRow, 'trigger' | 'scope'>, view: View): string {
  const streams = { ...view.streams };
  if (view.status === 'running') {
    // Streams the run has not reported yet: the first is starting (waiting for OSS's first answer), the others wait.
    const scoped = (view.scope.streams ?? []).filter((s) => !(s in streams));
    scoped.forEach((s, i) => {
      streams[s] = { status: i === 0 && Object.keys(streams).length === 0 ? 'starting' : 'skipped' };
    });
  }
  const parts = orderedStreams(row, streams).map(([name, s]) => {
    const status = String(s.status ?? '');
    if (status === 'starting') return `${streamLabel(name)}: memulai`;
    if (status === 'skipped' && view.status === 'running') return `${streamLabel(name)}: menunggu`;
    const phase = typeof s.phase === 'string' && status === 'running' ? ` (${PHASE_LABELS[s.phase] ?? s.phase})` : '';
    const total = typeof s.total === 'number' && status === 'running' ? ` dari ${fmtId(s.total)}` : '';
    const c = countsOf(s);
    return `${streamLabel(name)}${phase}: ${fmtId(Number(c.fetched ?? 0))}${total} dibaca, ${countsText(c).split(', ').slice(1).join(', ')}`;
  });
  if (parts.length === 0) return view.status === 'running' ? 'Memulai…' : 'Tidak ada hitungan.';
  return parts.join('; ');
}

/** Whether a running row's process still shows signs of life (a dead one is closed by the next run). */
const isLive = (row: RunRow, now: Date) =>
  row.status === 'running' && now.getTime() - new Date(row.heartbeat_at).getTime() <= LEASE_SECONDS * 1000;

function scopeText(row: RunRow): string {
  const scope = (row.scope ?? {}) as { streams?: string[]; full?: boolean; dryRun?: boolean; source?: unknown };
  if (row.trigger === 'import') return 'impor berkas ekspor';
  if (row.trigger === 'push') return typeof scope.source === 'string' ? `push (${scope.source})` : 'push';
  const streams = scope.streams?.length ? scope.streams.map(streamLabel).join(', ') : 'semua aliran';
  return [streams, scope.full ? 'penuh (daftar ulang)' : null, scope.dryRun ? 'uji coba (tidak disimpan)' : null]
    .filter(Boolean)
    .join(' · ');
}

/** The per-stream counts of a run, one line each (the list's cell). */
function countsCell(row: RunRow, view: View): HtmlValue {
  const entries = orderedStreams(row, view.streams);
  if (entries.length === 0) return '-';
  return html`<ul>${entries.map(
    ([name, s]) => html`<li><strong>${streamLabel(name)}</strong>: ${compactCounts(countsOf(s))}</li>`,
  )}</ul>`;
}

/** "194 dibaca, 5 ditolak": what was read, then only the counts that are not zero (the list's cell stays short). */
export function compactCounts(c: Partial<StreamCounts>): string {
  return COUNT_COLUMNS.filter(([k], i) => i === 0 || Number(c[k] ?? 0) > 0)
    .map(([k, label]) => `${fmtId(Number(c[k] ?? 0))} ${label}`)
    .join(', ');
}

/** "Sinkronisasi #12 sedang berjalan (dimulai …). Tunggu sampai selesai." */
export async function busyMessage(deps: ConsoleDeps, runningId: string | null): Promise<string> {
  const id = runningId === null ? Number.NaN : Number(runningId);
  const row = Number.isSafeInteger(id) ? await getRun(deps.db, id) : undefined;
  if (!row) return 'Sinkronisasi lain sedang berjalan di deployment ini. Tunggu sampai selesai.';
  const kind = row.trigger === 'import' ? 'Impor' : 'Sinkronisasi';
  const started = humanTime(new Date(row.started_at), deps.config.sync.timezone);
  return `${kind} #${row.id} sedang berjalan (dimulai ${started}). Tunggu sampai selesai.`;
}

const STOPPING_MESSAGE = 'oss-sync sedang berhenti: sinkronisasi baru tidak dimulai. Coba lagi sebentar lagi.';

/** A query value when it is one of `allowed`; otherwise null (and `bad` notes it). */
function oneOf(value: unknown, allowed: readonly string[], bad: string[], label: string): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value === 'string' && allowed.includes(value)) return value;
  bad.push(label);
  return null;
}

interface TriggerInput {
  streams: StreamName[];
  full: boolean;
  dryRun: boolean;
  reason: string;
}

const EMPTY_TRIGGER: TriggerInput = { streams: [], full: false, dryRun: false, reason: '' };

function triggerForm(reply: FastifyReply, input: TriggerInput): SafeHtml {
  const box = (name: string, value: string, label: string, checked: boolean) =>
    html`<label class="check"><input type="checkbox" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
  return html`<section class="card" aria-labelledby="picu">
<h2 id="picu">Jalankan sinkronisasi</h2>
<form method="post" action="/sinkronisasi">
  ${csrfField(reply)}
  <fieldset class="checks"><legend>Aliran (kosong: semuanya)</legend>
    ${STREAMS.map((s) => box('stream', s, STREAM_LABELS[s] ?? s, input.streams.includes(s)))}
  </fieldset>
  <fieldset class="checks"><legend>Cara</legend>
    ${box('full', '1', 'Penuh: daftar ulang semua data (lebih lama)', input.full)}
    ${box('dry_run', '1', 'Uji coba: baca dan periksa tanpa menyimpan', input.dryRun)}
  </fieldset>
  ${textField({ name: 'reason', label: 'Alasan (opsional)', value: input.reason })}
  <div class="actions"><button type="submit">Mulai sinkronisasi</button></div>
  <p class="hint">Hanya satu sinkronisasi atau impor berjalan sekaligus di seluruh deployment. Tercatat atas nama Anda.</p>
</form>
</section>`;
}

/** The live-progress line of a running run; console.js polls /sinkronisasi/:id/progres and reloads when it ends. */
function liveLine(view: View, row: RunRow, now: Date, tz: string): SafeHtml {
  if (!isLive(row, now)) {
    return html`<p class="hint">Tidak ada tanda hidup dari proses run ini sejak ${timeText(new Date(row.heartbeat_at), tz)}: prosesnya
      mungkin sudah berhenti; sinkronisasi berikutnya akan menutupnya sebagai gagal.</p>`;
  }
  return html`<p data-live-run="${view.id}" role="status">${progressText(row, view)}</p>`;
}

function parseId(raw: string): number | null {
  if (!/^\d{1,15}$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

const moreText = (shown: number, count: CappedCount) =>
  count.total > shown
    ? html`<p class="hint">Ditampilkan ${fmtId(shown)} dari ${count.atLeast ? 'lebih dari ' : ''}${fmtId(count.total)}.</p>`
    : '';

/**
 * Text with any standalone 16-digit number (a NIK that slipped past the redaction) masked, keeping its first 6 and
 * last 2 digits. Values come from the redacted payload already; this keeps a page safe should one not be.
 */
export const maskNiks = (text: string): string =>
  text.replace(/(?<!\d)\d{16}(?!\d)/g, (nik) => `${nik.slice(0, 6)}********${nik.slice(-2)}`);

/** An issue's value, short and masked. */
export function issueValue(got: unknown): string {
  if (got === null || got === undefined) return '';
  const text = typeof got === 'string' ? got : JSON.stringify(got);
  return maskNiks(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

/** The reasons of a quarantined record, field by field. */
export function issuesList(entry: Pick<QuarantineEntry, 'issues'>): SafeHtml {
  const issues = Array.isArray(entry.issues) ? entry.issues : [];
  return html`<ul>${issues.map((i) => {
    const value = issueValue(i.got);
    return html`<li><code>${i.path || '(rekaman)'}</code>: ${maskNiks(String(i.message ?? ''))}${value ? html` <span class="hint">(diterima: ${value})</span>` : ''}</li>`;
  })}</ul>`;
}

/** Where a quarantined record came from: a file row or an OSS page. */
function locationText(location: Record<string, unknown>): string {
  const l = location ?? {};
  if (typeof l.file === 'string') {
    return [
      l.file,
      l.sheet ? `lembar ${String(l.sheet)}` : null,
      l.row !== undefined && l.row !== null ? `baris ${String(l.row)}` : null,
    ]
      .filter(Boolean)
      .join(', ');
  }
  if (typeof l.method === 'string') {
    return [l.method, l.halaman !== undefined && l.halaman !== null ? `halaman ${String(l.halaman)}` : null]
      .filter(Boolean)
      .join(', ');
  }
  const parts = Object.entries(l).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object');
  return parts.length ? parts.map(([k, v]) => `${k} ${String(v)}`).join(', ') : '-';
}

function quarantineTable(rows: readonly QuarantineEntry[], tz: string, caption?: string): SafeHtml {
  return dataTable({
    ...(caption ? { caption } : {}),
    columns: [
      { label: 'Aliran' },
      { label: 'ID' },
      { label: 'Alasan per kolom' },
      { label: 'Asal' },
      { label: 'Pertama terlihat' },
      { label: 'Run' },
    ],
    rows: rows.map((q) => [
      streamLabel(q.stream),
      q.entity_id ?? '-',
      issuesList(q),
      locationText(q.location),
      timeText(q.first_seen_at, tz),
      q.first_run_id ? html`<a href="/sinkronisasi/${q.first_run_id}">#${q.first_run_id}</a>` : '-',
    ]),
    empty: 'Tidak ada rekaman di karantina.',
  });
}

export async function syncPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const admin = { preHandler: requireRole(deps, 'admin') };
  const tz = deps.config.sync.timezone;

  async function listPage(
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { status?: number; flash?: Flash; input?: TriggerInput } = {},
  ) {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const bad: string[] = [];
    const trigger = oneOf(q.pemicu, RUN_TRIGGERS, bad, 'pemicu');
    const status = oneOf(q.status, RUN_STATUSES, bad, 'status');
    const page = pageNumber(q.halaman, MAX_PAGE);
    const [{ rows, count }, quarantined] = await Promise.all([
      listRunsPage(deps.db, { trigger, status }, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
      openQuarantineCount(deps.db),
    ]);
    const now = deps.now();
    const live = deps.runner.active();
    const views = rows.map((r) => ({ row: r, view: runView(r, live) }));
    const running = views.find((v) => v.row.status === 'running');
    const params = { pemicu: trigger, status };
    const flash: Flash | undefined =
      opts.flash ??
      (bad.length ? { kind: 'info', text: `Filter ${bad.join(' dan ')} tidak dikenal, jadi diabaikan.` } : undefined);
    const body = html`
${
  running && page === 1
    ? html`<section class="card" aria-labelledby="berjalan"><h2 id="berjalan">Sedang berjalan: <a href="/sinkronisasi/${running.view.id}">#${running.view.id}</a></h2>
${
  // The answer to a refused trigger is a POST's page: console.js reloading it would post the form again.
  req.method === 'GET'
    ? liveLine(running.view, running.row, now, tz)
    : html`<p>${progressText(running.row, running.view)} <a href="/sinkronisasi/${running.view.id}">Ikuti kemajuannya</a></p>`
}</section>`
    : ''
}
${triggerForm(reply, opts.input ?? EMPTY_TRIGGER)}
<p><a href="/karantina">Karantina: ${quarantined.atLeast ? 'lebih dari ' : ''}${fmtId(quarantined.total)} rekaman ditolak yang belum beres</a> · <a href="/impor">Impor ekspor dasbor</a></p>
<h2>Riwayat</h2>
<form method="get" action="/sinkronisasi" class="filters">
  ${selectField({ name: 'pemicu', label: 'Pemicu', any: 'Semua', selected: trigger, options: RUN_TRIGGERS.map((t) => ({ value: t, label: TRIGGER_LABELS[t] ?? t })) })}
  ${selectField({ name: 'status', label: 'Status', any: 'Semua', selected: status, options: RUN_STATUSES.map((s) => ({ value: s, label: RUN_STATUS_LABELS[s] ?? s })) })}
  <div class="actions"><button type="submit">Terapkan</button><a class="button secondary" href="/sinkronisasi">Hapus filter</a></div>
</form>
${dataTable({
  caption: 'Sinkronisasi, impor dan batch push, terbaru dahulu',
  columns: [
    { label: 'Run', numeric: true },
    { label: 'Status' },
    { label: 'Pemicu' },
    { label: 'Diminta oleh' },
    { label: 'Mulai' },
    { label: 'Selesai' },
    { label: 'Durasi', numeric: true },
    { label: 'Hitungan per aliran' },
  ],
  rows: views.map(({ row, view }) => [
    html`<a href="/sinkronisasi/${view.id}">#${view.id}</a>`,
    runStatusBadge(row.status),
    TRIGGER_LABELS[row.trigger] ?? row.trigger,
    row.requested_by ?? '-',
    timeText(row.started_at, tz),
    timeText(row.finished_at, tz),
    runDuration(row, now),
    countsCell(row, view),
  ]),
  empty: trigger || status ? 'Tidak ada run yang cocok dengan filter ini.' : 'Belum ada sinkronisasi.',
})}
${pager({ path: '/sinkronisasi', params, page, pageSize: PAGE_SIZE, total: count.total, totalIsAtLeast: count.atLeast, shown: rows.length })}`;
    return sendPage(req, reply, deps, {
      title: 'Sinkronisasi',
      active: 'sinkronisasi',
      body,
      ...(opts.status ? { status: opts.status } : {}),
      ...(flash ? { flash } : {}),
    });
  }

  app.get('/sinkronisasi', admin, (req, reply) => listPage(req, reply));

  app.post('/sinkronisasi', admin, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
    const asked = list(b.stream);
    const streams = STREAMS.filter((s) => asked.includes(s));
    const input: TriggerInput = {
      streams,
      full: b.full !== undefined && b.full !== '',
      dryRun: b.dry_run !== undefined && b.dry_run !== '',
      reason: typeof b.reason === 'string' ? b.reason.trim() : '',
    };
    const refuse = (status: number, text: string) =>
      listPage(req, reply, { status, flash: { kind: 'error', text }, input });
    const unknown = asked.filter((s) => !(STREAMS as readonly string[]).includes(s));
    if (unknown.length)
      return refuse(400, `Aliran tidak dikenal: ${unknown.join(', ')}. Pilih kemitraan, nib atau izin.`);
    if (input.reason.length > 500) return refuse(400, 'Alasan terlalu panjang: paling banyak 500 karakter.');
    if (deps.isStopping()) return refuse(503, STOPPING_MESSAGE);
    try {
      const { runId } = await deps.runner.start({
        trigger: 'manual',
        requestedBy: actorOf(req),
        reason: input.reason === '' ? null : input.reason,
        streams,
        full: input.full,
        dryRun: input.dryRun,
      });
      await audit(deps, req, 'sync.trigger', `run:${runId}`, {
        streams,
        full: input.full,
        dryRun: input.dryRun,
        ...(input.reason ? { reason: input.reason } : {}),
      });
      req.log.info(
        { runId, by: actorOf(req), streams, full: input.full, dryRun: input.dryRun },
        'sync started from the console',
      );
      setFlash(reply, 'ok', `Sinkronisasi #${runId} dimulai.`);
      return redirect(reply, `/sinkronisasi/${runId}`);
    } catch (err) {
      if (err instanceof SyncAlreadyRunningError) return refuse(409, await busyMessage(deps, err.runningRunId));
      if (err instanceof RunnerStoppedError) return refuse(503, STOPPING_MESSAGE);
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/sinkronisasi/:id/progres', admin, async (req, reply) => {
    const id = parseId(req.params.id);
    const row = id === null ? undefined : await getRun(deps.db, id);
    if (!row) return reply.code(404).send({ status: 'not_found', text: `Tidak ada sinkronisasi #${req.params.id}.` });
    const view = runView(row, deps.runner.active());
    return reply.send({ status: row.status, text: progressText(row, view) });
  });

  app.get<{ Params: { id: string } }>('/sinkronisasi/:id', admin, async (req, reply) => {
    const id = parseId(req.params.id);
    const row = id === null ? undefined : await getRun(deps.db, id);
    if (!row || id === null) {
      return sendPage(req, reply, deps, {
        title: 'Sinkronisasi tidak ditemukan',
        active: 'sinkronisasi',
        status: 404,
        body: html`<p>Tidak ada sinkronisasi nomor <strong>${req.params.id}</strong>.</p><p><a href="/sinkronisasi">Kembali ke Sinkronisasi</a></p>`,
      });
    }
    const now = deps.now();
    const view = runView(row, deps.runner.active());
    const [found, quarantined] = await Promise.all([
      runFindings(deps.db, id, DETAIL_LIMIT),
      runQuarantine(deps.db, id, DETAIL_LIMIT),
    ]);
    const findingTotals = (row.counts as Record<string, unknown> | null)?.findings as
      | Record<string, number>
      | undefined;
    const imported = (row.scope as { import?: Record<string, unknown> } | null)?.import;
    // An import or a push batch made no OSS requests and deletes nothing: those columns would only say 0.
    const fromOss = row.trigger === 'schedule' || row.trigger === 'manual';
    const counted = fromOss ? COUNT_COLUMNS : COUNT_COLUMNS.filter(([k]) => k !== 'deleted');
    const body = html`
${row.status === 'running' ? html`<section class="card" aria-labelledby="progres"><h2 id="progres">Kemajuan</h2>${liveLine(view, row, now, tz)}</section>` : ''}
<section class="card" aria-labelledby="ringkas"><h2 id="ringkas">Ringkasan</h2>
${facts([
  ['Status', runStatusBadge(row.status)],
  ['Pemicu', TRIGGER_LABELS[row.trigger] ?? row.trigger],
  ['Diminta oleh', row.requested_by],
  ['Alasan', row.reason],
  ['Cakupan', scopeText(row)],
  ['Mulai', timeText(row.started_at, tz)],
  ['Selesai', timeText(row.finished_at, tz)],
  ['Durasi', runDuration(row, now)],
  ['Galat', row.error ? html`<strong>${row.error}</strong>` : null],
])}
</section>
${imported ? importFacts(imported) : ''}
<h2>${fromOss ? 'Aliran' : 'Tabel'}</h2>
${dataTable({
  columns: [
    { label: fromOss ? 'Aliran' : 'Tabel' },
    { label: 'Status' },
    ...counted.map(([, label]) => ({ label: label[0]!.toUpperCase() + label.slice(1), numeric: true })),
    ...(fromOss
      ? [
          { label: 'Permintaan', numeric: true },
          { label: 'Durasi', numeric: true },
        ]
      : []),
  ],
  rows: orderedStreams(row, view.streams).map(([name, s]) => {
    const c = countsOf(s);
    const status = String(s.status ?? '');
    return [
      streamLabel(name),
      html`<span class="badge ${OUTCOME_TONES[status] ?? ''}">${OUTCOME_LABELS[status] ?? status}</span>`,
      ...counted.map(([k]) => fmtId(Number(c[k] ?? 0))),
      ...(fromOss
        ? [fmtId(Number(c.requests ?? 0)), durationText(typeof s.durationMs === 'number' ? s.durationMs : null)]
        : []),
    ];
  }),
  empty: 'Run ini belum mencatat aliran apa pun.',
})}
${streamNotes(orderedStreams(row, view.streams))}
<h2>Temuan</h2>
${
  findingTotals
    ? html`<p>${fmtId(findingTotals.new ?? 0)} baru, ${fmtId(findingTotals.resolved ?? 0)} selesai, ${fmtId(findingTotals.reopened ?? 0)} dibuka lagi; ${fmtId(findingTotals.open ?? 0)} aktif setelah run ini.</p>`
    : ''
}
${dataTable({
  caption: 'Temuan yang dilihat run ini (yang baru lebih dahulu)',
  columns: [
    { label: 'Temuan', numeric: true },
    { label: 'Aturan' },
    { label: 'Tingkat dan status' },
    { label: 'Pesan' },
  ],
  rows: found.rows.map((f) => [
    html`<a href="/temuan/${f.id}">#${f.id}</a>`,
    html`<code>${f.rule_code}</code> ${f.rule_title ?? ''}`,
    html`${severityBadge(f.severity)} ${statusBadge(f.status)}${f.is_new ? html` <span class="badge">baru di run ini</span>` : ''}`,
    f.message,
  ]),
  empty: 'Run ini tidak melihat temuan apa pun.',
})}
${moreText(found.rows.length, found.count)}
${found.rows.length ? html`<p><a href="/temuan">Buka antrean Temuan</a></p>` : ''}
<h2>Karantina dari run ini</h2>
${quarantineTable(quarantined.rows, tz)}
${moreText(quarantined.rows.length, quarantined.count)}
<p><a href="/sinkronisasi">Kembali ke Sinkronisasi</a></p>`;
    return sendPage(req, reply, deps, {
      title: `${RUN_KIND[row.trigger] ?? 'Run'} #${id}`,
      active: 'sinkronisasi',
      body,
    });
  });

  app.get('/karantina', admin, async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const streams = await openQuarantineStreams(deps.db);
    const bad: string[] = [];
    const stream = oneOf(
      q.aliran,
      streams.map((s) => s.stream),
      bad,
      'aliran',
    );
    const page = pageNumber(q.halaman, MAX_PAGE);
    const { rows, count } = await listOpenQuarantine(
      deps.db,
      { stream },
      { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
    );
    const body = html`
<p>Rekaman yang ditolak saat sinkronisasi, push atau impor karena isinya tidak sah, dengan alasannya per kolom. Rekaman
  keluar dari karantina sendiri begitu OSS atau ekspor berikutnya mengirimnya dengan benar. Nomor identitas tidak ditampilkan.</p>
<form method="get" action="/karantina" class="filters">
  ${selectField({ name: 'aliran', label: 'Aliran', any: 'Semua', selected: stream, options: streams.map((s) => ({ value: s.stream, label: `${streamLabel(s.stream)} (${fmtId(s.n)})` })) })}
  <div class="actions"><button type="submit">Terapkan</button></div>
</form>
${quarantineTable(rows, tz, 'Rekaman di karantina, terbaru dahulu')}
${pager({ path: '/karantina', params: { aliran: stream }, page, pageSize: PAGE_SIZE, total: count.total, totalIsAtLeast: count.atLeast, shown: rows.length })}
<p><a href="/sinkronisasi">Kembali ke Sinkronisasi</a></p>`;
    return sendPage(req, reply, deps, {
      title: 'Karantina',
      active: 'sinkronisasi',
      body,
      ...(bad.length
        ? {
            flash: {
              kind: 'info' as const,
              text: 'Aliran tidak dikenal atau tanpa karantina terbuka, jadi diabaikan.',
            },
          }
        : {}),
    });
  });
}

export const SNAPSHOT_FROM_LABELS: Readonly<Record<string, string>> = {
  option: 'dipilih saat impor',
  'title row': 'baris judul ekspor',
  'file name': 'nama berkas',
  'file modification time': 'waktu ubah berkas',
};

/** The file an import run read (sync_runs.scope.import). */
export function importFacts(info: Record<string, unknown>): SafeHtml {
  const text = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : null);
  return html`<section class="card" aria-labelledby="berkas"><h2 id="berkas">Berkas</h2>
${facts([
  ['Nama berkas', text('file')],
  ['Jenis ekspor', EXPORT_TYPES.find((t) => t.id === info.export_type)?.title ?? text('export_type')],
  ['Format', text('format')],
  ['Lembar', text('sheet')],
  ['Ukuran', typeof info.bytes === 'number' ? `${fmtId(info.bytes)} bita` : null],
  [
    'Tanggal snapshot',
    text('snapshot_date')
      ? `${text('snapshot_date')} (dari ${SNAPSHOT_FROM_LABELS[text('snapshot_from') ?? ''] ?? text('snapshot_from') ?? '-'})`
      : null,
  ],
  ['SHA-256', text('sha256') ? html`<code>${text('sha256')}</code>` : null],
])}
</section>`;
}
