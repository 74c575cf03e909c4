/*
 * The OSS push receiver of `serve` (POST /receiveNIB), with `serve` as a real child process on a real Postgres:
 * a signed push is stored before it is answered and then applied through the store path; a bad token or body gets
 * status "2" and only a bounded summary of it is kept; rejected pushes are rate-limited per address; a push whose
 * processing fails stays in the inbox, retried with its error count. The region decision runs on the receiver
 * in-process (real HTTP, real Postgres).
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushRoutes } from '../../src/http/pushRoutes.js';
import { pushToken, wibCompactDate } from '../../src/http/pushToken.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  http,
  type Loose,
  postFrom,
  type ServeProcess,
  spawnServe,
  stopAllServe,
  waitFor,
} from '../helpers/serveEntry.js';

const PUSH_USER = 'oss-push-rembang';
const PUSH_PASS = 'p4ss-w0rd';
const NIK = '3317014508900002';

/** A receiveNIB body: a dataNIB as OSS pushes it (the checklist item that triggered the push on top). */
function dataNib(nib: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    dataNIB: {
      nib,
      oss_id: `P02-20240314093012456${nib.slice(-4)}`,
      tgl_pengajuan_nib: '2024-03-14',
      tgl_terbit_nib: '2024-03-14',
      tgl_perubahan_nib: '2026-11-20',
      jenis_pelaku_usaha: '01',
      flag_umk: 'Y',
      skala_usaha: '01',
      status_penanaman_modal: '02',
      nama_perseroan: name,
      npwp_perseroan: '',
      alamat_perseroan: 'DESA DASUN RT 002/001',
      perseroan_daerah_id: '3317142008',
      status_nib: '01',
      'tipe_dokumen ': '5',
      id_izin: `I-20240314100233412${nib.slice(-4)}`,
      kd_izin: '019000000123',
      kd_daerah: '3317000000',
      kewenangan: '02',
      penanggung_jwb: [
        {
          jns_identitas_penanggung_jwb: '01',
          no_identitas_penanggung_jwb: NIK,
          nama_penanggung_jwb: 'SITI AMINAH',
          jabatan_penanggung_jwb: 'PEMILIK',
        },
      ],
      data_proyek: [
        {
          id_proyek: `R-20240314093012456${nib.slice(-4)}`,
          uraian_usaha: 'PENGASINAN IKAN',
          kbli: '10221',
          skala_usaha: '01',
          skala_resiko: 'R',
          jumlah_tki_l: 2,
          jumlah_tki_p: 3,
          jumlah_investasi: '45000000',
          data_lokasi_proyek: [
            {
              id_proyek_lokasi: `L-20240314093012456${nib.slice(-4)}`,
              proyek_daerah_id: '3317142008',
              alamat_usaha: 'DASUN, LASEM',
              status_lokasi: '01',
            },
          ],
          data_proyek_produk: [],
        },
      ],
      data_checklist: [
        {
          id_proyek: `R-20240314093012456${nib.slice(-4)}`,
          id_izin: `I-20240314100233412${nib.slice(-4)}`,
          jenis_izin: '04',
          kd_izin: '019000000123',
          kd_daerah: '3317000000',
          nama_izin: 'Sertifikat Standar',
          kewenangan: '02',
          flag_checklist: 'Y',
          kd_status: '45',
        },
      ],
      ...extra,
    },
  };
}

const tokenFor = (nib: string, at = new Date()) => pushToken(PUSH_USER, PUSH_PASS, nib, wibCompactDate(at));
const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

/** A body of exactly `bytes` bytes: a well-formed dataNIB padded with a long remark that does not compress. */
function paddedPush(nib: string, bytes: number): string {
  const base = JSON.stringify(dataNib(nib, 'PT BANJIR DATA', { catatan: '' }));
  const pad = bytes - Buffer.byteLength(base);
  return base.replace('"catatan":""', `"catatan":"${randomBytes(pad).toString('base64').slice(0, pad)}"`);
}

