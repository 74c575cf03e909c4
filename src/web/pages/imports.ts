/*
 * Impor (admin): upload one OSS dashboard export (xlsx or csv) through the browser. The body is streamed to a file of
 * its own under the OS temp dir, checked by name and by content (nothing is imported from a file that is neither),
 * then imported in a child process exactly as the drop folder does (childImport.ts: the same import as the CLI, with
 * its own heap limit, so a hostile file ends that process, never serve). The report is the CLI's, as HTML tables in
 * Indonesian. The temp file is removed in every case.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fmtId } from '../../domain/format.js';
import { importInChildProcess } from '../../import/childImport.js';
import type { ImportResult } from '../../import/importFile.js';
import { isCalendarDate } from '../../normalize/index.js';
import { recentImportRuns } from '../../store/operations.js';
import { runningRunId } from '../../store/runs.js';
import { dataTable, facts, timeText } from '../components.js';
import { actorOf, audit, type ConsoleDeps, csrfToken, type Flash, requireRole, sendPage } from '../context.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';
import {
  busyMessage,
  durationText,
  exportTypeOf,
  maskNiks,
  orderedStreams,
  RUN_STATUS_LABELS,
  runStatusBadge,
  SNAPSHOT_FROM_LABELS,
  streamLabel,
} from './syncs.js';

/** Extensions an upload may have (the importer also reads .txt as csv; the console takes only what OSS writes). */
const EXTENSIONS = ['.xlsx', '.csv'] as const;
/** How much of a file the content check reads. */
const SNIFF_BYTES = 64 * 1024;
const RECENT = 20;

/** Why a file is refused before anything is imported, or null when it may be imported. */
export function contentProblem(name: string, head: Buffer): string | null {
  if (head.length === 0) return `Berkas "${name}" kosong.`;
  if (name.toLowerCase().endsWith('.xlsx')) {
    const zip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
    return zip
      ? null
      : `Berkas "${name}" bukan berkas Excel (xlsx) yang sah: isinya tidak diawali tanda zip "PK" seperti setiap berkas xlsx.`;
  }
  // A csv is text: UTF-16 with its byte-order mark (which the importer reads) has zero bytes in every ASCII character,
  // so there the check is on whole characters.
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const text = utf16
    ? (head[0] === 0xff ? head : Buffer.from(head).swap16()).subarray(0, head.length & ~1).toString('utf16le')
    : null;
  const hasNul = text === null ? head.includes(0) : text.includes('\u0000');
  return hasNul ? `Berkas "${name}" bukan berkas teks (csv): ada bita nol di awal isinya.` : null;
}

/** The uploaded file's name, safe as one path segment (it names the import in the report and its run). */
export function uploadName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = base
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} ._()+-]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(-150);
  return clean === '' ? 'unggahan' : clean;
}

const hasAllowedExtension = (name: string) => EXTENSIONS.some((e) => name.toLowerCase().endsWith(e));

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const n = (v: number) => fmtId(v);

