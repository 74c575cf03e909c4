import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { ConfigError, OssAuthError, OssProtocolError, OssUnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import {
  createOssClient,
  createRateBudget,
  DEFAULT_FEED_MAPPING,
  loadFeedMapping,
  OssMethodMissingError,
  type OssRequestEvent,
  ossStatsSince,
  type RateBudget,
  resolveFeedMapping,
} from '../../src/oss/index.js';
import { parseRetryAfter } from '../../src/oss/retry.js';

const ORIGIN = 'https://api-prd.oss.go.id';
const PREFIX = '/v1/kl/rba';
const KEY = 'uk-7f3a9c1e-SECRET-b2d4';
const NIB = '8120301220567';

const ossConfig = (over: Partial<Config['oss']> = {}): Config['oss'] => ({
  baseUrl: `${ORIGIN}${PREFIX}`,
  userKey: KEY,
  kdDaerah: '3317',
  rateLimitRps: 1000,
  concurrency: 4,
  timeoutMs: 2000,
  maxRetries: 3,
  pageSize: 100,
  maxPageSize: 500,
  ...over,
});

/**
 * A virtual clock: sleep(ms) registers a timer at now + ms and a pump resolves timers one at a time in time order,
 * so no test waits for real and the clock reads exactly the time a sleeper woke at. While `busy` is above 0 (an
 * HTTP exchange in progress, see gate()) the clock stands still, so an exchange takes no virtual time.
 */
function fakeClock() {
  let t = 0;
  let seq = 0;
  let pumping = false;
  const timers: Array<{ at: number; seq: number; wake: () => void }> = [];
  const sleeps: number[] = [];
  const clock = { busy: 0 };
  const pump = () => {
    pumping = false;
    if (clock.busy > 0) {
      schedule();
      return;
    }
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (!next) return;
    t = Math.max(t, next.at);
    next.wake();
    if (timers.length > 0) schedule();
  };
  const schedule = () => {
    if (pumping) return;
    pumping = true;
    setImmediate(pump);
  };
  return Object.assign(clock, {
    sleeps,
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return new Promise<void>((wake) => {
        timers.push({ at: t + ms, seq: seq++, wake });
        schedule();
      });
    },
  });
}

/** The budget of `clock`, holding the clock still from each grant to its release (the HTTP exchange). */
function gate(budget: RateBudget, clock: ReturnType<typeof fakeClock>): RateBudget {
  return {
    ...budget,
    acquire: async () => {
      const permit = await budget.acquire();
      clock.busy++;
      let open = true;
      return {
        ...permit,
        release: () => {
          if (open) clock.busy--;
          open = false;
          permit.release();
        },
      };
    },
  };
}

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

function setup(
  over: Partial<Config['oss']> = {},
  {
    clock = fakeClock(),
    ...extra
  }: {
    mapping?: ReturnType<typeof resolveFeedMapping>;
    budget?: RateBudget;
    clock?: ReturnType<typeof fakeClock>;
  } = {},
) {
  const logs: LogLine[] = [];
  const log = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const events: OssRequestEvent[] = [];
  const client = createOssClient({
    config: ossConfig(over),
    log,
    sleep: clock.sleep,
    now: clock.now,
    // Full jitter at its top: the delay is the whole capped exponential, so tests can name it.
    random: () => 1,
    onRequest: (e) => events.push(e),
    ...extra,
  });
  return { client, clock, logs, events };
}

const oss = () =>
  nock(ORIGIN)
    .matchHeader('user_key', KEY)
    .matchHeader('content-type', /application\/json/);

const nibBody = { nib: NIB, nama_perseroan: 'CV Sinar Laut Rembang', data_proyek: [] };
const nibOk = { responinqueryNIB: { kode: 200, keterangan: 'Sukses', dataNIB: nibBody } };
const page = (
  records: unknown,
  meta: unknown = { halaman: 3, jumlah_per_halaman: 2, total_data: 6, total_halaman: 3 },
) => ({
  responlistKemitraan: { kode: 200, keterangan: 'Sukses', dataKemitraan: records, meta },
});
const kemitraan = {
  id_kemitraan: 'K-202402191030150001234',
  nib_ub: '9120001234567',
  nib_umkm: '8120301220567',
  nilai_kemitraan: '150000000',
  tgl_perubahan: '2024-02-19 10:30:15',
  realisasi: [{ tahun: '2024', triwulan: '1', nilai_realisasi: '25000000' }],
};

