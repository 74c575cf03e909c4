/*
 * The verification queue of the web console below its pages, against a real Postgres holding the simulator's tiny
 * world (synced and evaluated): the queue's paging, orders, capped count, assignee filter and text search
 * (src/store/findings.ts), assignment of a finding to a verifier (src/verification/assignment.ts), and the bulk
 * actions and Indonesian refusals of the Temuan page (src/web/pages/findings.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { entityNibs, type FindingRow, listFindings } from '../../src/store/findings.js';
import { createUser, disableUser } from '../../src/store/users.js';
import { AssignmentError, assignFinding } from '../../src/verification/assignment.js';
import { FindingNotFoundError, IllegalTransitionError, transitionFinding } from '../../src/verification/lifecycle.js';
import { applyBulk, transitionMessage } from '../../src/web/pages/findings.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, sync } from '../helpers/sync.js';

let t: TestDatabase;
let sim: RunningSimulator;

const ACTIVE = ['open', 'in_review', 'confirmed'];

const ids = (rows: readonly FindingRow[]) => rows.map((r) => Number(r.id));

async function statusOf(id: number): Promise<string> {
  return (await t.db('findings').where({ id }).first('status')).status;
}

async function eventsOf(id: number) {
  return t
    .db('finding_events')
    .where({ finding_id: id })
    .orderBy('id')
    .select('kind', 'from_status', 'to_status', 'actor', 'note');
}

/** Open findings, oldest id first: each test takes its own so they do not depend on one another's moves. */
let pool: number[] = [];
const take = (n: number) => {
  const out = pool.slice(0, n);
  pool = pool.slice(n);
  expect(out).toHaveLength(n);
  return out;
};

beforeAll(async () => {
  t = await createTestDatabase('console_findings');
  sim = await startSimulator({ seed: 11, size: 'tiny', kdDaerah: '3317' });
  const deps = await makeDeps(t, sim.url);
  const run = await sync(deps, { full: true });
  expect(run.status).toBe('succeeded');
  for (const [username, role] of [
    ['vera', 'verifier'],
    ['rani', 'verifier'],
    ['admin', 'admin'],
    ['budi', 'viewer'],
    ['lama', 'verifier'],
  ] as const) {
    await createUser(t.db, { username, role, passwordHash: null, createdBy: 'test' });
  }
  await disableUser(t.db, 'lama');
  pool = (await t.db('findings').where({ status: 'open' }).orderBy('id').pluck('id')).map(Number);
  expect(pool.length).toBeGreaterThan(20);
});
afterAll(async () => {
  await sim?.stop();
  await t?.drop();
});