/** The import report (the CLI's renderImportSummary, as HTML in Indonesian). */
export function importReport(r: ImportResult): SafeHtml {
  if (r.refused) {
    return html`<section class="card" aria-labelledby="hasil"><h2 id="hasil">Berkas ditolak: ${r.file}</h2>
<p>Tidak ada yang ditulis ke basis data (dan tidak ada run). Alasan dari pembaca ekspor:</p>
<p><strong>${r.error ?? 'berkas ini bukan ekspor dasbor OSS yang dikenal'}</strong></p>
<p class="hint">Yang dapat diimpor: ekspor dasbor OSS DP Proyek, DP NIB Kantor dan List Izin, berformat xlsx atau csv, apa adanya seperti diunduh.</p>
</section>`;
  }
  const rows = r.rows;
  const ok = r.status === 'succeeded';
  const findings = r.findings && !('error' in r.findings) ? r.findings : null;
  // Like the CLI's summary, but only the rules this import changed: every rule has active findings on a busy office.
  const findingRows = findings
    ? Object.entries(findings.counts).filter(([, c]) => c.new + c.resolved + c.reopened > 0)
    : [];
  const sections: HtmlValue[] = [
    html`<section class="card" aria-labelledby="hasil"><h2 id="hasil">Hasil impor: ${r.file} ${runStatusBadge(r.status)}</h2>
${facts([
  ['Run', r.runId ? html`<a href="/sinkronisasi/${r.runId}">#${r.runId}</a>` : null],
  ['Jenis ekspor', r.exportType],
  ['Format', r.format ? `${r.format}${r.sheet ? `, lembar "${r.sheet}"` : ''}` : null],
  [
    'Tanggal snapshot',
    r.snapshotDate
      ? `${r.snapshotDate} (dari ${SNAPSHOT_FROM_LABELS[r.snapshotFrom ?? ''] ?? r.snapshotFrom ?? '-'})`
      : null,
  ],
  ['Ukuran', r.bytes ? `${n(r.bytes)} bita` : null],
  ['SHA-256', r.sha256 ? html`<code>${r.sha256}</code>` : null],
  [
    'Pernah diimpor',
    r.earlierImports.length
      ? html`berkas yang sama sudah diimpor oleh run ${r.earlierImports.map((id, i) => html`${i ? ', ' : ''}<a href="/sinkronisasi/${id}">#${id}</a>`)}`
      : null,
  ],
  ['Durasi', durationText(r.durationMs)],
  ['Galat', r.error ? html`<strong>${r.error}</strong>` : null],
])}
${ok ? '' : html`<p><strong>Impor gagal: tidak ada baris berkas ini yang disimpan.</strong></p>`}`,
    html`<h3>Baris</h3>
${dataTable({
  columns: [
    { label: 'Dibaca', numeric: true },
    { label: 'Baru', numeric: true },
    { label: 'Berubah', numeric: true },
    { label: 'Tetap', numeric: true },
    { label: 'Lebih lama (data tersimpan dipertahankan)', numeric: true },
    { label: 'Ditolak', numeric: true },
    { label: 'Berulang dalam berkas', numeric: true },
    { label: 'Kosong (dilewati)', numeric: true },
  ],
  rows: [
    [
      n(rows.read),
      n(rows.inserted),
      n(rows.updated),
      n(rows.unchanged),
      n(rows.older),
      n(rows.rejected),
      n(rows.duplicates),
      n(rows.blank),
    ],
  ],
})}
${rows.rejected ? html`<p><strong>${n(rows.rejected)} baris ditolak</strong>: tidak satu pun nilainya disimpan (lihat "Baris yang ditolak" di bawah).</p>` : ''}`,
  ];
  if (r.tables.length) {
    sections.push(html`<h3>Per tabel</h3>
${dataTable({
  columns: [
    { label: 'Tabel' },
    { label: 'Baru', numeric: true },
    { label: 'Berubah', numeric: true },
    { label: 'Tetap', numeric: true },
    { label: 'Lebih lama (tidak ditimpa)', numeric: true },
  ],
  rows: r.tables.map((t) => [
    html`${streamLabel(t.table)} <code>${t.table}</code>`,
    n(t.inserted),
    n(t.updated),
    n(t.unchanged),
    n(t.older),
  ]),
})}`);
  }
  if (r.rejections.length) {
    sections.push(html`<h3>Baris yang ditolak</h3>
<p>${n(rows.rejected)} baris, disimpan di <a href="/karantina">karantina</a> dengan berkas, lembar, baris dan kolomnya
  (${n(r.quarantined)} entri baru). Alasan, yang paling sering dahulu:</p>
${dataTable({
  columns: [
    { label: 'Kolom' },
    { label: 'Diharapkan' },
    { label: 'Baris', numeric: true },
    { label: 'Contoh (baris: nilai — alasan)' },
  ],
  rows: r.rejections.map((x) => [
    x.column,
    x.expected,
    n(x.rows),
    html`<ul>${x.examples.map((e) => html`<li>baris ${n(e.row)}: "${maskNiks(e.got)}" — ${maskNiks(e.message)}</li>`)}</ul>`,
  ]),
})}`);
  }
  if (r.unknownDescriptions.length) {
    sections.push(html`<h3>Uraian yang tidak ada di tabel kode OSS</h3>