const timers = new Set<NodeJS.Timeout>();
/** A reply slower than the client's timeout; the timer is cleared after the test. */
const slowReply = (ms: number, body: unknown) => () =>
  new Promise<[number, unknown]>((resolve) => {
    const timer = setTimeout(() => resolve([200, body]), ms);
    timers.add(timer);
  });

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  try {
    expect(nock.pendingMocks()).toEqual([]);
    expect(nock.isDone()).toBe(true);
  } finally {
    nock.cleanAll();
  }
});

afterAll(() => {
  nock.restore();
});

describe('OSS client: envelopes', () => {
  it('posts inqueryNIB with user_key and reads the record', async () => {
    const { client, events } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`, { INQUERYNIB: { nib: NIB } })
      .reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toEqual({ found: true, data: nibBody });
    expect(client.stats().requests.inqueryNIB).toEqual({ ok: 1 });
    expect(events).toEqual([{ method: 'inqueryNIB', result: 'ok', durationMs: 0, attempt: 1 }]);
  });

  it('reads kode sent as a numeric string', async () => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, { responinqueryNIB: { kode: ' 200', keterangan: 'Sukses', dataNIB: nibBody } });
    await expect(client.inqueryNib(NIB)).resolves.toEqual({ found: true, data: nibBody });
  });

  it.each([
    ['[]', []],
    ['{}', {}],
    ['null', null],
  ])('inqueryNIB kode 400 with dataNIB %s is "not found"', async (_name, dataNIB) => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, { responinqueryNIB: { kode: '400', keterangan: 'Data NIB tidak ditemukan', dataNIB } });
    await expect(client.inqueryNib('8120000000000')).resolves.toEqual({
      found: false,
      keterangan: 'Data NIB tidak ditemukan',
    });
    expect(client.stats().requests.inqueryNIB).toEqual({ not_found: 1 });
  });

  it.each([
    'responcheckLicenseStatus',
    'responcheckStatusLicense',
    'responsecheckLicenceStatus',
    'RESPONCHECKLICENSESTATUS',
  ])('checkLicenseStatus reads the wrapper spelled %s', async (wrapper) => {
    const { client } = setup();
    const dataIZIN = { nib: NIB, id_proyek: 'R-202402191030150001', id_izin: 'I-202402191030150001', kd_status: '50' };
    oss()
      .post(`${PREFIX}/checkLicenseStatus`, { CHECKLICENSESTATUS: { id_izin: 'I-202402191030150001' } })
      .reply(200, { [wrapper]: { kode: 200, keterangan: 'Sukses', dataIZIN } });
    await expect(client.checkLicenseStatus('I-202402191030150001')).resolves.toEqual({ found: true, data: dataIZIN });
  });

  it('checkLicenseStatus kode 400 with dataIZIN {} is "not found"', async () => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/checkLicenseStatus`)
      .reply(200, { responcheckLicenseStatus: { kode: 400, keterangan: 'Data izin tidak ditemukan', dataIZIN: {} } });
    await expect(client.checkLicenseStatus('I-000')).resolves.toEqual({
      found: false,
      keterangan: 'Data izin tidak ditemukan',
    });
  });
});

