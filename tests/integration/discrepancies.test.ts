/*
 * End to end against the OSS simulator (tiny world): a full sync through runSync, a full evaluation, then the
 * simulator changes its world and an incremental sync + incremental evaluation must follow it.
 * - recall: every planted case of the manifest is found, as (rule, entity_type, entity_id);
 * - precision: nothing fires on the controls, and nothing fires that the manifest does not plant;
 * - lifecycle: after control.mutate, fixed cases auto-resolve with the run that resolved them, dismissed cases whose
 *   evidence changed reopen, dismissed cases whose evidence did not change stay dismissed;
 * - the incremental evaluation leaves the same state a full one would;
 * - a second unchanged sync leaves findings and events untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantedCase, type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { SyncDeps } from '../../src/sync/context.js';
import { evaluatePending } from '../../src/verification/evaluate.js';
import { transitionFinding } from '../../src/verification/lifecycle.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

let t: TestDatabase;
let sim: RunningSimulator;
let deps: SyncDeps;

interface Row {
  id: number;
  rule_code: string;
  entity_type: string;
  entity_id: string;
  status: string;
  evidence_hash: string;
  resolved_run_id: number | null;
}

const key = (r: { rule_code?: string; rule?: string; entity_type: string; entity_id: string }) =>
  `${r.rule_code ?? r.rule} ${r.entity_type} ${r.entity_id}`;

async function findings(): Promise<Row[]> {
  return t
    .db('findings')
    .orderBy('id')
    .select('id', 'rule_code', 'entity_type', 'entity_id', 'status', 'evidence_hash', 'resolved_run_id');
}

async function findingOf(c: PlantedCase): Promise<Row> {
  const row = await t
    .db('findings')
    .where({ rule_code: c.rule, entity_type: c.entity_type, entity_id: c.entity_id })
    .first();
  expect(row, key(c)).toBeDefined();
  return row as Row;
}

const eventCount = async () => Number((await t.db('finding_events').count({ n: '*' }))[0]?.n);

beforeAll(async () => {
  t = await createTestDatabase('discrepancies');
  sim = await startSimulator({ seed: 11, size: 'tiny', kdDaerah: '3317' });
  deps = await makeDeps(t, sim.url);
});
afterAll(async () => {
  await sim?.stop();
  await t?.drop();
});

describe('discrepancies against the simulator', () => {
  let firstRun = 0;

  it('finds every planted case after a full sync, and nothing on the controls', async () => {
    const run = await sync(deps, { full: true });
    expect(run.status).toBe('succeeded');
    firstRun = run.runId;
    // The sync evaluates the findings itself (the whole region after --full) and reports them.
    expect(run.findings && 'counts' in run.findings).toBe(true);
    const counts = run.findings && 'counts' in run.findings ? run.findings.counts : {};

    const rows = await findings();
    const found = new Set(rows.map(key));
    const planted = sim.manifest.planted;
    expect(planted.length).toBeGreaterThan(20);
    const missed = planted.filter((c) => !found.has(key(c)));
    expect(missed.map((c) => `${key(c)} (${c.note})`)).toEqual([]);

    const controls = new Set(sim.manifest.controls.map((c) => `${c.entity_type} ${c.entity_id}`));
    expect(rows.filter((r) => controls.has(`${r.entity_type} ${r.entity_id}`)).map(key)).toEqual([]);

    // Precision: every finding is planted, or a consequence the manifest allows on a planted entity.
    const allowed = new Set(planted.map(key));
    for (const c of planted) for (const also of c.alsoMayFire ?? []) allowed.add(key({ ...c, rule: also }));
    expect(rows.filter((r) => !allowed.has(key(r))).map(key)).toEqual([]);

    expect(Object.values(counts).reduce((a, c) => a + c.new, 0)).toBe(rows.length);
    expect(rows.every((r) => r.status === 'open')).toBe(true);
    const seen = await t.db('finding_runs').where({ run_id: run.runId }).count({ n: '*' });
    expect(Number(seen[0]?.n)).toBe(rows.length);
  });

  it('follows the simulator: fixed cases resolve, changed dismissed cases reopen, unchanged dismissed ones stay', async () => {
    const change = sim.control.mutate({ partnerships: 8, businesses: 4, licences: 3, fixPlanted: 3, changePlanted: 3 });
    expect(change.fixed.length).toBeGreaterThan(0);
    expect(change.evidenceChanged.length).toBeGreaterThan(0);

    // The verifier dismisses the cases whose evidence is about to change, and one that will not change.
    const touched = new Set([...change.fixed, ...change.evidenceChanged].map(key));
    const untouched = sim.manifest.planted.find(
      (c) => !touched.has(key(c)) && c.rule !== 'AWAITING_APPROVAL_STALE',
    ) as PlantedCase;
    for (const c of [...change.evidenceChanged, untouched]) {
      const f = await findingOf(c);
      await transitionFinding(t.db, f.id, { to: 'in_review', by: 'Sri Wahyuni' });
      await transitionFinding(t.db, f.id, { to: 'dismissed', by: 'Sri Wahyuni', note: 'sudah dicek di lapangan' });
    }

    const run = await sync(deps, {});
    expect(run.status).toBe('succeeded');
    expect(run.findings && 'changes' in run.findings ? run.findings.changes : 0).toBeGreaterThan(0);
    // An incremental sync evaluates what it changed and what depends on it.
    expect(run.findings && 'counts' in run.findings).toBe(true);
    const counts = run.findings && 'counts' in run.findings ? run.findings.counts : {};

    for (const c of change.fixed) {
      const f = await findingOf(c);
      expect(f.status, `${key(c)} fixed: ${c.note}`).toBe('resolved');
      expect(f.resolved_run_id).toBe(run.runId);
    }
    for (const c of change.evidenceChanged) {
      const f = await findingOf(c);
      expect(f.status, `${key(c)} changed: ${c.note}`).toBe('open');
      const last = await t.db('finding_events').where({ finding_id: f.id }).orderBy('id', 'desc').first();
      expect(last).toMatchObject({
        kind: 'reopened',
        from_status: 'dismissed',
        to_status: 'open',
        actor: 'system',
        run_id: run.runId,
      });
    }
    expect((await findingOf(untouched)).status).toBe('dismissed');
    expect(Object.values(counts).reduce((a, c) => a + c.resolved, 0)).toBe(change.fixed.length);
    expect(Object.values(counts).reduce((a, c) => a + c.reopened, 0)).toBe(change.evidenceChanged.length);

    // Recall still holds for what remains planted.
    const found = new Set((await findings()).filter((r) => r.status !== 'resolved').map(key));
    expect(sim.manifest.planted.filter((c) => !found.has(key(c))).map(key)).toEqual([]);

    // The incremental evaluation left what a full one would: a full evaluation now changes nothing.
    const full = await evaluatePending(t.db, { runId: null, now: new Date(), kdDaerah: '3317', all: true });
    const totals = Object.values(full.counts).reduce((a, c) => a + c.new + c.resolved + c.reopened, 0);
    expect(totals).toBe(0);
    expect(firstRun).toBeLessThan(run.runId);
  });

  it('a second unchanged sync leaves findings and events untouched', async () => {
    const before = await findings();
    const events = await eventCount();
    const run = await sync(deps, {});
    expect(run.status).toBe('succeeded');
    const { counts } = await evaluatePending(t.db, { runId: run.runId, now: new Date(), kdDaerah: '3317' });
    expect(Object.values(counts).reduce((a, c) => a + c.new + c.resolved + c.reopened, 0)).toBe(0);
    expect(await findings()).toEqual(before);
    expect(await eventCount()).toBe(events);
  });
});