<p class="hint">Disimpan sebagaimana tertulis, tidak ditebak.</p>
${dataTable({
  columns: [
    { label: 'Kolom' },
    { label: 'Nilai' },
    { label: 'Baris', numeric: true },
    { label: 'Baris pertama', numeric: true },
  ],
  rows: r.unknownDescriptions.map((u) => [u.column, u.value, n(u.rows), n(u.firstRow)]),
})}`);
  }
  if (r.unresolvedRegions.length) {
    sections.push(html`<h3>Nama wilayah tanpa kode Kemendagri</h3>
<p class="hint">Kode wilayahnya dibiarkan kosong.</p>
${dataTable({
  columns: [
    { label: 'Kolom' },
    { label: 'Nama' },
    { label: 'Sebab' },
    { label: 'Baris', numeric: true },
    { label: 'Baris pertama', numeric: true },
  ],
  rows: r.unresolvedRegions.map((u) => [
    u.column,
    u.name,
    u.reason === 'outside' ? 'wilayah di luar data rujukan' : 'nama tidak dikenal',
    n(u.rows),
    n(u.firstRow),
  ]),
})}`);
  }
  if (r.dateColumns.length) {
    sections.push(html`<h3>Kolom tanggal</h3>
<ul>${r.dateColumns.map(
      (d) =>
        html`<li>"${d.column}": ${d.order === 'dmy' ? 'hari dahulu (h/b/t)' : 'bulan dahulu (b/h/t)'}${
          d.by === 'values'
            ? ` (${n(d.dayFirstOnly)} nilai hanya cocok hari-dahulu, ${n(d.monthFirstOnly)} hanya bulan-dahulu)`
            : ' (menurut kebiasaan ekspor: setiap nilai contoh cocok untuk keduanya)'
        }</li>`,
    )}</ul>`);
  }
  if (r.findings && 'error' in r.findings) {
    sections.push(
      html`<h3>Temuan</h3><p>Temuan belum dievaluasi: ${r.findings.error}. Sinkronisasi berikutnya akan menyusulkannya.</p>`,
    );
  } else if (findings) {
    const t = Object.values(findings.counts).reduce(
      (a, c) => ({
        new: a.new + c.new,
        resolved: a.resolved + c.resolved,
        reopened: a.reopened + c.reopened,
        open: a.open + c.open,
      }),
      { new: 0, resolved: 0, reopened: 0, open: 0 },
    );
    sections.push(html`<h3>Temuan</h3>
<p>${n(t.new)} baru, ${n(t.resolved)} selesai, ${n(t.reopened)} dibuka lagi; ${n(t.open)} aktif (terbuka, diperiksa
  atau terkonfirmasi) setelah impor ini. <a href="/temuan">Buka antrean Temuan</a></p>
