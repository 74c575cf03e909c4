import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/import/csv.js';
import { DP_PROYEK } from '../../src/import/exportTypes.js';
import { type ImportDeps, type ImportResult, importDropFolder, importExportFile } from '../../src/import/index.js';
import { wibDay } from '../../src/import/snapshot.js';
import { loadReference } from '../../src/reference.js';
import { type ExportCell, type WriteExportOptions, writeWorldExport } from '../../src/simulator/exports.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { tryRunLock } from '../../src/store/runs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, rowVersions, silentLog, sync } from '../helpers/sync.js';

/** The world is generated as of this instant; its exports carry this day (WIB) as their snapshot date. */
const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
const TYPES = ['dp_proyek', 'dp_nib_kantor', 'list_izin'] as const;
type Row = Record<string, unknown>;

let sim: RunningSimulator;
let api: TestDatabase;
let dir: string;

const depsOf = (t: TestDatabase): ImportDeps => ({
  db: t.db,
  databaseUrl: t.url,
  log: silentLog,
  now: () => new Date(),
  kdDaerah: '3317',
});
const importFile = (t: TestDatabase, path: string, snapshotDate?: string) =>
  importExportFile(depsOf(t), path, { requestedBy: 'test', ...(snapshotDate ? { snapshotDate } : {}) });

async function writeExport(name: string, opts: Omit<WriteExportOptions, 'world' | 'path'>): Promise<string> {
  const path = join(dir, name);
  await writeWorldExport({ world: sim.world, path, ...opts });
  return path;
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'oss-sync.js');

/** `oss-sync import …` from the command line against a test database. */
function cli(args: string[], t: TestDatabase): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        OSS_SYNC_FROM_SOURCE: '1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: t.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

async function rowsByKey(t: TestDatabase, sql: string, key: string): Promise<Map<string, Row>> {
  const r = await t.db.raw(sql);
  return new Map(r.rows.map((row: Row) => [String(row[key]), row]));
}