describe('the queue (listFindings)', () => {
  it('pages with limit/offset in a stable order: the pages together are the whole list, none twice', async () => {
    const all = await listFindings(t.db, { statuses: ACTIVE, order: 'severity' });
    expect(all.total).toBe(all.rows.length);
    expect(all.totalIsAtLeast).toBe(false);
    const pages: number[] = [];
    for (let offset = 0; offset < all.total; offset += 7) {
      const page = await listFindings(t.db, { statuses: ACTIVE, order: 'severity', limit: 7, offset });
      expect(page.total).toBe(all.total);
      pages.push(...ids(page.rows));
    }
    expect(pages).toEqual(ids(all.rows));
    // Most severe first, then newest first.
    const rank = (s: string) => ['error', 'warning', 'info'].indexOf(s);
    for (let i = 1; i < all.rows.length; i++) {
      const a = all.rows[i - 1]!;
      const b = all.rows[i]!;
      expect(rank(a.severity) <= rank(b.severity)).toBe(true);
      if (a.severity === b.severity) expect(a.first_seen_at.getTime() >= b.first_seen_at.getTime()).toBe(true);
    }
  });

  it('orders newest, oldest and by rule; without an order it keeps the CLI order (severity, rule, kecamatan)', async () => {
    const newest = ids((await listFindings(t.db, { order: 'newest' })).rows);
    const oldest = ids((await listFindings(t.db, { order: 'oldest' })).rows);
    expect(oldest).toEqual([...newest].reverse());
    const byRule = (await listFindings(t.db, { order: 'rule' })).rows.map((r) => r.rule_code);
    expect(byRule).toEqual([...byRule].sort());
    const cli = (await listFindings(t.db, {})).rows;
    const key = (r: FindingRow) =>
      `${['error', 'warning', 'info'].indexOf(r.severity)} ${r.rule_code} ${r.kd_kecamatan ?? '\uffff'}`;
    expect(cli.map(key)).toEqual([...cli.map(key)].sort());
  });

  it('caps the count: past countCap the total stops there and says so', async () => {
    const all = await listFindings(t.db, {});
    const capped = await listFindings(t.db, { countCap: 5, limit: 3 });
    expect(capped.rows).toHaveLength(3);
    expect(capped).toMatchObject({ total: 5, totalIsAtLeast: true });
    const roomy = await listFindings(t.db, { countCap: all.total });
    expect(roomy).toMatchObject({ total: all.total, totalIsAtLeast: false });
  });

  it('searches the entity id, the message, and the exact NIB of a partnership party or a project', async () => {
    const partnership = await t
      .db('findings as f')
      .join('kemitraan as k', 'k.id_kemitraan', 'f.entity_id')
      .where('f.entity_type', 'kemitraan')
      .whereNotNull('k.nib_umkm')
      .first('f.id', 'f.entity_id', 'k.nib_umkm');
    expect(partnership).toBeDefined();
    const byNib = await listFindings(t.db, { search: partnership.nib_umkm });
    expect(ids(byNib.rows)).toContain(Number(partnership.id));
    for (const r of byNib.rows) {
      // Every hit is about that NIB: its own finding, a partnership it is a party of, its project or licence, or a
      // message or id naming it.
      const about = await t.db.raw(
        `select exists(select 1 from kemitraan where id_kemitraan = ? and ? in (nib_ub, nib_umkm))
             or exists(select 1 from proyek where id_proyek = ? and nib = ?)
             or exists(select 1 from perizinan where id_izin = ? and nib = ?) as yes`,
        [r.entity_id, partnership.nib_umkm, r.entity_id, partnership.nib_umkm, r.entity_id, partnership.nib_umkm],
      );
      const named = r.entity_id.includes(partnership.nib_umkm) || r.message.includes(partnership.nib_umkm);
      expect(about.rows[0].yes || named, `finding #${r.id}`).toBe(true);
    }
    const part = partnership.entity_id.slice(2, 14);
    expect(ids((await listFindings(t.db, { search: part.toLowerCase() })).rows)).toContain(Number(partnership.id));

    const project = await t.db('findings').where({ entity_type: 'proyek' }).first('id', 'entity_type', 'entity_id');
    expect(project).toBeDefined();
    const nib = (await t.db('proyek').where({ id_proyek: project.entity_id }).first('nib')).nib as string;
    expect(ids((await listFindings(t.db, { search: nib })).rows)).toContain(Number(project.id));
    expect((await entityNibs(t.db, [project])).get(`proyek:${project.entity_id}`)).toBe(nib);

    const one = (await listFindings(t.db, { limit: 1 })).rows[0]!;
    const word = one.message.split(/\s+/).find((w) => w.length > 8)!;
    expect(ids((await listFindings(t.db, { search: word.toUpperCase() })).rows)).toContain(Number(one.id));
    // LIKE wildcards are literal: "%" matches only a message holding a "%".
    const percent = await listFindings(t.db, { search: '%' });
    expect(percent.rows.every((r) => r.message.includes('%') || r.entity_id.includes('%'))).toBe(true);
    expect((await listFindings(t.db, { search: 'tidak-ada-yang-begini-xyz' })).total).toBe(0);
  });
});