${
  findings.guard.blocked
    ? html`<p><strong>Pengaman: ${n(findings.guard.wouldResolve)} dari ${n(findings.guard.active)} temuan aktif akan selesai sekaligus;
        tidak ada yang diselesaikan.</strong> Periksa datanya, lalu jalankan <code>oss-sync discrepancies evaluate --all --force</code>.</p>`
    : ''
}
${dataTable({
  columns: [
    { label: 'Aturan' },
    { label: 'Baru', numeric: true },
    { label: 'Selesai', numeric: true },
    { label: 'Dibuka lagi', numeric: true },
    { label: 'Aktif', numeric: true },
  ],
  rows: findingRows.map(([code, c]) => [html`<code>${code}</code>`, n(c.new), n(c.resolved), n(c.reopened), n(c.open)]),
  empty: 'Impor ini tidak mengubah temuan apa pun.',
})}`);
  }
  if (r.nibsQueued)
    sections.push(html`<p>NIB yang baru terlihat di sini, diantrekan untuk inqueryNIB: ${n(r.nibsQueued)}.</p>`);
  if (r.notes.length) {
    sections.push(html`<h3>Catatan pembaca ekspor</h3><ul>${r.notes.map((x) => html`<li>${x}</li>`)}</ul>`);
  }
  return html`${sections}</section>`;
}

function importsTable(rows: Awaited<ReturnType<typeof recentImportRuns>>, tz: string): SafeHtml {
  return dataTable({
    caption: 'Impor terakhir',
    columns: [
      { label: 'Run' },
      { label: 'Status' },
      { label: 'Berkas' },
      { label: 'Jenis ekspor' },
      { label: 'Oleh' },
      { label: 'Mulai' },
      { label: 'Dibaca', numeric: true },
      { label: 'Baru', numeric: true },
      { label: 'Berubah', numeric: true },
      { label: 'Ditolak', numeric: true },
    ],
    rows: rows.map((row) => {
      const info = ((row.scope as { import?: Record<string, unknown> } | null)?.import ?? {}) as Record<
        string,
        unknown
      >;
      // The export's own table comes first (its fetched count is the file's rows).
      const first = orderedStreams(row, row.streams ?? {})[0]?.[1].counts;
      return [
        html`<a href="/sinkronisasi/${row.id}">#${row.id}</a>`,
        runStatusBadge(row.status),
        typeof info.file === 'string' ? info.file : '-',
        exportTypeOf(row)?.title ?? (typeof info.export_type === 'string' ? info.export_type : '-'),
        row.requested_by ?? '-',
        timeText(row.started_at, tz),
        n(first?.fetched ?? 0),
        n(first?.inserted ?? 0),
        n(first?.updated ?? 0),
        n(first?.rejected ?? 0),
      ];
    }),
    empty: 'Belum ada impor.',
  });
}