/** Compares every value an import stored (not null) with what the API sync stored for the same key. */
function compare(imported: Map<string, Row>, synced: Map<string, Row>, columns: string[]) {
  const mismatches: string[] = [];
  let compared = 0;
  let missing = 0;
  for (const [key, row] of imported) {
    const other = synced.get(key);
    if (!other) {
      missing++;
      continue;
    }
    for (const c of columns) {
      if (row[c] === null || row[c] === undefined) continue;
      compared++;
      if (String(row[c]) !== String(other[c])) mismatches.push(`${key}.${c}: import ${row[c]} ≠ api ${other[c]}`);
    }
  }
  return { mismatches, compared, missing };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oss-import-it-'));
  sim = await startSimulator({ seed: 11, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
  api = await createTestDatabase('import_api');
  const result = await sync(await makeDeps(api, sim.url));
  expect(result.status).toBe('succeeded');
});

afterAll(async () => {
  await sim?.stop();
  await api?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['csv', 'xlsx'] as const)('the three exports as %s', (format) => {
  let t: TestDatabase;
  const results: Partial<Record<(typeof TYPES)[number], ImportResult>> = {};
  beforeAll(async () => {
    t = await createTestDatabase(`import_${format}`);
    for (const type of TYPES) {
      const path = await writeExport(`${type}.${format}`, { type, format });
      results[type] = await importFile(t, path);
    }
  });
  afterAll(async () => {
    await t.drop();
  });

  it('recognises each export and records each import as a run with its file and checksum', async () => {
    for (const type of TYPES) {
      const r = results[type]!;
      expect(r.status).toBe('succeeded');
      expect(r.snapshotDate).toBe('2026-11-20');
      expect(r.snapshotFrom).toBe('title row');
      const run = await t.db('sync_runs').where({ id: r.runId }).first();
      expect(run).toMatchObject({ trigger: 'import', status: 'succeeded', requested_by: 'test' });
      expect(run.scope.import).toMatchObject({ file: `${type}.${format}`, sha256: r.sha256, export_type: type });
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      // Every row read is accounted for.
      const rows = r.rows;
      expect(rows.inserted + rows.updated + rows.unchanged + rows.older + rows.rejected).toBe(rows.read);
      expect(rows.duplicates).toBeGreaterThan(0);
    }
    expect(results.dp_proyek?.rows.inserted).toBeGreaterThan(100);
    expect(results.list_izin?.rows.inserted).toBeGreaterThan(50);
    // DP NIB Kantor meets the businesses DP Proyek created and adds its own fields to them.
    expect(results.dp_nib_kantor?.rows.updated).toBeGreaterThan(100);
  });

  it('lands DP Proyek with the values the API sync stored', async () => {
    const proyekSql = `select id_proyek, nib, jenis_proyek, skala_resiko, nama_kegiatan, skala_usaha, kbli, sektor,
        luas_tanah::text, satuan_luas_tanah, jumlah_investasi::text, tgl_pengajuan_proyek::text,
        coalesce(jumlah_tki, jumlah_tki_l + jumlah_tki_p) as jumlah_tki from proyek`;
    const imported = await rowsByKey(t, proyekSql, 'id_proyek');
    const p = compare(imported, await rowsByKey(api, proyekSql, 'id_proyek'), [
      'nib',
      'jenis_proyek',
      'skala_resiko',
      'nama_kegiatan',
      'skala_usaha',
      'kbli',
      'sektor',
      'luas_tanah',
      'satuan_luas_tanah',
      'jumlah_investasi',
      'tgl_pengajuan_proyek',
      'jumlah_tki',
    ]);
    expect(p.mismatches).toEqual([]);
    expect(p.missing).toBe(0);
    expect(p.compared).toBeGreaterThan(imported.size * 10);

    const lokasiSql = `select distinct on (id_proyek) id_proyek, nib, alamat_usaha, proyek_daerah_id, kd_kecamatan
        from proyek_lokasi where deleted_at is null order by id_proyek, coalesce(status_lokasi = '01', false) desc, id_proyek_lokasi`;
    const lokasi = await rowsByKey(t, lokasiSql, 'id_proyek');
    const l = compare(lokasi, await rowsByKey(api, lokasiSql, 'id_proyek'), [
      'nib',
      'alamat_usaha',
      'proyek_daerah_id',
      'kd_kecamatan',
    ]);
    expect(l.mismatches).toEqual([]);
    // Names the reference data knows became Kemendagri codes.
    const resolved = [...lokasi.values()].filter((r) => r.proyek_daerah_id !== null).length;
    expect(resolved).toBeGreaterThan(lokasi.size * 0.8);
  });

  it('lands DP NIB Kantor with the values the API sync stored', async () => {
    const sql = `select nib, nama_perseroan, tgl_terbit_nib::text, status_penanaman_modal, jenis_perseroan, skala_usaha,
        alamat_perseroan, kelurahan_perseroan, perseroan_daerah_id, kd_kecamatan from pelaku_usaha`;
    const imported = await rowsByKey(t, sql, 'nib');
    const c = compare(imported, await rowsByKey(api, sql, 'nib'), [
      'nama_perseroan',
      'tgl_terbit_nib',
      'status_penanaman_modal',
      'jenis_perseroan',
      'skala_usaha',
      'alamat_perseroan',
      'kelurahan_perseroan',
      'perseroan_daerah_id',
      'kd_kecamatan',
    ]);
    expect(c.mismatches).toEqual([]);
    expect(c.missing).toBe(0);
    expect(c.compared).toBeGreaterThan(imported.size * 5);
  });

  it('lands List Izin with the values the API sync stored', async () => {
    const sql = `select id_izin, nib, id_proyek, tgl_izin::text, jenis_izin, nama_izin, kewenangan, kd_status from perizinan`;
    const imported = await rowsByKey(t, sql, 'id_izin');
    const c = compare(imported, await rowsByKey(api, sql, 'id_izin'), [
      'nib',
      'id_proyek',
      'tgl_izin',
      'jenis_izin',
      'nama_izin',
      'kewenangan',
      'kd_status',
    ]);
    expect(c.mismatches).toEqual([]);
    expect(c.missing).toBe(0);
    // A status outside the code table is kept as written and reported, not guessed.
    const unknown = results.list_izin?.unknownDescriptions.find((u) => u.column === 'Status Perizinan');
    expect(unknown?.value).toBe('Izin terbit/SS terverifikasi');
    const kept = await t.db('perizinan').where({ uraian_status: unknown?.value }).first('kd_status');
    expect(kept).toEqual({ kd_status: null });
  });

  it('queues the NIBs it saw first for inqueryNIB and tags every value with its source', async () => {
    const queued = await t.db('nib_queue').pluck('nib');
    const nibs = await t.db('pelaku_usaha').where({ source: 'export' }).pluck('nib');
    expect(queued.sort()).toEqual(nibs.filter((n) => /^\d{13}$/.test(n)).sort());
    const tags = await t.db.raw(`select distinct source, source_date::text from proyek`);
    expect(tags.rows).toEqual([{ source: 'export', source_date: '2026-11-20' }]);
  });

  it('writes nothing when the same files are imported again', async () => {
    const before = await rowVersions(t);
    for (const type of TYPES) {
      const r = await importFile(t, join(dir, `${type}.${format}`));
      expect(r.status).toBe('succeeded');
      expect([r.rows.inserted, r.rows.updated]).toEqual([0, 0]);
      expect(r.earlierImports).toEqual([results[type]?.runId]);
    }
    expect(await rowVersions(t)).toEqual(before);
  });

  it('writes nothing for a newer snapshot holding the same values in the other format', async () => {
    const before = await rowVersions(t);
    const other = format === 'csv' ? 'xlsx' : 'csv';
    for (const type of TYPES) {
      const path = await writeExport(`${type}-later.${other}`, { type, format: other, snapshotDate: '2026-11-27' });
      const r = await importFile(t, path);
      expect(r.snapshotDate).toBe('2026-11-27');
      expect([r.rows.inserted, r.rows.updated]).toEqual([0, 0]);
    }
    expect(await rowVersions(t)).toEqual(before);
  });
});

describe('merging with API data', () => {
  const today = () => wibDay(new Date());
  /** Rows whose investment the edited exports change, and one project the API does not know. */
  const edited = new Set([3, 8, 13]);
  const edit = (row: Record<string, ExportCell>, i: number) => {
    if (edited.has(i)) {
      row['Jumlah Investasi'] = '999.000.000.000';
      row.nama_proyek = `${row.nama_proyek} (DIUBAH)`;
    }
    if (i === 20) row['Id Proyek'] = 'R-202401010000000009999';
    return row;
  };

  it('keeps newer API values against an older snapshot, fills what the API lacks, and adds what is new', async () => {
    const path = await writeExport('dp-proyek-old.csv', { type: 'dp_proyek', format: 'csv', transform: edit });
    const changedIds: string[] = [];
    await writeWorldExport({
      world: sim.world,
      type: 'dp_proyek',
      format: 'csv',
      path: join(dir, 'probe.csv'),
      transform: (row, i) => {
        if (edited.has(i)) changedIds.push(String(row['Id Proyek']));
        return row;
      },
    });
    const before = await rowsByKey(
      api,
      'select id_proyek, jumlah_investasi::text, nama_kegiatan, jumlah_tki from proyek',
      'id_proyek',
    );
    const r = await importFile(api, path);
    expect(r.status).toBe('succeeded');
    expect(r.snapshotDate).toBe('2026-11-20');
    expect(String(r.snapshotDate) < today()).toBe(true);
    for (const id of changedIds) {
      const row = await api.db('proyek').where({ id_proyek: id }).first();
      expect([row.jumlah_investasi, row.nama_kegiatan]).toEqual([
        before.get(id)?.jumlah_investasi,
        before.get(id)?.nama_kegiatan,
      ]);
      // The workforce total only the export reports fills the gap; the row says where each value came from.
      expect(row.jumlah_tki).toBe(row.jumlah_tki_l + row.jumlah_tki_p);
      expect(row.field_sources).toEqual({ '*': `inqueryNIB@${today()}`, jumlah_tki: 'export@2026-11-20' });
      expect(row.source_date).toBe(today());
    }
    const history = await api.db('change_history').where({ run_id: r.runId }).distinct('field').pluck('field');
    expect(history).toEqual(['jumlah_tki']);
    const fresh = await api.db('proyek').where({ id_proyek: 'R-202401010000000009999' }).first();
    expect(fresh).toMatchObject({ source: 'export', source_date: '2026-11-20', first_run_id: r.runId });
    // Nothing the API stored was overwritten: only gaps were filled and the unknown project was added.
    expect(r.rows.inserted).toBe(1);
  });

  it('lets a newer snapshot change what it carries, with history and per-value sources', async () => {
    const tomorrow = wibDay(new Date(Date.now() + 86_400_000));
    const path = await writeExport('dp-proyek-new.csv', { type: 'dp_proyek', format: 'csv', transform: edit });
    const r = await importFile(api, path, tomorrow);
    expect(r.rows.updated).toBe(3);
    const changed = await api.db('change_history').where({ run_id: r.runId }).select('entity_id', 'field');
    expect(new Set(changed.map((c) => c.field))).toEqual(new Set(['jumlah_investasi', 'nama_kegiatan']));
    const row = await api.db('proyek').where({ id_proyek: changed[0]?.entity_id }).first();
    expect(row.jumlah_investasi).toBe('999000000000');
    expect(row.source).toBe('export');
    expect(row.source_date).toBe(tomorrow);
    expect(row.field_sources).toMatchObject({
      jumlah_investasi: `export@${tomorrow}`,
      nama_kegiatan: `export@${tomorrow}`,
      jumlah_tki: 'export@2026-11-20',
    });
    expect(row.field_sources['*']).toBe(`inqueryNIB@${today()}`);
  });
});

describe('an API sync after an import', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('import_then_sync');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('inquires the NIBs the exports brought, and the API values take over with their own sources', async () => {
    const r = await importFile(t, await writeExport('before-sync.csv', { type: 'dp_proyek', format: 'csv' }));
    expect(r.nibsQueued).toBeGreaterThan(100);
    const result = await sync(await makeDeps(t, sim.url), { streams: ['nib'] });
    expect(result.status).toBe('succeeded');
    // Every queued NIB was inquired (stored, quarantined or known missing): the queue is empty.
    expect(await t.db('nib_queue').count({ n: '*' })).toEqual([{ n: 0 }]);
    const sources = await t.db.raw(
      `select source, count(*)::int as n from pelaku_usaha where source <> 'export' group by 1 order by 1`,
    );
    expect(sources.rows).toEqual([{ source: 'inqueryNIB', n: expect.any(Number) }]);
    // A project the API rewrote: its own values from inqueryNIB; the workforce total only the export had keeps its tag.
    const row = await t
      .db('proyek')
      .where({ source: 'inqueryNIB' })
      .whereNotNull('jumlah_tki')
      .first('id_proyek', 'field_sources', 'source_date', 'jumlah_tki', 'jumlah_tki_l', 'jumlah_tki_p');
    expect(row.source_date).toBeNull();
    expect(row.field_sources).toEqual({ jumlah_tki: 'export@2026-11-20' });
    expect(row.jumlah_tki).toBe(row.jumlah_tki_l + row.jumlah_tki_p);
    // History records data changes only, never the provenance bookkeeping.
    const fields = await t.db('change_history').where({ run_id: result.runId }).distinct('field').pluck('field');
    expect(fields).not.toContain('source_date');
    expect(fields).not.toContain('field_sources');
    expect(fields).not.toContain('jumlah_tki');
    // The API's own locations replace the ones the export described.
    const exportLocations = await t
      .db('proyek_lokasi')
      .where('id_proyek_lokasi', 'like', '%#L1')
      .whereNull('deleted_at');
    const apiLocations = await api.db('proyek_lokasi').whereIn(
      'id_proyek',
      exportLocations.map((l) => l.id_proyek),
    );
    expect(apiLocations).toEqual([]);
  });

  it('tags the status a licence status check changes, and keeps the export tag of the rest', async () => {
    const path = await writeExport('list-izin-stale.csv', {
      type: 'list_izin',
      format: 'csv',
      transform: (row, i) => {
        if (i < 5) row['Status Perizinan'] = 'Validasi';
        return row;
      },
    });
    // Dated after the API writes of the test above, so the export's statuses replace the API's.
    const r = await importFile(t, path, wibDay(new Date(Date.now() + 86_400_000)));
    expect(r.status).toBe('succeeded');
    const stale = await t.db('perizinan').where({ kd_status: '20', source: 'export' }).pluck('id_izin');
    expect(stale.length).toBeGreaterThan(0);
    const result = await sync(await makeDeps(t, sim.url), { streams: ['izin'] });
    expect(result.status).toBe('succeeded');
    const row = await t.db('perizinan').whereIn('id_izin', stale).where({ source: 'checkLicenseStatus' }).first();
    expect(row.kd_status).toBe(sim.world.getLicence(row.id_izin)?.kd_status);
    expect(row.source_date).toBeNull();
    expect(row.field_sources).toMatchObject({
      '*': `inqueryNIB@${wibDay(new Date())}`,
      kd_status: `checkLicenseStatus@${wibDay(new Date())}`,
    });
  });
});

describe('bad rows and wrong files', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('import_bad');
  });
  afterAll(async () => {
    await t.drop();
  });

  it.each(['csv', 'xlsx'] as const)(
    'quarantines bad %s rows with file, sheet, row and column, and imports the rest',
    async (format) => {
      const path = await writeExport(`bad.${format}`, {
        type: 'dp_proyek',
        format,
        transform: (row, i) => {
          if (i === 4) row['Jumlah Investasi'] = 'banyak';
          if (i === 9) row['Day of Tanggal Pengajuan Proyek'] = '31 Februari 2023';
          if (i === 12) row['Id Proyek'] = '';
          return row;
        },
      });
      const r = await importFile(t, path);
      expect(r.status).toBe('succeeded');
      // Data row i sits under two title rows and the header: row (line) i + 4. The world plants one more bad date.
      const quarantined = await t
        .db('quarantine')
        .where({ stream: 'export:dp_proyek' })
        .whereRaw(`location->>'file' = ?`, [`bad.${format}`])
        .select('location', 'issues', 'entity_id', 'first_run_id');
      const byRow = new Map(quarantined.map((q) => [q.location.row as number, q]));
      expect(byRow.get(8)?.location).toEqual({
        file: `bad.${format}`,
        sheet: format === 'xlsx' ? 'DP Proyek' : null,
        row: 8,
        column: 'Jumlah Investasi',
      });
      expect(byRow.get(8)?.issues[0]).toMatchObject({ path: 'Jumlah Investasi', got: 'banyak' });
      expect(byRow.get(13)?.location.column).toBe('Day of Tanggal Pengajuan Proyek');
      expect(byRow.get(16)?.location.column).toBe('Id Proyek');
      expect(byRow.get(16)?.entity_id).toBeNull();
      expect(r.rows.rejected).toBe(4);
      // The world's own bad row is the same in both files: quarantined once, by the first import.
      expect(r.quarantined).toBe(quarantined.filter((q) => q.first_run_id === r.runId).length);
      expect(r.quarantined).toBe(format === 'csv' ? 4 : 3);
      expect(r.rejections.map((x) => x.column)).toEqual(
        expect.arrayContaining([
          'Jumlah Investasi',
          'Day of Tanggal Pengajuan Proyek',
          'Id Proyek',
          'Tanggal Terbit Oss',
        ]),
      );
      expect(r.rows.inserted + r.rows.unchanged).toBe(r.rows.read - 4);
    },
  );

  it.each([
    [
      'an export lacking two headers',
      `${DP_PROYEK.headers.filter((h) => h !== 'Kbli' && h !== 'TKI').join(',')}\n1,R-1,Utama\n`,
      'wrong.csv',
      /Closest: "DP Proyek" \(20 of 22 headers, row 1\); missing: "Kbli", "TKI"/,
    ],
    [
      'a partnership list',
      'id_kemitraan,nib_ub,nib_umkm\nK-1,1,2\n',
      'kemitraan.csv',
      /not a known OSS export .*no header row found/,
    ],
    ['a file that is not csv or xlsx', '%PDF-1.4', 'laporan.pdf', /only \.csv and \.xlsx are imported/],
    ['an xlsx that is not a workbook', 'not a zip', 'rusak.xlsx', /cannot be read as xlsx|not a known OSS export/],
  ])('refuses %s before writing anything', async (_n, content, name, message) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    const before = await rowVersions(t);
    const runs = await t.db('sync_runs').count({ n: '*' });
    const r = await importFile(t, path);
    expect(r.refused).toBe(true);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(message);
    expect(await rowVersions(t)).toEqual(before);
    expect(await t.db('sync_runs').count({ n: '*' })).toEqual(runs);
  });
});

