/*
 * What the commands print after a real sync from the simulator: times in WIB, --json with the numbers of the human
 * output, and the field-visit sheet (xlsx and csv) as a verifier opens it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { EXPORT_HEADERS } from '../../src/verification/findingsExport.js';
import { cli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
/** The WIB wall time of an instant, to the minute, as the CLI prints it. */
const wib = (d: Date) => `${new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}`;

describe('command output after a sync', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'oss-sync-output-'));
  beforeAll(async () => {
    t = await createTestDatabase('cli_output');
    sim = await startSimulator({ seed: 21, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    env = {
      DATABASE_URL: t.url,
      OSS_BASE_URL: sim.url,
      OSS_USER_KEY: 'sandbox-key',
      OSS_RATE_LIMIT_RPS: '1000',
      OSS_CONCURRENCY: '8',
      LOG_LEVEL: 'warn',
    };
    const ran = await cli(['sync', '--json'], env);
    expect(ran.code).toBe(0);
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('sync --json parses, with per-stream counts and rate wait, and a second run says nothing changed', async () => {
    const ran = await cli(['sync', '--json'], env);
    const result = JSON.parse(ran.stdout);
    expect(Object.keys(result.streams)).toEqual(['kemitraan', 'nib', 'izin']);
    expect(result.streams.kemitraan).toHaveProperty('rateWaitMs');
    const run = await t.db('sync_runs').where({ id: result.runId }).first();
    expect(run.status).toBe(result.status);
    const human = await cli(['sync'], env);
    expect(human.stdout).toContain('Nothing changed: OSS has no new or changed records since the last run.');
  });

  it('a dry run says so at the top and the bottom of its summary', async () => {
    const ran = await cli(['sync', '--dry-run'], env);
    const lines = ran.stdout.trim().split('\n');
    expect(lines[0]).toBe('DRY RUN: nothing was written');
    expect(lines.at(-1)).toBe('DRY RUN: nothing was written');
    expect(ran.stdout).toMatch(/Would have inquired \d+ NIBs/);
  });

  it('status prints WIB times; status --json has the same numbers', async () => {
    const human = await cli(['status'], env);
    const last = await t.db('sync_runs').orderBy('id', 'desc').first();
    expect(human.stdout).toContain('started (WIB)');
    expect(human.stdout).toContain(`${wib(last.started_at)}`);
    expect(human.stdout).not.toContain('(UTC)');
    const json = JSON.parse((await cli(['status', '--json'], env)).stdout);
    expect(json.runs[0].id).toBe(last.id);
    const row = human.stdout.split('\n').find((l) => new RegExp(`^\\s*${last.id}\\s`).test(l)) as string;
    expect(row).toContain(json.runs[0].fetched.toLocaleString('en-US'));
    const queue = /NIB queue: (\d+) waiting/.exec(human.stdout)?.[1];
    expect(Number(queue)).toBe(json.nibQueue.waiting);
  });

  it('discrepancies list --json and show --json match the human output; show prints WIB', async () => {
    const human = await cli(['discrepancies', 'list', '--status', 'all', '--limit', '1000'], env);
    const json = JSON.parse(
      (await cli(['discrepancies', 'list', '--status', 'all', '--limit', '1000', '--json'], env)).stdout,
    );
    expect(human.stdout).toMatch(new RegExp(`^${json.total.toLocaleString('id-ID').replace('.', '\\.')} temuan`));
    const first = json.findings[0];
    const show = await cli(['discrepancies', 'show', String(first.id)], env);
    expect(show.stdout).toContain(`Temuan #${first.id} · ${first.rule}`);
    expect(show.stdout).toContain(`pertama ${wib(new Date(first.firstSeenAt))} WIB`);
    expect(show.stdout).toContain('waktu (WIB)');
    const showJson = JSON.parse((await cli(['discrepancies', 'show', String(first.id), '--json'], env)).stdout);
    expect(showJson.id).toBe(first.id);
    expect(showJson.events.length).toBeGreaterThan(0);
    const missing = await cli(['discrepancies', 'show', '99999999'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('oss-sync discrepancies: galat: temuan #99999999 tidak ada\n');
  });

  it('the field-visit xlsx: new columns, A4 landscape fit to width, header repeated, dates typed, route order', async () => {
    const file = join(dir, 'kunjungan.xlsx');
    const ran = await cli(['discrepancies', 'export', '--format', 'xlsx', '--output', file], env);
    expect(ran.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Temuan') as ExcelJS.Worksheet;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([...EXPORT_HEADERS]);
    for (const h of [
      'Nama Usaha',
      'Alamat',
      'Desa/Kelurahan',
      'Lintang',
      'Bujur',
      'Tanggal Kunjungan',
      'Petugas',
      'Hasil Kunjungan',
    ]) {
      expect(header).toContain(h);
    }
    expect(ws.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
    });
    expect(ws.pageSetup.printTitlesRow).toBe('1:1');
    const col = (name: string) => EXPORT_HEADERS.indexOf(name) + 1;
    const rows = Array.from({ length: ws.actualRowCount - 1 }, (_, i) => ws.getRow(i + 2));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]?.getCell(col('Pertama Terlihat')).value).toBeInstanceOf(Date);
    const partnership = rows.find((r) => r.getCell(col('Jenis Entitas')).value === 'Kemitraan');
    expect(String(partnership?.getCell(col('Nama Usaha')).value)).toMatch(/UB: .+\nUMKM: .+/);
    const kec = rows.map((r) => String(r.getCell(col('Kecamatan')).value ?? '\uffff'));
    expect(kec).toEqual([...kec].sort((a, b) => a.localeCompare(b, 'id')));
    const summary = wb.getWorksheet('Ringkasan') as ExcelJS.Worksheet;
    expect((summary.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Kode Aturan',
      'Aturan',
      'Tingkat',
      'Jumlah Temuan',
    ]);
    const total = summary.getColumn(1).values.indexOf('Jumlah');
    expect(summary.getRow(total).getCell(4).value).toBe(rows.length);
  });

  it('the csv uses ; by default and , with --delimiter ,', async () => {
    const file = join(dir, 'kunjungan.csv');
    expect((await cli(['discrepancies', 'export', '--format', 'csv', '--output', file], env)).code).toBe(0);
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toBe(EXPORT_HEADERS.join(';'));
    const comma = await cli(['discrepancies', 'export', '--format', 'csv', '--delimiter', ','], env);
    expect(comma.stdout.split('\r\n')[0]).toBe(EXPORT_HEADERS.join(','));
  });
});