export async function importPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const admin = { preHandler: requireRole(deps, 'admin') };
  const tz = deps.config.sync.timezone;
  const maxMb = Math.round(deps.config.web.uploadMaxBytes / 1_048_576);

  async function page(
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { status?: number; flash?: Flash; report?: SafeHtml } = {},
  ) {
    const recent = await recentImportRuns(deps.db, RECENT);
    const form = deps.importDeps
      ? html`<section class="card" aria-labelledby="unggah"><h2 id="unggah">Unggah ekspor dasbor OSS</h2>
<form method="post" action="/impor?_csrf=${encodeURIComponent(csrfToken(reply))}" enctype="multipart/form-data">
  <label class="field"><span>Tanggal snapshot (opsional; bila kosong: dari judul atau nama berkas)</span><input type="date" name="snapshot"></label>
  <label class="field"><span>Berkas ekspor (xlsx atau csv, paling besar ${maxMb} MB)</span><input type="file" name="berkas" accept=".xlsx,.csv" required></label>
  <div class="actions"><button type="submit">Unggah dan impor</button></div>
  <p class="hint">DP Proyek, DP NIB Kantor atau List Izin, apa adanya seperti diunduh dari dasbor OSS. Diimpor seperti
    <code>oss-sync import</code>, sebagai satu run atas nama Anda; tidak berjalan bersamaan dengan sinkronisasi.</p>
</form>
</section>`
      : html`<p class="flash flash-info">Unggahan dimatikan di proses ini. Impor lewat <code>oss-sync import BERKAS</code> atau folder impor (IMPORT_DIR).</p>`;
    return sendPage(req, reply, deps, {
      title: 'Impor',
      active: 'impor',
      body: html`${opts.report ?? ''}${form}${importsTable(recent, tz)}`,
      ...(opts.status ? { status: opts.status } : {}),
      ...(opts.flash ? { flash: opts.flash } : {}),
    });
  }

  app.get('/impor', admin, (req, reply) => page(req, reply));

  app.post('/impor', admin, async (req, reply) => {
    const refuse = (status: number, text: string) =>
      page(req, reply, { status, flash: { kind: 'error', text: `${text} Tidak ada yang ditulis.` } });
    const importDeps = deps.importDeps;
    if (!importDeps) return refuse(503, 'Unggahan dimatikan di proses ini.');
    if (deps.isStopping()) return refuse(503, 'oss-sync sedang berhenti: impor baru tidak dimulai.');
    if (!req.isMultipart()) return refuse(400, 'Kirim berkas lewat formulir unggah di halaman ini.');
    const part = await req.file();
    if (!part || part.filename === '') {
      part?.file.resume();
      return refuse(400, 'Pilih berkas ekspor untuk diunggah.');
    }
    const original = part.filename;
    const name = uploadName(original);
    const snapshotField = part.fields.snapshot;
    const snapshotRaw =
      snapshotField && !Array.isArray(snapshotField) && snapshotField.type === 'field'
        ? String(snapshotField.value).trim()
        : '';
    if (!hasAllowedExtension(name)) {
      // Read the rest of the body (and drop it) so the browser gets the answer instead of a reset connection.
      part.file.resume();
      await new Promise((resolve) => part.file.once('end', resolve).once('error', resolve));
      req.log.info({ by: actorOf(req), file: name }, 'console upload refused: not xlsx or csv');
      return refuse(
        422,
        `Berkas "${name}" ditolak: hanya ekspor dasbor OSS berformat .xlsx atau .csv yang dapat diimpor.`,
      );
    }
    const dir = await mkdtemp(join(tmpdir(), 'oss-sync-unggah-'));
    try {
      const path = join(dir, name);
      await pipeline(part.file, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      if (part.file.truncated) {
        return refuse(413, `Berkas "${name}" terlalu besar: batasnya ${maxMb} MB.`);
      }
      if (snapshotRaw !== '') {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(snapshotRaw);
        if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
          return refuse(400, `Tanggal snapshot "${snapshotRaw}" bukan tanggal yang sah (TTTT-BB-HH).`);
        }
      }
      const problem = contentProblem(name, await readHead(path));
      if (problem) {
        req.log.info({ by: actorOf(req), file: name, problem }, 'console upload refused by its content');
        return refuse(422, `${problem} Hanya ekspor dasbor OSS berformat xlsx atau csv yang dapat diimpor.`);
      }
      const outcome = await importInChildProcess(
        importDeps,
        path,
        {
          requestedBy: actorOf(req),
          reason: `unggahan konsol: ${name}`,
          ...(snapshotRaw ? { snapshotDate: snapshotRaw } : {}),
        },
        { heapMb: deps.config.imports.workerHeapMb, signal: deps.stopSignal },
      );
      if (outcome.kind === 'busy') {
        return refuse(409, `${await busyMessage(deps, await runningRunId(deps.db))} Lalu unggah berkasnya lagi.`);
      }
      if (outcome.kind === 'stopped') return refuse(503, 'oss-sync sedang berhenti: impor dihentikan.');
      if (outcome.kind === 'crashed') {
        req.log.error(
          { by: actorOf(req), file: name, reason: outcome.message },
          'console upload: import process crashed',
        );
        await audit(deps, req, 'import.upload', name, { file: name, outcome: 'crashed' });
        return refuse(500, `Proses impor berhenti sebelum selesai: ${outcome.message}`);
      }
      const r = outcome.result;
      await audit(deps, req, 'import.upload', r.runId ? `run:${r.runId}` : name, {
        file: name,
        status: r.refused ? 'refused' : r.status,
        runId: r.runId,
        bytes: r.bytes,
        rows: r.rows.read,
        rejected: r.rows.rejected,
      });
      req.log.info(
        { by: actorOf(req), file: name, runId: r.runId, status: r.status, refused: r.refused },
        'console upload imported',
      );
      const flash: Flash = r.refused
        ? { kind: 'error', text: `Berkas "${name}" ditolak; tidak ada yang ditulis.` }
        : r.status === 'succeeded'
          ? {
              kind: r.rows.rejected ? 'info' : 'ok',
              text: `Berkas "${name}" diimpor sebagai run #${r.runId}: ${n(r.rows.read)} baris dibaca, ${n(r.rows.rejected)} ditolak.`,
            }
          : { kind: 'error', text: `Impor "${name}" ${RUN_STATUS_LABELS.failed}; tidak ada barisnya yang disimpan.` };
      return page(req, reply, { status: r.refused ? 422 : 200, flash, report: importReport(r) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