describe('every import row is validated like an API record', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('import_strict');
  });
  afterAll(async () => {
    await t.drop();
  });

  /** Edits the csv line that holds `marker` (the file's lines end in CRLF). */
  const editLine = (path: string, marker: string, edit: (line: string) => string) => {
    const lines = readFileSync(path, 'utf8').split('\r\n');
    const i = lines.findIndex((l) => l.includes(marker));
    expect(i).toBeGreaterThan(0);
    lines[i] = edit(lines[i]!);
    writeFileSync(path, lines.join('\r\n'));
  };

  it('rejects the nine broken rows of a newer DP Proyek snapshot at their row, stores none of their values, and exits 3', async () => {
    const opts = { world: sim.world, type: 'dp_proyek', format: 'csv', duplicateFraction: 0 } as const;
    const base = await writeWorldExport({ ...opts, path: join(dir, 'strict-base.csv') });
    const r0 = await importFile(t, base.path);
    expect(r0.status).toBe('succeeded');
    const lineOf = (i: number) => base.headerRow + 1 + i;
    // The world's own bad rows (rejected by the first import too) are left alone.
    const worldBad = new Set(
      (
        await t.db('quarantine').where({ first_run_id: r0.runId }).select(t.db.raw(`(location->>'row')::int as row`))
      ).map((q: { row: number }) => q.row),
    );
    const free = [...Array(base.rows).keys()].filter((i) => i >= 2 && !worldBad.has(lineOf(i)));
    expect(free.length).toBeGreaterThan(20);
    type Nine = [number, number, number, number, number, number, number, number, number];
    const [changed, investasi, nib, kbli, tki, skala, terbit, fresh, short] = free.slice(0, 9) as Nine;
    // A quote that is never closed, three rows before the end: the line after it is read into its cell.
    const unterminated = free.filter((i) => i <= base.rows - 4).at(-1)!;
    const ids: string[] = [];
    const nibs: string[] = [];
    const path = join(dir, 'strict-new.csv');
    await writeWorldExport({
      ...opts,
      path,
      snapshotDate: '2026-11-27',
      transform: (row, i) => {
        ids[i] = String(row['Id Proyek']);
        nibs[i] = String(row.Nib);
        if (i === changed) row.nama_proyek = `${row.nama_proyek} (DIUBAH)`;
        if (i === investasi) row['Jumlah Investasi'] = 'sepuluh juta';
        if (i === nib) row.Nib = '12345';
        if (i === kbli) row.Kbli = 'ABCDE';
        if (i === tki) row.TKI = '-5';
        if (i === skala) row['Uraian Skala Usaha'] = 'Raksasa';
        if (i === terbit) row['Tanggal Terbit Oss'] = '2099-01-01';
        if (i === fresh) row['Id Proyek'] = 'R-XYZ';
        if (i === short) row.nama_proyek = 'ROW-CUT-SHORT';
        if (i === unterminated) row.TKI = 'QUOTE-NOT-CLOSED';
        return row;
      },
    });
    editLine(path, 'ROW-CUT-SHORT', (l) =>
      (parseCsvSync(l, { relax_quotes: true })[0] as string[])
        .slice(0, 10)
        .map((c) => csvField(c))
        .join(','),
    );
    editLine(path, 'QUOTE-NOT-CLOSED', (l) => l.replace('QUOTE-NOT-CLOSED', '"12'));
    const proyekBefore = await rowsByKey(t, 'select * from proyek', 'id_proyek');
    const pelakuBefore = await rowsByKey(t, 'select * from pelaku_usaha', 'nib');

    const r = await importFile(t, path);
    expect(r.status).toBe('succeeded');
    const carriedOver = [...worldBad].filter((l) => l < lineOf(unterminated)).length;
    expect(r.rows.rejected).toBe(9 + carriedOver);
    const quarantined = await t
      .db('quarantine')
      .whereRaw(`location->>'file' = ?`, ['strict-new.csv'])
      .select('location', 'issues');
    const at = new Map(quarantined.map((q) => [q.location.row as number, q]));
    const expectAt = (i: number, column: string, reason: RegExp) => {
      const q = at.get(lineOf(i));
      expect(q?.location, `row ${lineOf(i)}`).toEqual({ file: 'strict-new.csv', sheet: null, row: lineOf(i), column });
      expect(q?.issues.map((x: { message: string }) => x.message).join(' ')).toMatch(reason);
    };
    expectAt(investasi, 'Jumlah Investasi', /sepuluh juta/);
    expectAt(nib, 'Nib', /13 digits/);
    expectAt(kbli, 'Kbli', /ABCDE/);
    expectAt(tki, 'TKI', /-5/);
    expectAt(skala, 'Uraian Skala Usaha', /Raksasa/);
    expectAt(terbit, 'Tanggal Terbit Oss', /2099-01-01.*d\/m\/Y/);
    expectAt(fresh, 'Id Proyek', /R-XYZ/);
    expectAt(short, 'Uraian Skala Usaha', /10 cells.*23/);
    expectAt(unterminated, 'TKI', /quote in this cell is not closed/);

    // No broken value replaced a stored one, and nothing the broken rows named was created.
    const proyekAfter = await rowsByKey(t, 'select * from proyek', 'id_proyek');
    const pelakuAfter = await rowsByKey(t, 'select * from pelaku_usaha', 'nib');
    for (const i of [investasi, nib, kbli, tki, skala, short, unterminated, ...range(unterminated + 1, base.rows)]) {
      expect(proyekAfter.get(ids[i]!), `project of row ${lineOf(i)}`).toEqual(proyekBefore.get(ids[i]!));
    }
    expect(pelakuAfter.get(nibs[terbit]!)?.tgl_terbit_nib).toEqual(pelakuBefore.get(nibs[terbit]!)?.tgl_terbit_nib);
    expect(pelakuAfter.has('12345')).toBe(false);
    expect(proyekAfter.has('R-XYZ')).toBe(false);
    expect(proyekAfter.size).toBe(proyekBefore.size);
    // A good row of the same file is stored.
    expect(proyekAfter.get(ids[changed]!)?.nama_kegiatan).toMatch(/\(DIUBAH\)$/);

    // The command line says so in its exit code; the same rows are not quarantined twice.
    const ran = await cli(['import', path], t);
    expect(ran.stdout).toMatch(new RegExp(`${r.rows.rejected} rejected`));
    expect(ran.code).toBe(3);
    expect(await t.db('quarantine').whereRaw(`location->>'file' = ?`, ['strict-new.csv']).count({ n: '*' })).toEqual([
      { n: quarantined.length },
    ]);
  });
  it('rejects a row whose cell is past the cell limit at its row and column, and imports the rest', async () => {
    let id = '';
    const path = await writeExport('long-name.csv', {
      type: 'dp_proyek',
      format: 'csv',
      transform: (row, i) => {
        if (i === 6) {
          id = String(row['Id Proyek']);
          row.nama_proyek = 'PABRIK '.repeat(100);
        }
        return row;
      },
    });
    const r = await importExportFile({ ...depsOf(t), limits: { maxCellChars: 200 } }, path, { requestedBy: 'test' });
    expect(r.status).toBe('succeeded');
    const q = await t
      .db('quarantine')
      .whereRaw(`location->>'file' = ?`, ['long-name.csv'])
      .whereRaw(`(location->>'row')::int = ?`, [10])
      .first('location', 'issues', 'entity_id');
    expect(q.location).toEqual({ file: 'long-name.csv', sheet: null, row: 10, column: 'nama_proyek' });
    expect(q.entity_id).toBe(id);
    expect(q.issues[0].message).toMatch(/IMPORT_MAX_CELL_CHARS/);
    expect(r.rejections.map((x) => x.column)).toContain('nama_proyek');
    const stored = await t.db('proyek').where({ id_proyek: id }).first('nama_kegiatan');
    expect(stored.nama_kegiatan).not.toMatch(/^PABRIK PABRIK/);
  });
});