describe('OSS client: list pages', () => {
  it('posts listKemitraan with the contract body and returns the page with numeric-string meta', async () => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/listKemitraan`, {
        LISTKEMITRAAN: {
          kd_daerah: '3317',
          tgl_perubahan_mulai: '2024-02-19 00:00:00',
          halaman: 3,
          jumlah_per_halaman: 2,
        },
      })
      .reply(200, page([kemitraan], { halaman: '3', jumlah_per_halaman: '2', total_data: '5', total_halaman: '3' }));
    await expect(
      client.listKemitraan({ kdDaerah: '3317', since: '2024-02-19 00:00:00', page: 3, pageSize: 2 }),
    ).resolves.toEqual({ records: [kemitraan], page: 3, pageSize: 2, totalData: 5, totalPages: 3 });
  });

  it('omits tgl_perubahan_mulai when since is null and takes pageSize from config', async () => {
    const { client } = setup({ pageSize: 500 });
    oss()
      .post(`${PREFIX}/listNIB`, { LISTNIB: { kd_daerah: '33', halaman: 1, jumlah_per_halaman: 500 } })
      .reply(200, {
        responlistNIB: {
          kode: 200,
          keterangan: 'Sukses',
          dataNIB: null,
          meta: { halaman: 1, jumlah_per_halaman: 500, total_data: 0, total_halaman: 0 },
        },
      });
    await expect(client.listNib({ kdDaerah: '33', since: null, page: 1 })).resolves.toEqual({
      records: [],
      page: 1,
      pageSize: 500,
      totalData: 0,
      totalPages: 0,
    });
  });

  it('rejects a malformed query before any request', async () => {
    const { client } = setup();
    await expect(client.listNib({ kdDaerah: '3317', since: '19-02-2024', page: 0 })).rejects.toThrow(
      /listNIB page 0: page must be a whole number ≥ 1, got 0; since must be YYYY-MM-DD or null/,
    );
  });

  it.each([
    [
      'an HTML body',
      '<html><body>502 Bad Gateway</body></html>',
      /: not JSON; body starts with "<html><body>502 Bad Gateway/,
    ],
    ['dataKemitraan that is not an array', page('tidak ada'), /: dataKemitraan is not an array/],
    [
      'a missing meta',
      { responlistKemitraan: { kode: 200, keterangan: 'Sukses', dataKemitraan: [] } },
      /: no meta object/,
    ],
    [
      'a meta number that is not a number',
      page([], { halaman: 3, jumlah_per_halaman: 2, total_data: 'banyak', total_halaman: 3 }),
      /meta.total_data is missing or not a whole number/,
    ],
    [
      'a page other than the one asked for',
      page([], { halaman: 1, jumlah_per_halaman: 2, total_data: 6, total_halaman: 3 }),
      /meta.halaman is 1, asked for 3/,
    ],
    ['more records than the page size', page([kemitraan, kemitraan, kemitraan]), /3 records on a page of 2/],
    ['no wrapper at all', { status: 'ok' }, /: no responlistKemitraan wrapper/],
  ])('a page with %s is an OssProtocolError, not retried', async (_name, body, message) => {
    const { client } = setup();
    const contentType = typeof body === 'string' ? 'text/html' : 'application/json';
    oss().post(`${PREFIX}/listKemitraan`).reply(200, body, { 'Content-Type': contentType });
    const err = await client.listKemitraan({ kdDaerah: '3317', since: null, page: 3, pageSize: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(OssProtocolError);
    expect(err.message).toMatch(/^malformed OSS response for listKemitraan page 3/);
    expect(err.message).toMatch(message);
    expect(client.stats().requests.listKemitraan).toEqual({ protocol: 1 });
  });
});

describe('OSS client: retry table', () => {
  it.each([500, 504, 405])('retries HTTP 200 with body kode %i, then succeeds', async (kode) => {
    const { client, clock, logs } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, { responinqueryNIB: { kode, keterangan: 'Proses Payload Data Di Sistem OSS Gagal' } })
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    expect(clock.sleeps).toEqual([250]);
    expect(client.stats()).toMatchObject({ retries: 1, requests: { inqueryNIB: { [`kode_${kode}`]: 1, ok: 1 } } });
    const warn = logs.filter((l) => l.level === 40);
    expect(warn).toEqual([
      // 405 "Akses Service Ditolak" is a quota answer: the shared rate is halved, once.
      ...(kode === 405 ? [expect.objectContaining({ msg: 'OSS quota reached, request rate lowered', rps: 500 })] : []),
      expect.objectContaining({ method: 'inqueryNIB', attempt: 1, delayMs: 250, reason: `kode_${kode}` }),
    ]);
    if (kode === 405) expect(client.stats().currentRps).toBeLessThan(1000);
    else expect(client.stats().currentRps).toBe(1000);
    expect(JSON.stringify(logs)).not.toContain(KEY);
  });

  it.each([500, 502, 503, 504])('retries HTTP %i with growing backoff, each attempt taking a token', async (status) => {
    const budget = createRateBudget({ rps: 1000, concurrency: 4 });
    const { client, clock } = setup({}, { budget });
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .times(2)
      .reply(status, 'upstream error')
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    expect(clock.sleeps).toEqual([250, 500]);
    expect(budget.stats().granted).toBe(3);
    expect(client.stats().requests.inqueryNIB).toEqual({ [`http_${status}`]: 2, ok: 1 });
  });

  it('honours Retry-After on HTTP 429 when it is longer than the backoff', async () => {
    const { client, clock } = setup();
    oss()
      .post(`${PREFIX}/listKemitraan`)
      .reply(429, 'Too Many Requests', { 'Retry-After': '3' })
      .post(`${PREFIX}/listKemitraan`)
      .reply(200, page([kemitraan]));
    await expect(client.listKemitraan({ kdDaerah: '3317', since: null, page: 3, pageSize: 2 })).resolves.toMatchObject({
      totalData: 6,
    });
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(3000);
    expect(client.stats()).toMatchObject({ http429: 1, retries: 1 });
  });

  it('ends the call when Retry-After is longer than the client waits', async () => {
    const { client, clock } = setup();
    oss().post(`${PREFIX}/inqueryNIB`).reply(429, '', { 'Retry-After': '3600' });
    const err = await client.inqueryNib(NIB).catch((e) => e);
    expect(err).toBeInstanceOf(OssUnavailableError);
    expect(err.message).toMatch(/wait 3600 s \(Retry-After\) before inqueryNIB/);
    expect(clock.sleeps).toEqual([]);
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2024-02-19T03:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Mon, 19 Feb 2024 03:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('retries a timeout (a server slower than timeoutMs)', async () => {
    const { client, events } = setup({ timeoutMs: 30 });
    oss().post(`${PREFIX}/inqueryNIB`).reply(slowReply(2000, nibOk)).post(`${PREFIX}/inqueryNIB`).reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    expect(events.map((e) => [e.result, e.attempt])).toEqual([
      ['timeout', 1],
      ['ok', 2],
    ]);
  });

  it('retries a body that stalls past timeoutMs (nock .delay)', async () => {
    const { client } = setup({ timeoutMs: 30 });
    oss().post(`${PREFIX}/inqueryNIB`).delay(300).reply(200, nibOk).post(`${PREFIX}/inqueryNIB`).reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    // Read as text, a stalled body surfaces as the timeout; a streamed one would be ERR_BAD_RESPONSE (also retried).
    expect(client.stats().requests.inqueryNIB).toEqual({ timeout: 1, ok: 1 });
  });

  it.each([
    ['ECONNRESET', 'econnreset'],
    ['ECONNREFUSED', 'econnrefused'],
    ['EPIPE', 'epipe'],
  ])('retries a network error %s', async (code, result) => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .replyWithError(Object.assign(new Error('socket hang up'), { code }))
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    expect(client.stats().requests.inqueryNIB).toEqual({ [result]: 1, ok: 1 });
  });

  it('retries "socket hang up" without a code', async () => {
    const { client } = setup();
    oss().post(`${PREFIX}/inqueryNIB`).replyWithError('socket hang up').post(`${PREFIX}/inqueryNIB`).reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    expect(client.stats().requests.inqueryNIB).toEqual({ socket_hang_up: 1, ok: 1 });
  });

  it('gives up after maxRetries with OssUnavailableError naming the call, the attempts and the last error', async () => {
    const { client, clock } = setup({ maxRetries: 2 });
    oss().post(`${PREFIX}/listKemitraan`).times(3).reply(503, 'Service Unavailable');
    const err = await client.listKemitraan({ kdDaerah: '3317', since: null, page: 3, pageSize: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(OssUnavailableError);
    expect(err.code).toBe('OSS_UNAVAILABLE');
    expect(err.message).toBe(
      'OSS listKemitraan page 3 failed after 3 attempts at api-prd.oss.go.id; last error: HTTP 503 Service Unavailable',
    );
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('caps the backoff at 30 s', async () => {
    const { client, clock } = setup({ maxRetries: 9 });
    oss().post(`${PREFIX}/inqueryNIB`).times(9).reply(500).post(`${PREFIX}/inqueryNIB`).reply(200, nibOk);
    await expect(client.inqueryNib(NIB)).resolves.toMatchObject({ found: true });
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('applies full jitter to the backoff', async () => {
    const clock = fakeClock();
    const client = createOssClient({
      config: ossConfig(),
      log: createLogger('silent'),
      sleep: clock.sleep,
      now: clock.now,
      random: () => 0.5,
    });
    oss().post(`${PREFIX}/inqueryNIB`).times(2).reply(502).post(`${PREFIX}/inqueryNIB`).reply(200, nibOk);
    await client.inqueryNib(NIB);
    expect(clock.sleeps).toEqual([125, 250]);
  });
});

describe('OSS client: the user_key is refused', () => {
  const expectAuthError = (err: unknown, what: RegExp) => {
    expect(err).toBeInstanceOf(OssAuthError);
    const { message, code } = err as OssAuthError;
    expect(code).toBe('OSS_AUTH');
    expect(message).toMatch(/^OSS rejected the user_key \(OSS_USER_KEY\) at api-prd\.oss\.go\.id: /);
    expect(message).toMatch(what);
    expect(message).toMatch(/Check or rotate OSS_USER_KEY\.$/);
    expect(message).not.toContain(KEY);
  };

  it('HTTP 401 stops at once with OssAuthError', async () => {
    const { client, clock } = setup();
    let requests = 0;
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(() => {
        requests++;
        return [401, ''];
      });
    expectAuthError(await client.inqueryNib(NIB).catch((e) => e), /HTTP 401 User Akses Tidak Valid on inqueryNIB/);
    expect(requests).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(client.stats().requests.inqueryNIB).toEqual({ auth: 1 });
  });

  it('body kode 403 inside HTTP 200 stops at once, and an echoed key is not repeated', async () => {
    const { client } = setup();
    let requests = 0;
    oss()
      .post(`${PREFIX}/listKemitraan`)
      .reply(() => {
        requests++;
        return [200, { responlistKemitraan: { kode: '403', keterangan: `Ilegal Akses untuk key ${KEY}` } }];
      });
    const err = await client.listKemitraan({ kdDaerah: '3317', since: null, page: 1 }).catch((e) => e);
    expectAuthError(err, /kode 403 Ilegal Akses untuk key \[redacted\] on listKemitraan page 1/);
    expect(requests).toBe(1);
  });

  it('HTTP 403 with an envelope names its keterangan', async () => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(403, { responinqueryNIB: { kode: 403, keterangan: 'Ilegal Inquery', dataNIB: [] } });
    expectAuthError(await client.inqueryNib(NIB).catch((e) => e), /HTTP 403 Ilegal Inquery on inqueryNIB/);
  });
});

describe('OSS client: other answers', () => {
  it('HTTP 400 is an OssProtocolError naming the call, not retried', async () => {
    const { client } = setup();
    oss().post(`${PREFIX}/inqueryNIB`).reply(400, { message: 'bad' });
    const err = await client.inqueryNib(NIB).catch((e) => e);
    expect(err).toBeInstanceOf(OssProtocolError);
    expect(err.message).toMatch(/^OSS answered HTTP 400 .* to inqueryNIB 8120301220567 at api-prd\.oss\.go\.id/);
  });

  it('HTTP 404 says the method is missing (a deployment without listNIB)', async () => {
    const { client } = setup();
    oss().post(`${PREFIX}/listNIB`).reply(404, 'Not Found');
    const err = await client.listNib({ kdDaerah: '3317', since: '2024-02-19', page: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(OssMethodMissingError);
    expect(err).toBeInstanceOf(OssProtocolError);
    expect(err.method).toBe('listNIB');
  });

  it('an unexpected kode is an OssProtocolError', async () => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, { responinqueryNIB: { kode: 400, keterangan: 'Data Parameter Salah', dataNIB: { nib: NIB } } });
    await expect(client.inqueryNib(NIB)).rejects.toThrow(
      new OssProtocolError('OSS answered kode 400 (Data Parameter Salah) to inqueryNIB 8120301220567'),
    );
  });
});

describe('feed adapter', () => {
  it('ships config/oss-feed-mapping.json as the identity mapping', () => {
    expect(loadFeedMapping()).toEqual(DEFAULT_FEED_MAPPING);
    expect(loadFeedMapping('/nonexistent/oss-feed-mapping.json')).toBe(DEFAULT_FEED_MAPPING);
  });

  it('remaps renamed wire fields, wrappers and paging names back to the contract', async () => {
    const mapping = resolveFeedMapping({
      listKemitraan: {
        method: 'listPartnership',
        requestWrapper: 'LISTPARTNERSHIP',
        request: { halaman: 'page' },
        dataKey: 'dataMitra',
        meta: { total_data: 'total' },
        fields: { nilai_kemitraan: 'nilai', nib_umkm: 'nib_mitra' },
        nested: { realisasi: { nilai_realisasi: 'nilai' } },
      },
    });
    const { client } = setup({}, { mapping });
    const { nilai_kemitraan, nib_umkm, realisasi, ...rest } = kemitraan;
    oss()
      .post(`${PREFIX}/listPartnership`, { LISTPARTNERSHIP: { kd_daerah: '3317', page: 1, jumlah_per_halaman: 100 } })
      .reply(200, {
        responlistPartnership: {
          kode: 200,
          keterangan: 'Sukses',
          dataMitra: [
            { ...rest, nilai: nilai_kemitraan, nib_mitra: nib_umkm, realisasi: [{ tahun: '2024', nilai: '1' }] },
          ],
          meta: { halaman: 1, jumlah_per_halaman: 100, total: 1, total_halaman: 1 },
        },
      });
    const result = await client.listKemitraan({ kdDaerah: '3317', since: null, page: 1 });
    expect(result.records).toEqual([
      {
        ...rest,
        nilai_kemitraan: '150000000',
        nib_umkm: '8120301220567',
        realisasi: [{ tahun: '2024', nilai_realisasi: '1' }],
      },
    ]);
    expect(result.totalData).toBe(1);
  });

  it.each([
    [{ listkemitraan: {} }, /listkemitraan/],
    [{ listNIB: { dataKey: '' } }, /listNIB.dataKey must be a non-empty string/],
    [
      { listNIB: { fields: { nib: 'x', nama_perseroan: 'x' } } },
      /"nib" and "nama_perseroan" both map to the wire name "x"/,
    ],
  ])('refuses a broken mapping with every problem named', (overrides, problem) => {
    expect(() => resolveFeedMapping(overrides)).toThrow(ConfigError);
    expect(() => resolveFeedMapping(overrides)).toThrow(problem);
  });
});

describe('rate budget', () => {
  /** At most `max` times in any half-open window of `windowMs`. */
  const maxInWindow = (times: number[], windowMs: number) =>
    Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

  it('paces N concurrent callers at rps and holds the concurrency bound', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 10, concurrency: 3, now: clock.now, sleep: clock.sleep });
    const granted: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        const permit = await budget.acquire();
        granted.push(clock.now());
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await clock.sleep(250); // the request's own (virtual) duration
        inFlight--;
        permit.release();
      }),
    );
    expect(granted).toHaveLength(25);
    expect(maxInWindow(granted, 1000)).toBeLessThanOrEqual(10);
    for (let i = 1; i < granted.length; i++) expect(granted[i]! - granted[i - 1]!).toBeGreaterThanOrEqual(100);
    expect(maxInFlight).toBe(3);
    expect(budget.stats()).toMatchObject({ granted: 25, inFlight: 0, currentRps: 10, slowdowns: 0 });
    expect(budget.stats().rateWaitMs).toBeGreaterThan(0);
  });

  it('allows a burst after an idle spell when asked to, then paces', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 10, burst: 5, concurrency: 10, now: clock.now, sleep: clock.sleep });
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const permit = await budget.acquire();
        granted.push(clock.now());
        permit.release();
      }),
    );
    expect(granted).toEqual([0, 0, 0, 0, 0, 100, 200, 300]);
  });

  it('counts the wall time during which any caller waited, besides the waits summed over callers', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 10, concurrency: 3, now: clock.now, sleep: clock.sleep });
    let midway: ReturnType<RateBudget['stats']> | undefined;
    void clock.sleep(150).then(() => {
      midway = budget.stats();
    });
    const permits = await Promise.all([budget.acquire(), budget.acquire(), budget.acquire()]);
    for (const p of permits) p.release();
    // Granted at 0, 100 and 200 ms: 300 ms of waits summed, 200 ms of wall time with someone waiting.
    expect(budget.stats()).toMatchObject({ rateWaitMs: 300, rateWaitWallMs: 200 });
    // A snapshot taken while a caller still waits counts the wait so far, so two snapshots subtract exactly.
    expect(midway).toMatchObject({ rateWaitWallMs: 150 });
  });

  it('a client never exceeds rps or concurrency, counted at the server', async () => {
    const clock = fakeClock();
    const shared = createRateBudget({ rps: 10, concurrency: 2, now: clock.now, sleep: clock.sleep });
    const granted: number[] = [];
    const budget: RateBudget = {
      ...shared,
      acquire: async () => {
        const permit = await shared.acquire();
        granted.push(clock.now());
        return permit;
      },
    };
    const { client } = setup({ rateLimitRps: 10, concurrency: 2 }, { budget });
    let inFlight = 0;
    let maxInFlight = 0;
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .times(12)
      .reply(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return [200, nibOk];
      });
    const results = await Promise.all(Array.from({ length: 12 }, () => client.inqueryNib(NIB)));
    expect(results.every((r) => r.found)).toBe(true);
    expect(maxInFlight).toBe(2);
    expect(granted).toHaveLength(12);
    expect(maxInWindow(granted, 1000)).toBeLessThanOrEqual(10);
    for (let i = 1; i < granted.length; i++) expect(granted[i]! - granted[i - 1]!).toBeGreaterThanOrEqual(100);
    expect(granted.at(-1)).toBe(1100);
    expect(client.stats().rateWaitMs).toBeGreaterThanOrEqual(1100);
    expect(client.stats().rateWaitWallMs).toBeGreaterThanOrEqual(1100);
  });
});

describe('rate budget under a quota', () => {
  /** Lets pending acquires reserve their slots (microtasks only: the clock does not move). */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };

  it('holds every caller for the Retry-After, even one that reserved its slot before the quota answer', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 1, concurrency: 3, now: clock.now, sleep: clock.sleep });
    const first = await budget.acquire();
    const grantedAt: number[] = [];
    const later = [budget.acquire(), budget.acquire()].map((p) =>
      p.then((permit) => {
        grantedAt.push(clock.now());
        return permit;
      }),
    );
    await settle(); // both now sleep for their slots at 1 s and 2 s
    expect(first.quotaExceeded(5000)).toBe(0.5);
    first.release();
    for (const p of await Promise.all(later)) p.release();
    // Nobody is granted before the hold ends, and then at the halved rate.
    expect(grantedAt).toEqual([5000, 7000]);
    expect(budget.stats()).toMatchObject({ currentRps: 0.5, slowdowns: 1 });
  });

  it('slows down once for a flurry of quota answers to requests sent at the old rate', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 40, concurrency: 8, now: clock.now, sleep: clock.sleep });
    const sent = await Promise.all(Array.from({ length: 4 }, () => budget.acquire()));
    expect(sent.map((p) => p.quotaExceeded(1000))).toEqual([20, null, null, null]);
    for (const p of sent) p.release();
    expect(budget.stats()).toMatchObject({ currentRps: 20, slowdowns: 1 });
    // A request sent after the slowdown that meets the quota again slows it down again.
    const next = await budget.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(1000);
    expect(next.quotaExceeded(1000)).toBe(10);
    next.release();
  });

  it('lowers the rate to just under the rate OSS answered at when it answered enough to tell', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 10, concurrency: 1, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 20; i++) {
      const permit = await budget.acquire();
      permit.answered();
      permit.release();
    }
    // 20 answers in the last 2 s at 10/s, then a quota answer: OSS answered 10/s, so 5 % under it.
    const refused = await budget.acquire();
    expect(refused.quotaExceeded(0)).toBe(9.5);
    refused.release();
  });

  it('recovers while answers are fine, fast at first, then slowly up to the configured rate and no further', async () => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 8, concurrency: 1, now: clock.now, sleep: clock.sleep });
    const first = await budget.acquire();
    expect(first.quotaExceeded(0)).toBe(4);
    first.release();
    const rates: Array<[number, number]> = [];
    while (clock.now() < 60_000) {
      const permit = await budget.acquire();
      permit.answered();
      permit.release();
      rates.push([clock.now(), budget.stats().currentRps]);
    }
    const at = (ms: number) => rates.filter(([t]) => t <= ms).at(-1)?.[1] ?? 0;
    for (let i = 1; i < rates.length; i++) expect(rates[i]![1]).toBeGreaterThanOrEqual(rates[i - 1]![1]);
    // Within 3 s back to just under the refused rate; the rest is probed for slowly, up to the configured 8/s.
    expect(at(3000)).toBeGreaterThanOrEqual(0.9 * 8);
    expect(at(3000)).toBeLessThan(8);
    expect(Math.max(...rates.map(([, r]) => r))).toBe(8);
    expect(rates.at(-1)?.[1]).toBe(8);
  });

  /** OSS's quota on the virtual clock: a token bucket, answering 429 with Retry-After (whole seconds, ≥ 1) past it. */
  function quotaServer(clock: ReturnType<typeof fakeClock>, rps: number, burst: number) {
    let tokens = burst;
    let at = clock.now();
    return (): number | null => {
      const t = clock.now();
      tokens = Math.min(burst, tokens + ((t - at) / 1000) * rps);
      at = t;
      if (tokens >= 1) {
        tokens -= 1;
        return null;
      }
      return Math.max(1, Math.ceil((1 - tokens) / rps)) * 1000;
    };
  }

  it.each([
    ['strict', 1],
    ['with a burst of 10', 10],
  ])('settles just under a %s quota of 5/s from a budget of 40/s', async (_name, burst) => {
    const clock = fakeClock();
    const budget = createRateBudget({ rps: 40, concurrency: 8, now: clock.now, sleep: clock.sleep });
    const answer = quotaServer(clock, 5, burst);
    const answeredAt: number[] = [];
    let refused = 0;
    await Promise.all(
      Array.from({ length: 400 }, async () => {
        for (;;) {
          const permit = await budget.acquire();
          await clock.sleep(20); // on the way to OSS
          const retryAfterMs = answer();
          await clock.sleep(20); // and back
          permit.release();
          if (retryAfterMs === null) {
            permit.answered();
            answeredAt.push(clock.now());
            return;
          }
          refused++;
          permit.quotaExceeded(retryAfterMs);
          await clock.sleep(retryAfterMs);
        }
      }),
    );
    const seconds = clock.now() / 1000;
    const secondHalf = answeredAt.filter((t) => t > clock.now() / 2).length / (seconds / 2);
    console.log(
      `quota 5/s ${_name}, budget 40/s: ${refused} answers 429 for 400 requests, ` +
        `${(400 / seconds).toFixed(2)} answers/s overall, ${secondHalf.toFixed(2)}/s in the second half, ` +
        `rate now ${budget.stats().currentRps.toFixed(2)}/s`,
    );
    expect(refused).toBeLessThanOrEqual(400 * 0.05);
    expect(400 / seconds).toBeGreaterThanOrEqual(0.85 * 5);
    expect(secondHalf).toBeGreaterThanOrEqual(0.9 * 5);
  });

  it('a client holds every request of the process for a Retry-After, not only the one that got it', async () => {
    const clock = fakeClock();
    const budget = gate(createRateBudget({ rps: 1, concurrency: 3, now: clock.now, sleep: clock.sleep }), clock);
    const { client, logs } = setup({ rateLimitRps: 1, concurrency: 3 }, { budget, clock });
    const sentAt: number[] = [];
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(() => {
        sentAt.push(clock.now());
        return [429, 'Too Many Requests', { 'Retry-After': '4' }];
      })
      .post(`${PREFIX}/inqueryNIB`)
      .times(3)
      .reply(() => {
        sentAt.push(clock.now());
        return [200, nibOk];
      });
    const results = await Promise.all(Array.from({ length: 3 }, () => client.inqueryNib(NIB)));
    expect(results.every((r) => r.found)).toBe(true);
    expect(sentAt).toHaveLength(4);
    expect(sentAt[0]).toBe(0);
    // The two other requests had their slots reserved at 1 s and 2 s; the quota answer at 0 s held them too.
    for (const t of sentAt.slice(1)) expect(t).toBeGreaterThanOrEqual(4000);
    expect(client.stats()).toMatchObject({ http429: 1, retries: 1 });
    expect(logs.filter((l) => l.msg === 'OSS quota reached, request rate lowered')).toHaveLength(1);
  });

  it('says what happened between two stats snapshots, e.g. for one stream', async () => {
    const { client } = setup();
    oss()
      .post(`${PREFIX}/inqueryNIB`)
      .reply(200, nibOk)
      .post(`${PREFIX}/inqueryNIB`)
      .reply(503, 'Service Unavailable')
      .post(`${PREFIX}/inqueryNIB`)
      .times(2)
      .reply(200, nibOk);
    await client.inqueryNib(NIB);
    const before = client.stats();
    await client.inqueryNib(NIB);
    await client.inqueryNib(NIB);
    const after = client.stats();
    expect(ossStatsSince(before, after)).toEqual({
      requests: { inqueryNIB: { http_503: 1, ok: 2 }, checkLicenseStatus: {}, listNIB: {}, listKemitraan: {} },
      retries: 1,
      rateWaitMs: after.rateWaitMs - before.rateWaitMs,
      rateWaitWallMs: after.rateWaitWallMs - before.rateWaitWallMs,
      http429: 0,
      currentRps: 1000,
    });
    expect(before.requests.inqueryNIB).toEqual({ ok: 1 });
  });
});
