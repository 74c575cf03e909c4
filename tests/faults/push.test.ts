/*
 * The push receiver under hostile input, against `serve` as a real child process on a real Postgres: nesting at
 * every depth up to the whole body, brackets hidden in strings, bytes that are not UTF-8, characters Postgres cannot
 * store, no content type, and rejected pushes from many addresses. No push is ever answered 503 (OSS would resend
 * it forever), and the inbox stays small. Prints what each case cost the inbox.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushToken, wibCompactDate } from '../../src/http/pushToken.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { http, postFrom, type ServeProcess, spawnServe, stopAllServe, waitFor } from '../helpers/serveEntry.js';

const PUSH_USER = 'oss-push-rembang';
const PUSH_PASS = 'p4ss-w0rd';
const tokenFor = (nib: string) => pushToken(PUSH_USER, PUSH_PASS, nib, wibCompactDate(new Date()));
const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

function document(nib: string, extra: Record<string, unknown> = {}) {
  return {
    nib,
    oss_id: `P02-20240314093012456${nib.slice(-4)}`,
    tgl_pengajuan_nib: '2024-03-14',
    tgl_terbit_nib: '2024-03-14',
    tgl_perubahan_nib: '2026-11-20',
    jenis_pelaku_usaha: '01',
    skala_usaha: '01',
    nama_perseroan: 'UD KERANG LASEM',
    perseroan_daerah_id: '3317142008',
    status_nib: '01',
    kd_daerah: '3317000000',
    data_proyek: [],
    data_checklist: [],
    ...extra,
  };
}

describe('receiveNIB under hostile input', () => {
  let t: TestDatabase;
  let serve: ServeProcess;
  let address = 0;
  /** A fresh source address per request, so only the global cap is shared. */
  const nextAddress = () => {
    address++;
    return `127.0.${10 + Math.floor(address / 250)}.${1 + (address % 250)}`;
  };
  const figures: Array<Record<string, string | number>> = [];

  const post = async (label: string, body: string | Buffer, headers: Record<string, string>) => {
    const before = await inboxBytes();
    const res = await postFrom(nextAddress(), `${serve.url}/receiveNIB`, body, headers);
    const id = Number(res.headers['x-inbox-id']);
    const row = Number.isFinite(id) ? await t.db('push_inbox').where({ id }).first() : undefined;
    figures.push({
      case: label,
      body_bytes: Buffer.byteLength(body),
      http: res.status,
      status: res.body?.responreceiveNIB?.status ?? '-',
      kept_as: row ? `${row.status}${row.reject_code ? `/${row.reject_code}` : ''}` : 'nothing',
      inbox_growth_bytes: (await inboxBytes()) - before,
    });
    return { res, row };
  };
  const json = { 'content-type': 'application/json' };
  const inboxBytes = async () =>
    Number((await t.db.raw(`select pg_total_relation_size('push_inbox')::int as n`)).rows[0].n);

  beforeAll(async () => {
    t = await createTestDatabase('faults_push');
    serve = await spawnServe({
      DATABASE_URL: t.url,
      OSS_BASE_URL: 'http://127.0.0.1:9/kl/rba',
      OSS_USER_KEY: 'unused',
      OSS_PUSH_USERNAME: PUSH_USER,
      OSS_PUSH_PASSWORD: PUSH_PASS,
    });
  });

  afterAll(async () => {
    console.table(figures);
    await stopAllServe();
    await t?.drop();
  });

  it.each([
    ['10 levels', 10],
    ['1,000 levels', 1_000],
    ['3,000 levels', 3_000],
    ['4,000 levels', 4_000],
    ['5,000 levels', 5_000],
    ['20,000 levels', 20_000],
    ['1,000,000 levels (arrays)', 1_000_000],
  ])('a signed push nested %s deep is answered, never 503', async (label, depth) => {
    const nib = `91203${String(depth).padStart(8, '0')}`;
    const deep =
      depth >= 100_000 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const body = JSON.stringify({ dataNIB: document(nib, { lampiran: 0 }) }).replace(
      '"lampiran":0',
      `"lampiran":${deep}`,
    );
    const { res, row } = await post(`signed, nested ${label}`, body, { ...json, Token: tokenFor(nib) });
    if (depth + 2 <= 64) {
      expect(res.body.responreceiveNIB).toEqual({ status: '1', keterangan: 'Berhasil menyimpan data' });
      expect(row).toMatchObject({ status: 'pending' });
      expect(row.payload.dataNIB.lampiran).toBeTypeOf('object');
    } else {
      expect(res.status).toBe(400);
      expect(res.body.responreceiveNIB.status).toBe('2');
      expect(res.body.responreceiveNIB.keterangan).toMatch(/lebih dari 64 tingkat/);
      expect(row).toMatchObject({
        status: 'rejected',
        reject_code: 'too_deep',
        payload: null,
        body_bytes: body.length,
      });
      expect(row.body_sha256.toString('hex')).toBe(sha256(body));
    }
  });

  it('counts nesting only outside strings: 5,000 brackets inside a text field are data, and the push is applied', async () => {
    const nib = '9120304071001';
    const body = JSON.stringify({ dataNIB: document(nib, { catatan: `${'{['.repeat(5_000)}"\\` }) });
    const { res, row } = await post('signed, 10,000 brackets inside a string', body, {
      ...json,
      Token: tokenFor(nib),
    });
    expect(res.body.responreceiveNIB.status).toBe('1');
    expect(row.payload.dataNIB.catatan).toHaveLength(10_002);
    await waitFor('the push to be applied', async () => (await t.db('pelaku_usaha').where({ nib }).first()) ?? false);
  });

  it('keeps a push of NUL characters and lone surrogates (which Postgres cannot store) instead of answering 503', async () => {
    const nib = '9120304071002';
    const body = JSON.stringify({
      dataNIB: document(nib, { nama_perseroan: 'UD NUL\u0000 \ud800LASEM', 'kunci\u0000aneh': 'x' }),
    });
    const { res, row } = await post('signed, NUL and a lone surrogate in fields', body, {
      ...json,
      Token: tokenFor(nib),
    });
    expect(res.status).toBe(200);
    expect(res.body.responreceiveNIB.status).toBe('1');
    expect(row.payload.dataNIB.nama_perseroan).toBe('UD NUL\ufffd \ufffdLASEM');
    const business = await waitFor(
      'the push to be applied',
      async () => (await t.db('pelaku_usaha').where({ nib }).first()) ?? false,
    );
    expect(business.nama_perseroan).toBe('UD NUL\ufffd \ufffdLASEM');
  });

  it('keeps only a summary of bytes that are not UTF-8 (with NUL bytes), hashed as received', async () => {
    const bytes = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x33, 0x33, 0x31, 0x37, 0x80, 0x7d]);
    const { res, row } = await post('unsigned, invalid UTF-8 with NUL bytes', bytes, json);
    expect(res.status).toBe(400);
    expect(res.body.responreceiveNIB).toMatchObject({ status: '2', keterangan: expect.stringMatching(/bukan JSON/) });
    expect(row).toMatchObject({
      status: 'rejected',
      reject_code: 'malformed',
      body_bytes: bytes.length,
      payload: null,
    });
    expect(row.body_sha256.toString('hex')).toBe(sha256(bytes));
    expect(row.body_text).not.toContain('\u0000');
  });

  it('answers a push without a content type in the PIA shape, as any other body', async () => {
    const nib = '9120304071003';
    const { res } = await post('signed, no content-type header', JSON.stringify({ dataNIB: document(nib) }), {
      Token: tokenFor(nib),
    });
    expect(res.body.responreceiveNIB.status).toBe('1');
  });

  it('keeps at most a bounded number of rejected pushes across many addresses, then answers 429 and stores nothing', async () => {
    const before = await inboxBytes();
    const rowsBefore = Number((await t.db('push_inbox').count({ n: '*' }))[0]!.n);
    const body = JSON.stringify({ dataNIB: document('9120304071004') });
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const res = await postFrom(nextAddress(), `${serve.url}/receiveNIB`, body, { ...json, Token: 'f'.repeat(40) });
      statuses.push(res.status);
    }
    const stored = Number((await t.db('push_inbox').count({ n: '*' }))[0]!.n) - rowsBefore;
    const limited = statuses.filter((s) => s === 429).length;
    figures.push({
      case: '150 unsigned pushes from 150 addresses',
      body_bytes: body.length,
      http: `${statuses.length - limited}×401, ${limited}×429`,
      status: '2',
      kept_as: `${stored} rejected/token`,
      inbox_growth_bytes: (await inboxBytes()) - before,
    });
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(limited).toBeGreaterThan(0);
    expect(stored + limited).toBe(150);
    const metrics = await http(`${serve.url}/metrics`);
    expect(metrics.text).toMatch(
      new RegExp(`^oss_sync_push_rejected_total\\{reason="rate_limited"\\} ${limited}$`, 'm'),
    );
  });
});
