/*
 * What oss-sync tells people is true: withdrawals are detected even when a listing holds a record without an id; a
 * run whose OSS never answered has failed; live progress ends on each stream's real counts; exports carry no live
 * formula from OSS data or verifier notes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { listFindings } from '../../src/store/findings.js';
import type { StreamProgress } from '../../src/sync/context.js';
import { findingsCsv, type VisitFinding, writeFindingsXlsx } from '../../src/verification/findingsExport.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');

describe('withdrawals with a record without id in the listing', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('truth_withdraw');
    sim = await startSimulator({ seed: 61, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    expect((await sync(await makeDeps(t, sim.url), { streams: ['kemitraan'] })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('a full listing read to its end is complete: a record without an id protects nothing but counts', async () => {
    const active: string[] = await t
      .db('kemitraan')
      .whereNull('deleted_at')
      .orderBy('id_kemitraan')
      .pluck('id_kemitraan');
    const withdrawn = sim.control.withdraw(active.slice(2, 5));
    const blanked = active[7]!;
    // OSS serves this agreement without its id from now on: it is quarantined, and nothing names the stored one.
    expect(sim.world.updatePartnership(blanked, (rec) => Object.assign(rec, { id_kemitraan: '' }))).toBe(true);
    const full = await sync(await makeDeps(t, sim.url), { streams: ['kemitraan'], full: true });
    expect(full.status).toBe('succeeded');
    expect(full.streams.kemitraan?.note).toMatch(
      /listing read to its end: \d+ records with an id and 1 without one of \d+ announced; complete, 4 withdrawn agreements marked deleted/,
    );
    const deleted = await t.db('kemitraan').whereNotNull('deleted_at').orderBy('id_kemitraan').pluck('id_kemitraan');
    expect(deleted).toEqual([...withdrawn, blanked].sort());
    // And again: a later full run is not stuck judging the listing incomplete.
    const again = await sync(await makeDeps(t, sim.url), { streams: ['kemitraan'], full: true });
    expect(again.streams.kemitraan?.note).toMatch(/complete, no agreement withdrawn/);
  });
});

describe('what a run reports', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  beforeAll(async () => {
    t = await createTestDatabase('truth_runs');
    sim = await startSimulator({ seed: 62, size: 'tiny', now: WORLD_NOW, faults: { quota: null, latencyMs: 2 } });
  });
  afterAll(async () => {
    await sim.stop();
    await t.drop();
  });

  it('a sync whose OSS never answers has failed, and the streams after it did not run', async () => {
    const deps = await makeDeps(t, 'http://127.0.0.1:9/kl/rba', { OSS_MAX_RETRIES: '1', OSS_TIMEOUT_MS: '500' });
    const result = await sync(deps);
    expect(result.status).toBe('failed');
    expect(result.streams.kemitraan?.status).toBe('failed');
    for (const s of ['nib', 'izin'] as const) {
      expect(result.streams[s]).toMatchObject({
        status: 'skipped',
        note: 'not run: OSS could not be reached in an earlier stream',
      });
    }
    expect((await t.db('sync_runs').where({ id: result.runId }).first()).status).toBe('failed');
  });

  it('live progress ends on every stream with the counts it finished with', async () => {
    const last = new Map<string, StreamProgress>();
    const result = await sync(await makeDeps(t, sim.url), {
      onProgress: (p) => last.set(p.stream, { ...p, counts: { ...p.counts } }),
    });
    expect(result.status).toBe('succeeded');
    for (const s of ['kemitraan', 'nib', 'izin'] as const) {
      expect(last.get(s)?.counts, s).toEqual(result.streams[s]?.counts);
    }
    expect(result.streams.kemitraan?.counts.inserted).toBeGreaterThan(0);
    // What GET /syncs/:id reads from the row equals what the run returned.
    const row = await t.db('sync_runs').where({ id: result.runId }).first();
    for (const s of ['kemitraan', 'nib', 'izin']) expect(row.counts[s]).toEqual(result.streams[s as 'nib']?.counts);
  });
});

describe('exports carry no formula', () => {
  let t: TestDatabase;
  let dir: string;
  const hostile = ['=2+3', '+HYPERLINK("http://x")', '-1+1', '@SUM(A1)', '\tTAB', '\rCR'];
  beforeAll(async () => {
    t = await createTestDatabase('truth_formula');
    dir = mkdtempSync(join(tmpdir(), 'oss-sync-formula-'));
    await t.db('findings').insert(
      hostile.map((h, i) => ({
        rule_code: 'NIB_FORMAT',
        severity: 'error',
        entity_type: 'pelaku_usaha',
        entity_id: i === 0 ? h : `${i}`,
        status: 'dismissed',
        message: h,
        evidence: JSON.stringify({ nib: h }),
        evidence_hash: `h${i}`,
        note: h,
        verified_by: h,
        first_seen_at: new Date(),
        last_seen_at: new Date(),
        status_changed_at: new Date(),
      })),
    );
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.drop();
  });

  const formulaLike = /^[=+\-@\t\r]/;
  /** The planted findings as the export reads them (with the visit details of their entities, here none). */
  const visits = async (): Promise<VisitFinding[]> =>
    (await listFindings(t.db, { statuses: ['dismissed'] })).rows.map((f) => ({ ...f, visit: null, desa: null }));

  it('csv: no cell from OSS data or a verifier note starts with = + - @ tab or CR', async () => {
    const rows = await visits();
    expect(rows).toHaveLength(hostile.length);
    const cells: string[][] = parse(findingsCsv(rows), { delimiter: [',', ';'], relax_column_count: true });
    const offending = cells
      .slice(1)
      .flat()
      .filter((c) => formulaLike.test(c));
    expect(offending).toEqual([]);
    // The text is kept, readable, behind the quote.
    expect(cells.slice(1).flat()).toContain(`'=2+3`);
  });

  it('xlsx: no text cell starts with = + - @ tab or CR, and none is a formula', async () => {
    const rows = await visits();
    const file = join(dir, 'temuan.xlsx');
    await writeFindingsXlsx(rows, file, { statuses: ['dismissed'] });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const offending: string[] = [];
    wb.eachSheet((ws) =>
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.formula || (typeof cell.value === 'string' && formulaLike.test(cell.value)))
            offending.push(String(cell.value));
        }),
      ),
    );
    expect(offending).toEqual([]);
  });
});