/** A signed document nested `depth` objects deep under one unknown field. */
function deepPush(nib: string, depth: number): string {
  const base = JSON.stringify(dataNib(nib, 'PT BERSARANG', { lampiran: 0 }));
  return base.replace('"lampiran":0', `"lampiran":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

describe('serve: the receiveNIB push receiver', () => {
  let t: TestDatabase;
  let serve: ServeProcess;

  const push = (body: unknown, token: string | undefined, raw?: string) =>
    http(`${serve.url}/receiveNIB`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { Token: token }) },
      ...(raw === undefined ? { body } : { rawBody: raw }),
    });
  const inboxRow = async (id: number): Promise<Loose> => t.db('push_inbox').where({ id }).first();

  beforeAll(async () => {
    t = await createTestDatabase('push');
    serve = await spawnServe({
      DATABASE_URL: t.url,
      // No sync runs here: OSS is never called (nothing listens on this port).
      OSS_BASE_URL: 'http://127.0.0.1:9/kl/rba',
      OSS_USER_KEY: 'unused',
      OSS_PUSH_USERNAME: PUSH_USER,
      OSS_PUSH_PASSWORD: PUSH_PASS,
      ADMIN_TOKEN: 'admin-token',
    });
  });

  afterAll(async () => {
    await stopAllServe();
    await t?.drop();
  });

  it('stores a signed push before answering "1", then applies it through the store path as a push run', async () => {
    const nib = '9120304050601';
    const res = await push(dataNib(nib, 'UD SARI LAUT'), tokenFor(nib));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ responreceiveNIB: { status: '1', keterangan: 'Berhasil menyimpan data' } });
    const id = Number(res.headers.get('x-inbox-id'));
    expect(await inboxRow(id)).toMatchObject({ nib, token_ok: true, reject_reason: null });

    const applied = await waitFor('the push to be applied', async () => {
      const row = await inboxRow(id);
      return row.status === 'applied' ? row : undefined;
    });
    const business = await t.db('pelaku_usaha').where({ nib }).first();
    expect(business).toMatchObject({
      nama_perseroan: 'UD SARI LAUT',
      source: 'receiveNIB',
      last_run_id: applied.run_id,
    });
    expect(await t.db('proyek').where({ nib }).pluck('id_proyek')).toEqual([`R-202403140930124560601`]);
    expect(await t.db('perizinan').where({ nib }).first('kd_status')).toEqual({ kd_status: '45' });
    const run = await t.db('sync_runs').where({ id: applied.run_id }).first();
    expect(run).toMatchObject({ trigger: 'push', status: 'succeeded', requested_by: 'oss-push' });
    expect(run.counts.push).toMatchObject({ fetched: 1, inserted: 1 });
    // The analyst view shows it at once (the push run is finished when it commits).
    expect(await t.db('analytics.pelaku_usaha').where({ nib }).first('nama')).toEqual({ nama: 'UD SARI LAUT' });

    // No full NIK at rest: not in the inbox (raw body or normalized form), nor in the stored tables.
    const leaks = await t.db.raw(
      `select (select count(*) from push_inbox where push_inbox::text like ?)::int as inbox,
              (select count(*) from raw_records where payload::text like ?)::int as raw,
              (select count(*) from penanggung_jawab where penanggung_jawab::text like ?)::int as persons`,
      [`%${NIK}%`, `%${NIK}%`, `%${NIK}%`],
    );
    expect(leaks.rows[0]).toEqual({ inbox: 0, raw: 0, persons: 0 });
    expect((await inboxRow(id)).payload.dataNIB.penanggung_jwb[0].no_identitas_penanggung_jwb).toBe('3317********0002');
  });

  it('applies the same push again idempotently: nothing rewritten', async () => {
    const nib = '9120304050601';
    const before = await t.db.raw(`select xmin::text as v, content_hash from pelaku_usaha where nib = ?`, [nib]);
    const res = await push(dataNib(nib, 'UD SARI LAUT'), tokenFor(nib));
    expect(res.body.responreceiveNIB.status).toBe('1');
    const id = Number(res.headers.get('x-inbox-id'));
    const applied = await waitFor('the repeated push to be applied', async () => {
      const row = await inboxRow(id);
      return row.status === 'applied' ? row : undefined;
    });
    const run = await t.db('sync_runs').where({ id: applied.run_id }).first();
    expect(run.counts.push).toMatchObject({ fetched: 1, inserted: 0, updated: 0, unchanged: 1 });
    const after = await t.db.raw(`select xmin::text as v, content_hash from pelaku_usaha where nib = ?`, [nib]);
    expect(after.rows).toEqual(before.rows);
    expect(await t.db('pelaku_usaha').where({ nib }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it.each([
    ['no Token header', undefined, 401, /Token/],
    ['a wrong Token', 'f'.repeat(40), 401, /Token tidak valid/],
    ["another NIB's Token", tokenFor('9120304050699'), 401, /Token tidak valid/],
  ])('answers "2" to a push with %s, and keeps only its summary', async (_label, token, httpStatus, reason) => {
    const nib = '9120304050602';
    const body = dataNib(nib, 'PT TIDAK SAH');
    const res = await push(body, token);
    expect(res.status).toBe(httpStatus);
    expect(res.body.responreceiveNIB.status).toBe('2');
    expect(res.body.responreceiveNIB.keterangan).toMatch(reason);
    const row = await inboxRow(Number(res.headers.get('x-inbox-id')));
    expect(row).toMatchObject({ status: 'rejected', nib, token_ok: false, attempts: 0, applied_at: null });
    expect(row.reject_reason).toMatch(reason);
    // Unauthenticated: size, digest and the first bytes only, never the document.
    const sent = JSON.stringify(body);
    expect(row).toMatchObject({ reject_code: 'token', payload: null, validated: null, body_bytes: sent.length });
    expect(row.body_sha256.toString('hex')).toBe(sha256(sent));
    expect(row.body_text.length).toBeLessThanOrEqual(256);
    // Digit runs of 16 and more are masked (here the 21 digits of oss_id).
    expect(row.body_text.startsWith(`{"dataNIB":{"nib":"${nib}","oss_id":"P02-2024*************0602",`)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(NIK);
    expect(await t.db('pelaku_usaha').where({ nib }).first()).toBeUndefined();
  });

  it.each([
    ['a body that is not JSON', `nib=9120304050603&nik=${NIK}`, /bukan JSON/],
    ['an empty body', '', /kosong/],
    ['a body without dataNIB', JSON.stringify({ data: { nib: '9120304050603' } }), /dataNIB tidak ada/],
    ['a dataNIB without nib', JSON.stringify({ dataNIB: { nama_perseroan: 'X' } }), /nib kosong/],
  ])('answers "2" to %s, and keeps it (digits masked)', async (_label, raw, reason) => {
    const res = await push(undefined, tokenFor('9120304050603'), raw);
    expect(res.status).toBe(400);
    expect(res.body.responreceiveNIB).toMatchObject({ status: '2', keterangan: expect.stringMatching(reason) });
    const row = await inboxRow(Number(res.headers.get('x-inbox-id')));
    expect(row).toMatchObject({ status: 'rejected', token_ok: false });
    expect(row.reject_reason).toMatch(reason);
    expect(JSON.stringify(row)).not.toContain(NIK);
    if (raw.startsWith('nib=')) expect(row.body_text).toBe('nib=9120304050603&nik=3317********0002');
  });

  it('limits the body size: a larger push gets "2" (HTTP 413) and is recorded', async () => {
    const big = JSON.stringify(dataNib('9120304050604', 'X'.repeat(5 * 1024 * 1024)));
    const res = await push(undefined, tokenFor('9120304050604'), big);
    expect(res.status).toBe(413);
    expect(res.body.responreceiveNIB.status).toBe('2');
    const row = await inboxRow(Number(res.headers.get('x-inbox-id')));
    expect(row).toMatchObject({ status: 'rejected', payload: null });
    expect(row.reject_reason).toMatch(/melebihi/);
    expect(row.body_bytes).toBeGreaterThan(5 * 1024 * 1024);
  });

  it('never answers "1" without having stored the push: a failed insert gets "2" (HTTP 503) so OSS sends it again', async () => {
    const nib = '9120304050605';
    await t.db.raw(`
      create function refuse_push_insert() returns trigger language plpgsql as $$
      begin raise exception 'test: the inbox refuses this push'; end $$;
      create trigger refuse_push_insert before insert on push_inbox for each row
        when (new.nib = '${nib}') execute function refuse_push_insert();`);
    try {
      const res = await push(dataNib(nib, 'PT GAGAL SIMPAN'), tokenFor(nib));
      expect(res.status).toBe(503);
      expect(res.body.responreceiveNIB.status).toBe('2');
      expect(await t.db('push_inbox').where({ nib }).first()).toBeUndefined();
    } finally {
      await t.db.raw('drop trigger refuse_push_insert on push_inbox; drop function refuse_push_insert();');
    }
  });

  it('keeps a push whose processing fails in the inbox, retries it with a visible error count, and applies it once fixed', async () => {
    const nib = '9120304050606';
    // The store refuses this NIB (as a database fault would), until the trigger is dropped.
    await t.db.raw(`
      create function refuse_business() returns trigger language plpgsql as $$
      begin raise exception 'test: pelaku_usaha refuses %', new.nib; end $$;
      create trigger refuse_business before insert or update on pelaku_usaha for each row
        when (new.nib = '${nib}') execute function refuse_business();`);
    let fixed = false;
    try {
      const res = await push(dataNib(nib, 'CV GAGAL PROSES'), tokenFor(nib));
      expect(res.body.responreceiveNIB.status).toBe('1');
      const id = Number(res.headers.get('x-inbox-id'));
      const failing = await waitFor(
        'two failed attempts',
        async () => {
          const row = await inboxRow(id);
          return row.attempts >= 2 ? row : undefined;
        },
        30_000,
      );
      expect(failing).toMatchObject({ status: 'pending', applied_at: null, run_id: null });
      expect(failing.last_error).toMatch(/pelaku_usaha refuses 9120304050606/);
      expect(new Date(failing.next_attempt_at).getTime()).toBeGreaterThan(new Date(failing.last_attempt_at).getTime());
      expect(await t.db('pelaku_usaha').where({ nib }).first()).toBeUndefined();
      // Each failed batch is a visible push run.
      const failedRuns = await t.db('sync_runs').where({ trigger: 'push', status: 'failed' }).pluck('error');
      expect(failedRuns.some((e: string) => e.includes(`inbox ${id}`))).toBe(true);
      // The backlog shows it on /metrics.
      const metrics = await http(`${serve.url}/metrics`);
      expect(metrics.text).toMatch(/oss_sync_push_inbox_backlog\{state="failing"\} [1-9]/);

      await t.db.raw('drop trigger refuse_business on pelaku_usaha; drop function refuse_business();');
      fixed = true;
      const applied = await waitFor(
        'the retried push to be applied',
        async () => {
          const row = await inboxRow(id);
          return row.status === 'applied' ? row : undefined;
        },
        30_000,
      );
      expect(applied.attempts).toBeGreaterThanOrEqual(2);
      expect(await t.db('pelaku_usaha').where({ nib }).first('nama_perseroan')).toEqual({
        nama_perseroan: 'CV GAGAL PROSES',
      });
    } finally {
      if (!fixed)
        await t.db.raw(
          'drop trigger if exists refuse_business on pelaku_usaha; drop function if exists refuse_business();',
        );
    }
  });

  it('quarantines a signed push whose document is invalid, and queues its NIB for the next pull', async () => {
    const nib = '9120304050607';
    const res = await push(dataNib(nib, 'PT TANGGAL SALAH', { tgl_terbit_nib: '2024-02-31' }), tokenFor(nib));
    expect(res.body.responreceiveNIB.status).toBe('1');
    const id = Number(res.headers.get('x-inbox-id'));
    await waitFor('the push to be processed', async () => (await inboxRow(id)).status === 'applied');
    const q = await t.db('quarantine').where({ stream: 'nib', entity_id: nib }).first();
    expect(q).toMatchObject({ source: 'receiveNIB', location: { method: 'receiveNIB', inbox_id: id } });
    expect(JSON.stringify(q.issues)).toContain('tgl_terbit_nib');
    expect(await t.db('nib_queue').where({ nib }).first('reason')).toEqual({ reason: 'receiveNIB' });
    expect(await t.db('pelaku_usaha').where({ nib }).first()).toBeUndefined();
  });

  it('keeps a bounded summary of an unauthenticated 10 × 4 MB flood, and answers 429 from the 11th rejection of an address', async () => {
    const from = '127.0.0.21';
    const nib = '9120304050611';
    const body = paddedPush(nib, 4 * 1024 * 1024 - 64);
    const statuses: number[] = [];
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await postFrom(from, `${serve.url}/receiveNIB`, body, {
        'content-type': 'application/json',
        Token: 'f'.repeat(40),
      });
      statuses.push(res.status);
      answers.push(res.body.responreceiveNIB.status);
      if (res.status === 429) {
        expect(res.body.responreceiveNIB.keterangan).toMatch(/Terlalu banyak/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.headers['x-inbox-id']).toBeUndefined();
      }
    }
    const size = await t.db.raw(`select pg_total_relation_size('push_inbox')::int as bytes`);
    console.log(`push_inbox after a 10 × 4 MB unauthenticated flood: ${size.rows[0].bytes} bytes`);
    expect(size.rows[0].bytes).toBeLessThan(300 * 1024);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    expect(answers).toEqual(Array(12).fill('2'));
    const kept = await t.db('push_inbox').where({ remote_addr: from });
    expect(kept).toHaveLength(10);
    for (const row of kept) {
      expect(row).toMatchObject({ status: 'rejected', reject_code: 'token', payload: null, body_bytes: body.length });
      expect(row.body_sha256.toString('hex')).toBe(sha256(body));
    }

    // The limit is per address, and never stops a signed push: OSS behind the same proxy still gets through.
    const signed = await postFrom(from, `${serve.url}/receiveNIB`, JSON.stringify(dataNib(nib, 'UD BANJIR')), {
      'content-type': 'application/json',
      Token: tokenFor(nib),
    });
    expect(signed.status).toBe(200);
    expect(signed.body.responreceiveNIB.status).toBe('1');
    const other = await postFrom('127.0.0.22', `${serve.url}/receiveNIB`, body, {
      'content-type': 'application/json',
      Token: 'f'.repeat(40),
    });
    expect(other.status).toBe(401);
  });

  it('refuses a push nested 5,000 objects deep with "2" (not 503, which OSS would resend forever) and keeps its summary', async () => {
    const nib = '9120304050612';
    const body = deepPush(nib, 5000);
    const res = await postFrom('127.0.0.23', `${serve.url}/receiveNIB`, body, {
      'content-type': 'application/json',
      Token: tokenFor(nib),
    });
    expect(res.body.responreceiveNIB).toEqual({
      status: '2',
      keterangan: expect.stringMatching(/lebih dari 64 tingkat \(nesting deeper than 64 levels\)/),
    });
    expect(res.status).toBe(400);
    const row = await inboxRow(Number(res.headers['x-inbox-id']));
    expect(row).toMatchObject({
      status: 'rejected',
      reject_code: 'too_deep',
      payload: null,
      validated: null,
      body_bytes: body.length,
    });
    expect(row.body_sha256.toString('hex')).toBe(sha256(body));
    expect(row.body_text.length).toBeLessThanOrEqual(256);
    expect(row.body_text.startsWith(`{"dataNIB":{"nib":"${nib}","oss_id":"P02-2024*************0612",`)).toBe(true);
    expect(await t.db('pelaku_usaha').where({ nib }).first()).toBeUndefined();
  });

  it('counts every rejection on /metrics by reason, the rate-limited ones that were not stored included', async () => {
    const stored = await t
      .db('push_inbox')
      .where({ status: 'rejected' })
      .groupBy('reject_code')
      .select('reject_code', t.db.raw('count(*)::int as n'));
    const metrics = await http(`${serve.url}/metrics`);
    const counted = (reason: string) =>
      Number(new RegExp(`^oss_sync_push_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics.text)?.[1]);
    expect(stored.length).toBeGreaterThanOrEqual(4);
    for (const { reject_code, n } of stored) expect(counted(reject_code)).toBe(n);
    expect(counted('token')).toBeGreaterThanOrEqual(13);
    expect(counted('too_deep')).toBe(1);
    expect(counted('rate_limited')).toBe(2);
  });

  it('is off without OSS_PUSH_USERNAME/OSS_PUSH_PASSWORD: "2" with the reason', async () => {
    const off = await spawnServe({
      DATABASE_URL: t.url,
      OSS_BASE_URL: 'http://127.0.0.1:9/kl/rba',
      OSS_USER_KEY: 'unused',
    });
    const res = await http(`${off.url}/receiveNIB`, {
      method: 'POST',
      body: dataNib('9120304050608', 'X'),
      headers: { Token: 'x' },
    });
    expect(res.status).toBe(404);
    expect(res.body.responreceiveNIB).toMatchObject({ status: '2', keterangan: expect.stringMatching(/tidak aktif/) });
    expect(await off.stop()).toBe(0);
  });
});