describe('findings follow an import', () => {
  let k: TestDatabase;
  beforeAll(async () => {
    k = await createTestDatabase('import_findings');
  });
  afterAll(async () => {
    await k.drop();
  });

  it('raises KBLI_INVALID when an import gives a project a KBLI outside KBLI 2020, with no sync', async () => {
    const opts = { world: sim.world, type: 'dp_proyek', format: 'csv', duplicateFraction: 0 } as const;
    const first = await importFile(k, (await writeWorldExport({ ...opts, path: join(dir, 'kbli-base.csv') })).path);
    expect(first.status).toBe('succeeded');
    const kbli = loadReference().kbli;
    const invalid = '98765';
    expect(kbli[invalid]).toBeUndefined();
    let id: string | null = null;
    const path = join(dir, 'kbli-new.csv');
    await writeWorldExport({
      ...opts,
      path,
      snapshotDate: '2026-11-27',
      transform: (row) => {
        if (id === null && kbli[String(row.Kbli)] !== undefined) {
          id = String(row['Id Proyek']);
          row.Kbli = invalid;
        }
        return row;
      },
    });
    const finding = () =>
      k.db('findings').where({ rule_code: 'KBLI_INVALID', entity_type: 'proyek', entity_id: id }).first();
    expect(await finding()).toBeUndefined();
    const r = await importFile(k, path);
    expect(r.status).toBe('succeeded');
    expect((await k.db('proyek').where({ id_proyek: id }).first()).kbli).toBe(invalid);
    const f = await finding();
    expect(f).toMatchObject({ status: 'open', last_run_id: r.runId });
    expect(f.message).toContain(invalid);
    expect(await k.db('sync_runs').whereNot({ trigger: 'import' }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});

describe('the write lifecycle', () => {
  let f: TestDatabase;
  beforeAll(async () => {
    f = await createTestDatabase('import_fence');
  });
  afterAll(async () => {
    await f.drop();
  });

  it('rolls every table back when another process closed its run before the commit (the fence)', async () => {
    const path = await writeExport('fence.csv', { type: 'dp_proyek', format: 'csv' });
    // Hold the NIB queue, the import's last write, so the run can be closed while the import waits for it.
    const blocker = new pg.Client({ connectionString: f.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table nib_queue in exclusive mode');
    const importing = importFile(f, path);
    for (let waited = 0; ; waited++) {
      const r = await f.db.raw(
        `select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and application_name like 'oss-sync import%' and datname = current_database()`,
      );
      if (r.rows[0].n > 0) break;
      expect(waited).toBeLessThan(600);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [run] = await f.db('sync_runs').where({ status: 'running' }).select('id');
    await f.db('sync_runs').where({ id: run.id }).update({ status: 'failed', error: 'closed by another process' });
    await blocker.query('commit');
    await blocker.end();

    const r = await importing;
    expect(r.status).toBe('failed');
    expect(r.runId).toBe(Number(run.id));
    expect(r.error).toMatch(/lost its run lock/);
    for (const table of ['proyek', 'pelaku_usaha', 'proyek_lokasi', 'nib_queue', 'quarantine']) {
      expect(await f.db(table).count({ n: '*' }), table).toEqual([{ n: 0 }]);
    }
    expect(await f.db('sync_runs').where({ id: run.id }).first('status')).toEqual({ status: 'failed' });
  });
});

describe('the drop folder', () => {
  let t: TestDatabase;
  let drop: string;
  beforeAll(async () => {
    t = await createTestDatabase('import_drop');
    drop = join(dir, 'drop');
    mkdirSync(drop, { recursive: true });
  });
  afterAll(async () => {
    await t.drop();
  });

  const age = (path: string) => {
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(path, old, old);
  };

  it('imports settled files into imported/, refused ones into failed/, each with a report; a file still being written waits', async () => {
    await writeWorldExport({ world: sim.world, type: 'list_izin', format: 'xlsx', path: join(drop, 'list izin.xlsx') });
    age(join(drop, 'list izin.xlsx'));
    writeFileSync(join(drop, 'catatan.csv'), 'judul,isi\nrapat,besok\n');
    age(join(drop, 'catatan.csv'));
    writeFileSync(join(drop, 'dp_proyek.csv'), `${DP_PROYEK.headers.join(',')}\n`);
    const outcomes = await importDropFolder(depsOf(t), drop, { minAgeMs: 60_000 });
    expect(outcomes.map((o) => [o.file, o.status]).sort()).toEqual([
      ['catatan.csv', 'failed'],
      ['dp_proyek.csv', 'waiting'],
      ['list izin.xlsx', 'imported'],
    ]);
    expect(existsSync(join(drop, 'imported', 'list izin.xlsx'))).toBe(true);
    expect(readFileSync(join(drop, 'imported', 'list izin.xlsx.report.txt'), 'utf8')).toMatch(
      /SUCCEEDED .* List Izin/s,
    );
    expect(existsSync(join(drop, 'failed', 'catatan.csv'))).toBe(true);
    expect(readFileSync(join(drop, 'failed', 'catatan.csv.report.txt'), 'utf8')).toMatch(
      /REFUSED.*not a known OSS export/s,
    );
    expect(existsSync(join(drop, 'dp_proyek.csv'))).toBe(true);
    expect(await t.db('perizinan').count({ n: '*' })).not.toEqual([{ n: 0 }]);
  });

  it('leaves files in place while a sync holds the run lock, and keeps both copies of a name imported twice', async () => {
    await writeWorldExport({ world: sim.world, type: 'list_izin', format: 'xlsx', path: join(drop, 'list izin.xlsx') });
    age(join(drop, 'list izin.xlsx'));
    const lock = await tryRunLock(t.url);
    expect(lock).not.toBeNull();
    try {
      const waiting = await importDropFolder(depsOf(t), drop, { minAgeMs: 60_000 });
      expect(waiting.find((o) => o.file === 'list izin.xlsx')?.status).toBe('waiting');
      expect(existsSync(join(drop, 'list izin.xlsx'))).toBe(true);
    } finally {
      await lock?.release();
    }
    const after = await importDropFolder(depsOf(t), drop, { minAgeMs: 60_000 });
    const moved = after.find((o) => o.file === 'list izin.xlsx');
    expect(moved?.status).toBe('imported');
    expect(moved?.movedTo).toMatch(/imported\/list izin\.\d{8}T\d{6}Z\.xlsx$/);
    expect(moved?.result?.rows.inserted).toBe(0);
  });
});