describe('assignment (assignFinding)', () => {
  it('assigns to a verifier with an event of kind assigned, keeps the status, and filters by assignee', async () => {
    const [id] = take(1) as [number];
    const r = await assignFinding(t.db, id, { to: 'VERA', by: 'admin' });
    expect(r).toMatchObject({ id, from: null, to: 'vera', changed: true });
    const row = await t.db('findings').where({ id }).first('status', 'assigned_to', 'assigned_at');
    expect(row).toMatchObject({ status: 'open', assigned_to: 'vera' });
    expect(row.assigned_at).toBeInstanceOf(Date);
    expect((await eventsOf(id)).at(-1)).toEqual({
      kind: 'assigned',
      from_status: 'open',
      to_status: 'open',
      actor: 'admin',
      note: 'Ditugaskan ke vera',
    });
    expect(ids((await listFindings(t.db, { assignedTo: 'Vera' })).rows)).toEqual([id]);
    expect(ids((await listFindings(t.db, { assignedTo: null })).rows)).not.toContain(id);

    // The same assignee again changes nothing and writes no event.
    const before = (await eventsOf(id)).length;
    expect(await assignFinding(t.db, id, { to: 'vera', by: 'admin' })).toMatchObject({ changed: false, to: 'vera' });
    expect(await eventsOf(id)).toHaveLength(before);

    // Reassigned, then withdrawn.
    await assignFinding(t.db, id, { to: 'admin', by: 'vera' });
    const withdrawn = await assignFinding(t.db, id, { to: null, by: 'vera' });
    expect(withdrawn).toMatchObject({ from: 'admin', to: null, changed: true });
    expect(await t.db('findings').where({ id }).first('assigned_to', 'assigned_at')).toEqual({
      assigned_to: null,
      assigned_at: null,
    });
    expect((await eventsOf(id)).slice(-2).map((e) => [e.actor, e.note])).toEqual([
      ['vera', 'Ditugaskan ke admin'],
      ['vera', 'Penugasan dicabut'],
    ]);
    expect(await statusOf(id)).toBe('open');
  });

  it('refuses a viewer, a disabled account and an unknown name in Indonesian, and an unknown finding', async () => {
    const [id] = take(1) as [number];
    const refusal = async (to: string) => {
      const err = await assignFinding(t.db, id, { to, by: 'vera' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AssignmentError);
      return (err as Error).message;
    };
    expect(await refusal('budi')).toBe(
      'budi bukan verifikator atau admin: temuan hanya dapat ditugaskan ke verifikator atau admin.',
    );
    expect(await refusal('lama')).toBe('Akun lama dinonaktifkan: tidak dapat ditugaskan.');
    expect(await refusal('siapa')).toBe('Tidak ada pengguna "siapa" untuk ditugaskan.');
    expect(await eventsOf(id)).toHaveLength(1);
    await expect(assignFinding(t.db, 987_654, { to: 'vera', by: 'vera' })).rejects.toBeInstanceOf(FindingNotFoundError);
  });
});

describe('bulk actions and the Indonesian refusals', () => {
  it('moves each selected finding, skips and names the ones the lifecycle refuses', async () => {
    const [a, b, c, d] = take(4) as [number, number, number, number];
    await transitionFinding(t.db, d, { to: 'in_review', by: 'rani' });
    await transitionFinding(t.db, d, { to: 'dismissed', by: 'rani', note: 'bukan masalah' });

    const review = await applyBulk(
      t.db,
      [a, b, c, d, 987_654],
      { kind: 'status', to: 'in_review' },
      {
        by: 'vera',
        note: null,
      },
    );
    // A dismissed finding may go back into review: only the unknown id is skipped.
    expect(review.done).toEqual([a, b, c, d]);
    expect(review.text).toBe('4 temuan dipindahkan ke Sedang diperiksa; 1 tidak: #987654 tidak ada.');
    expect(review.kind).toBe('info');

    const again = await applyBulk(t.db, [a, b], { kind: 'status', to: 'in_review' }, { by: 'vera', note: null });
    expect(again).toMatchObject({ kind: 'error', done: [] });
    expect(again.text).toBe(
      `0 temuan dipindahkan ke Sedang diperiksa; 2 tidak: #${a} sudah Sedang diperiksa, #${b} sudah Sedang diperiksa.`,
    );

    // Dismissing needs a note: without one nothing moves.
    const bare = await applyBulk(t.db, [a, b, c], { kind: 'status', to: 'dismissed' }, { by: 'vera', note: null });
    expect(bare).toMatchObject({ kind: 'error', done: [] });
    expect(bare.text).toBe('Catatan wajib diisi untuk menolak temuan; tidak ada temuan yang dipindahkan.');
    expect(await Promise.all([a, b, c].map(statusOf))).toEqual(['in_review', 'in_review', 'in_review']);

    const note = 'Dicek ke lokasi: data OSS sudah benar';
    const dismiss = await applyBulk(t.db, [a, b, c], { kind: 'status', to: 'dismissed' }, { by: 'vera', note });
    expect(dismiss).toMatchObject({
      kind: 'ok',
      done: [a, b, c],
      text: '3 temuan dipindahkan ke Ditolak (bukan masalah).',
    });
    for (const id of [a, b, c]) {
      expect(await statusOf(id)).toBe('dismissed');
      expect((await eventsOf(id)).at(-1)).toEqual({
        kind: 'transition',
        from_status: 'in_review',
        to_status: 'dismissed',
        actor: 'vera',
        note,
      });
    }

    // Dismissed → confirmed is two steps: skipped, with what to do first.
    const confirm = await applyBulk(t.db, [a], { kind: 'status', to: 'confirmed' }, { by: 'vera', note: null });
    expect(confirm.text).toBe(
      `0 temuan dipindahkan ke Terkonfirmasi; 1 tidak: #${a} masih Ditolak (bukan masalah): pindahkan dulu ke Sedang diperiksa.`,
    );
    expect(await applyBulk(t.db, [], { kind: 'status', to: 'open' }, { by: 'vera', note: null })).toMatchObject({
      kind: 'error',
      text: 'Pilih dulu temuan yang akan diproses.',
    });
  });

  it('assigns in bulk, and stops at the first refused assignee', async () => {
    const [a, b] = take(2) as [number, number];
    const r = await applyBulk(t.db, [a, b], { kind: 'assign', to: 'rani' }, { by: 'vera', note: null });
    expect(r).toMatchObject({ kind: 'ok', done: [a, b], text: '2 temuan ditugaskan ke rani.' });
    expect(await t.db('findings').whereIn('id', [a, b]).pluck('assigned_to')).toEqual(['rani', 'rani']);
    const refused = await applyBulk(t.db, [a, b], { kind: 'assign', to: 'budi' }, { by: 'vera', note: null });
    expect(refused.kind).toBe('error');
    expect(refused.text).toMatch(/^budi bukan verifikator atau admin/);
    const withdrawn = await applyBulk(t.db, [a, b], { kind: 'assign', to: null }, { by: 'vera', note: null });
    expect(withdrawn.text).toBe('2 temuan dicabut penugasannya.');
  });

  it('says why a single move is refused, in Indonesian, from the lifecycle error', async () => {
    const [open] = take(1) as [number];
    const refusal = async (to: string, note: string | null = null) => {
      const err = await transitionFinding(t.db, open, { to, by: 'vera', note }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IllegalTransitionError);
      return transitionMessage(err as IllegalTransitionError);
    };
    expect(await refusal('dismissed', 'catatan')).toBe(
      `Temuan #${open} tidak dapat dipindahkan dari Terbuka ke Ditolak (bukan masalah): periksa dulu (Sedang diperiksa).`,
    );
    expect(await refusal('open')).toBe(`Temuan #${open} sudah berstatus Terbuka.`);
    expect(await refusal('resolved')).toBe(
      'Status Selesai otomatis diberikan oleh evaluasi saat aturan tidak lagi berlaku, bukan oleh verifikator.',
    );
    await transitionFinding(t.db, open, { to: 'in_review', by: 'vera' });
    expect(await refusal('dismissed')).toBe('Catatan wajib diisi untuk menolak temuan.');
    await transitionFinding(t.db, open, { to: 'confirmed', by: 'vera' });
    expect(await refusal('open')).toBe(
      `Temuan #${open} tidak dapat dipindahkan dari Terkonfirmasi ke Terbuka: kembalikan dulu ke pemeriksaan (Sedang diperiksa).`,
    );
  });
});