describe('receiveNIB: a push for a NIB outside the region (OSS_KD_DAERAH 3317)', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let url: string;
  let accepted = 0;

  /** Domiciled in Kota Semarang (3374) with its project there, for a licence of Semarang's office. */
  const semarang = (nib: string, name: string) =>
    dataNib(nib, name, {
      perseroan_daerah_id: '3374050001',
      kd_daerah: '3374000000',
      data_proyek: [
        {
          ...dataNib(nib, name).dataNIB.data_proyek[0],
          data_lokasi_proyek: [
            {
              id_proyek_lokasi: `L-20240314093012456${nib.slice(-4)}`,
              proyek_daerah_id: '3374050001',
              alamat_usaha: 'JL. PEMUDA, SEMARANG',
              status_lokasi: '01',
            },
          ],
        },
      ],
      data_checklist: [{ ...dataNib(nib, name).dataNIB.data_checklist[0], kd_daerah: '3374000000' }],
    });

  beforeAll(async () => {
    t = await createTestDatabase('push_region');
    const log = createLogger('silent');
    app = Fastify();
    await pushRoutes(app, {
      db: t.db,
      log,
      metrics: createMetrics({ db: t.db, ossStats: () => null, log }),
      credentials: { username: PUSH_USER, password: PUSH_PASS },
      piiKey: 'test-pii-key',
      now: () => new Date(),
      onAccepted: () => {
        accepted++;
      },
      kdDaerah: '3317',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/receiveNIB`;
  });

  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const pushSigned = (body: { dataNIB: { nib: string } }) =>
    http(url, { method: 'POST', body, headers: { Token: tokenFor(body.dataNIB.nib) } });

  it('answers "1" (OSS must not resend) but keeps only a summary, as rejected "outside region", and never applies it', async () => {
    const nib = '9120304059901';
    const before = accepted;
    const res = await pushSigned(semarang(nib, 'PT SEMARANG JAYA'));
    expect(res.status).toBe(200);
    expect(res.body.responreceiveNIB).toEqual({
      status: '1',
      keterangan: expect.stringMatching(/di luar wilayah 3317/),
    });
    const row = await t
      .db('push_inbox')
      .where({ id: Number(res.headers.get('x-inbox-id')) })
      .first();
    expect(row).toMatchObject({
      nib,
      status: 'rejected',
      reject_code: 'outside_region',
      token_ok: true,
      payload: null,
      validated: null,
    });
    expect(row.reject_reason).toMatch(/outside region/);
    expect(row.body_text.length).toBeLessThanOrEqual(256);
    expect(JSON.stringify(row)).not.toContain(NIK);
    expect(accepted).toBe(before);
  });

  it.each([
    ['a project located in the region', '9120304059902', { proyek_daerah_id: '3317142008' }, {}],
    ["a licence of the region's office", '9120304059903', {}, { kd_daerah: '3317000000' }],
  ])('applies a NIB domiciled elsewhere with %s', async (_label, nib, location, top) => {
    const before = accepted;
    const body = semarang(nib, 'PT LUAR DAERAH');
    Object.assign(body.dataNIB.data_proyek[0]!.data_lokasi_proyek[0]!, location);
    Object.assign(body.dataNIB, top);
    const res = await pushSigned(body);
    expect(res.body.responreceiveNIB).toEqual({ status: '1', keterangan: 'Berhasil menyimpan data' });
    const row = await t
      .db('push_inbox')
      .where({ id: Number(res.headers.get('x-inbox-id')) })
      .first();
    expect(row).toMatchObject({ nib, status: 'pending', reject_code: null, token_ok: true });
    expect(row.payload.dataNIB.nama_perseroan).toBe('PT LUAR DAERAH');
    expect(accepted).toBe(before + 1);
  });

  it('applies a document that names no region at all: outside the region only on evidence', async () => {
    const nib = '9120304059907';
    const body = semarang(nib, 'PT TANPA WILAYAH');
    const doc: Record<string, unknown> = body.dataNIB;
    delete doc.perseroan_daerah_id;
    delete doc.kd_daerah;
    doc.data_proyek = [];
    doc.data_checklist = [];
    const res = await pushSigned(body);
    expect(res.body.responreceiveNIB).toEqual({ status: '1', keterangan: 'Berhasil menyimpan data' });
    const row = await t
      .db('push_inbox')
      .where({ id: Number(res.headers.get('x-inbox-id')) })
      .first();
    expect(row).toMatchObject({ nib, status: 'pending', reject_code: null });
  });

  it.each([
    [
      'a partnership party',
      '9120304059904',
      {
        table: 'kemitraan',
        row: {
          id_kemitraan: 'K-2026110109000000000004',
          nib_ub: '9120304059904',
          content_hash: 'x',
          source: 'listKemitraan',
        },
      },
    ],
    ['a queued NIB', '9120304059905', { table: 'nib_queue', row: { nib: '9120304059905', reason: 'kemitraan' } }],
    [
      'a business from an export',
      '9120304059906',
      { table: 'pelaku_usaha', row: { nib: '9120304059906', content_hash: 'x', source: 'export' } },
    ],
  ])('applies a NIB outside the region that is already known to us as %s', async (_label, nib, known) => {
    await t.db(known.table).insert(known.row);
    const res = await pushSigned(semarang(nib, 'PT MITRA LUAR'));
    expect(res.body.responreceiveNIB).toEqual({ status: '1', keterangan: 'Berhasil menyimpan data' });
    const row = await t
      .db('push_inbox')
      .where({ id: Number(res.headers.get('x-inbox-id')) })
      .first();
    expect(row).toMatchObject({ nib, status: 'pending', reject_code: null });
  });
});
