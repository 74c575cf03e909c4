/*
 * The envelope reader faces outside input: over generated bodies (random JSON, wrong types, nested envelopes,
 * strings that look like JSON, huge or negative paging numbers, nulls and the quirks of real payloads) it throws
 * nothing but OssProtocolError, and what it returns (the envelope, a page's records and paging, a lookup) has the
 * documented shape. fast-check prints the seed and the smallest failing body when a property fails.
 */
import fc from 'fast-check';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { OssAuthError, OssProtocolError, OssUnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { type EnvelopeRequest, KODE_TEXT, type OssEnvelope, readEnvelope } from '../../src/oss/envelope.js';
import { createOssClient, type OssLookup, type OssPage } from '../../src/oss/index.js';

const ORIGIN = 'https://api-prd.oss.go.id';
const PREFIX = '/v1/kl/rba';
const SECRET = 'uk-7f3a9c1e-SECRET-b2d4';

interface MethodCase {
  readonly method: string;
  readonly dataKey: string;
  readonly metaKey?: string;
  /** Wrapper spellings seen in real answers besides respon<method>. */
  readonly aliases: readonly string[];
}

const METHODS: readonly MethodCase[] = [
  { method: 'inqueryNIB', dataKey: 'dataNIB', aliases: [] },
  {
    method: 'checkLicenseStatus',
    dataKey: 'dataIZIN',
    aliases: ['responcheckStatusLicense', 'responsecheckLicenceStatus'],
  },
  { method: 'listKemitraan', dataKey: 'dataKemitraan', metaKey: 'meta', aliases: [] },
  { method: 'listNIB', dataKey: 'dataNIB', metaKey: 'meta', aliases: [] },
];

// ---- Generators ----

/** What OSS puts where a number belongs: numbers, numeric strings, "", "-", huge, negative, fractions, nulls. */
const numberish: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 600 }),
  fc.integer({ min: -3, max: 600 }).map(String),
  fc.integer({ min: 0, max: 600 }).map((n) => ` ${n} `),
  fc.constantFrom('', '-', ' ', 'null', '1e3', '0x10', '12.5', '007', '-0', '١٢٣', '9'.repeat(400)),
  fc.constantFrom('99999999999999999999', String(Number.MAX_SAFE_INTEGER + 2), '4294967296'),
  fc.constantFrom(1e300, -1, 0.5, Number.MAX_SAFE_INTEGER + 2, 2 ** 53),
  fc.double(),
  fc.constantFrom(null, true, false, [], {}, [200], { kode: 200 }),
);

/** A partnership-like record with the quirks of real payloads: numbers as strings, "" and "-", a trailing space. */
const quirkyRecord: fc.Arbitrary<unknown> = fc.dictionary(
  fc.constantFrom(
    'id_kemitraan',
    'nib',
    'nib_ub',
    'nilai_kemitraan',
    'tgl_perubahan',
    'tgl_perubahan_nib',
    'tipe_dokumen ',
    'realisasi',
    'kd_status',
    'unknown_extra_field',
  ),
  fc.oneof(fc.string(), numberish, fc.constantFrom('-', '', '58'), fc.jsonValue({ maxDepth: 2 })),
  { maxKeys: 8 },
);

/** What sits at the data key: records, the empty spellings of "nothing", wrong types. */
const dataValue = (nested: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(quirkyRecord, { maxLength: 6 }) },
    { weight: 2, arbitrary: fc.constantFrom([], {}, null, '', 'tidak ada') },
    { weight: 1, arbitrary: quirkyRecord },
    { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) },
    { weight: 1, arbitrary: nested },
    { weight: 1, arbitrary: fc.array(nested, { maxLength: 2 }) },
  );

/** Paging meta: sometimes right for the page asked, often not. */
const metaValue = (page: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          halaman: fc.oneof(fc.constant(page), fc.constant(String(page)), numberish),
          jumlah_per_halaman: fc.oneof(fc.constantFrom(2, 100, '100', 500), numberish),
          total_data: fc.oneof(fc.nat({ max: 5000 }), numberish),
          total_halaman: fc.oneof(fc.nat({ max: 60 }), numberish),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(null, [], 'meta', 3), fc.jsonValue({ maxDepth: 2 })) },
  );

/** Keys a wrapper may be found under: the method's, in any case, misspelt, another respon*, or anything. */
const wrapperKey = (m: MethodCase): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(`respon${m.method}`),
    fc.mixedCase(fc.constant(`respon${m.method}`)),
    fc.constant(`response${m.method}`),
    m.aliases.length > 0 ? fc.constantFrom(...m.aliases) : fc.constant(`RESPON${m.method.toUpperCase()}`),
    fc.string({ maxLength: 8 }).map((s) => `respon${s}`),
    fc.string({ maxLength: 12 }),
  );

/** A data or meta key: right, in another case, with a trailing space, or another name. */
const keyLike = (key: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(key) },
    { weight: 2, arbitrary: fc.mixedCase(fc.constant(key)) },
    { weight: 1, arbitrary: fc.constant(`${key} `) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );

/** One envelope's inner object, each member present or not. */
const innerValue = (m: MethodCase, page: number, nested: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc
    .record({
      kode: fc.option(
        fc.oneof(fc.constantFrom(200, 200, 400, 401, 403, 404, 405, 500, 504, '200', ' 200 ', '400'), numberish),
        { nil: undefined },
      ),
      keterangan: fc.option(fc.oneof(fc.string(), fc.constant(`Ilegal Akses untuk key ${SECRET}`), numberish), {
        nil: undefined,
      }),
      data: fc.option(fc.tuple(keyLike(m.dataKey), dataValue(nested)), { nil: undefined }),
      meta: fc.option(fc.tuple(keyLike(m.metaKey ?? 'meta'), metaValue(page)), { nil: undefined }),
      extra: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
    })
    .map(({ kode, keterangan, data, meta, extra }) => {
      const inner: Record<string, unknown> = { ...extra };
      if (kode !== undefined) inner.kode = kode;
      if (keterangan !== undefined) inner.keterangan = keterangan;
      if (data) inner[data[0]] = data[1];
      if (meta) inner[meta[0]] = meta[1];
      return inner;
    });

/** A whole body as a value: an envelope, one nested in another, several, or any JSON at all. */
const bodyValue = (m: MethodCase, page: number): fc.Arbitrary<unknown> => {
  const flat = fc
    .tuple(wrapperKey(m), innerValue(m, page, fc.jsonValue({ maxDepth: 2 })))
    .map(([k, v]) => ({ [k]: v }));
  const envelope = fc.tuple(wrapperKey(m), innerValue(m, page, flat)).map(([k, v]) => ({ [k]: v }));
  return fc.oneof(
    { weight: 6, arbitrary: envelope },
    { weight: 1, arbitrary: fc.tuple(wrapperKey(m), envelope).map(([k, v]) => ({ [k]: v })) },
    { weight: 1, arbitrary: fc.array(envelope, { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.tuple(envelope, envelope).map(([a, b]) => ({ ...a, ...b })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
};

const DEEP = 20_000;
/** A body as OSS's text: JSON, JSON inside a string, cut short, pretty-printed, or no JSON at all. */
const bodyText = (m: MethodCase, page: number): fc.Arbitrary<string> => {
  const value = bodyValue(m, page);
  return fc.oneof(
    { weight: 8, arbitrary: value.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: value.map((v) => `${JSON.stringify(v, null, 2)}\n`) },
    { weight: 1, arbitrary: value.map((v) => JSON.stringify(JSON.stringify(v))) },
    {
      weight: 1,
      arbitrary: value.chain((v) => {
        const text = JSON.stringify(v);
        return fc.nat({ max: text.length }).map((n) => text.slice(0, n));
      }),
    },
    { weight: 1, arbitrary: fc.string() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'null',
        '[]',
        '"respon"',
        `\uFEFF{"respon${m.method}":{"kode":200}}`,
        '<html><body><h1>502 Bad Gateway</h1></body></html>',
        `{"respon${m.method}": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`,
        `{"respon${m.method}": {"kode": 200, "keterangan": "${SECRET}"`,
        `{"respon${m.method}":{"kode":200}} trailing`,
      ),
    },
  );
};

/** A page much as OSS sends it, numbers as numbers or strings, with now and then one value off. */
const plausiblePage = (m: MethodCase, page: number): fc.Arbitrary<string> => {
  const count = (max: number) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.nat({ max }) },
      { weight: 3, arbitrary: fc.nat({ max }).map(String) },
      { weight: 1, arbitrary: numberish },
    );
  return fc
    .record({
      key: fc.mixedCase(fc.constant(`respon${m.method}`)),
      kode: fc.constantFrom(200, '200', ' 200 '),
      keterangan: fc.option(fc.string(), { nil: undefined }),
      dataKey: fc.mixedCase(fc.constant(m.dataKey)),
      data: fc.option(
        fc.oneof(
          { weight: 4, arbitrary: fc.array(quirkyRecord, { maxLength: 6 }) },
          { weight: 1, arbitrary: fc.constantFrom([], {}, null) },
        ),
        { nil: undefined },
      ),
      meta: fc.record({
        halaman: fc.constantFrom(page, String(page)),
        jumlah_per_halaman: fc.oneof(fc.integer({ min: 1, max: 500 }), numberish),
        total_data: count(100_000),
        total_halaman: count(1_000),
      }),
    })
    .map(({ key, kode, keterangan, dataKey, data, meta }) =>
      JSON.stringify({
        [key]: {
          kode,
          ...(keterangan === undefined ? {} : { keterangan }),
          ...(data === undefined ? {} : { [dataKey]: data }),
          [m.metaKey ?? 'meta']: meta,
        },
      }),
    );
};

/** A lookup answer much as OSS sends it: a record, or kode 400 with one of the spellings of "no data". */
const plausibleLookup = (m: MethodCase): fc.Arbitrary<string> =>
  fc
    .record({
      key: fc.oneof(fc.mixedCase(fc.constant(`respon${m.method}`)), ...m.aliases.map((a) => fc.constant(a))),
      kode: fc.constantFrom(200, '200', 400, '400'),
      keterangan: fc.option(fc.oneof(fc.string(), fc.constant(`Data tidak ditemukan (${SECRET})`)), { nil: undefined }),
      dataKey: fc.mixedCase(fc.constant(m.dataKey)),
      data: fc.oneof(quirkyRecord, fc.constantFrom([], {}, null, { nib: '', id_izin: null })),
    })
    .map(({ key, kode, keterangan, dataKey, data }) =>
      JSON.stringify({ [key]: { kode, ...(keterangan === undefined ? {} : { keterangan }), [dataKey]: data } }),
    );

// ---- Properties ----

const requestOf = (m: MethodCase): EnvelopeRequest => ({
  method: m.method,
  dataKey: m.dataKey,
  ...(m.metaKey === undefined ? {} : { metaKey: m.metaKey }),
  label: `${m.method} page 1`,
  secret: SECRET,
});

describe('readEnvelope over generated bodies', () => {
  it.each(METHODS)('$method: returns the envelope shape or throws OssProtocolError, never anything else', (m) => {
    fc.assert(
      fc.property(bodyText(m, 1), (text) => {
        let envelope: OssEnvelope;
        try {
          envelope = readEnvelope(text, requestOf(m));
        } catch (err) {
          expect(err).toBeInstanceOf(OssProtocolError);
          const { message } = err as OssProtocolError;
          expect(message.startsWith(`malformed OSS response for ${m.method} page 1: `)).toBe(true);
          expect(message).not.toContain(SECRET);
          return;
        }
        expect(Object.keys(envelope).sort()).toEqual(['data', 'keterangan', 'kode', 'meta']);
        expect(Number.isFinite(envelope.kode)).toBe(true);
        expect(typeof envelope.keterangan).toBe('string');
        expect(envelope.keterangan).toBe(envelope.keterangan.trim());
        if (m.metaKey === undefined) expect(envelope.meta).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it.each(METHODS)('$method: reads every well-formed envelope, whatever its spelling quirks', (m) => {
    const wrapper = fc.oneof(
      fc.mixedCase(fc.constant(`respon${m.method}`)),
      fc.mixedCase(fc.constant(`response${m.method}`)),
      ...m.aliases.map((a) => fc.constant(a)),
    );
    fc.assert(
      fc.property(
        wrapper,
        fc.integer({ min: 0, max: 999 }),
        fc.constantFrom('number', 'string', 'padded'),
        fc.option(fc.string(), { nil: undefined }),
        fc.mixedCase(fc.constant(m.dataKey)),
        dataValue(fc.jsonValue({ maxDepth: 2 })),
        metaValue(1),
        (key, kode, kodeAs, keterangan, dataKey, data, meta) => {
          const inner: Record<string, unknown> = {
            kode: kodeAs === 'number' ? kode : kodeAs === 'string' ? String(kode) : ` ${kode} `,
            [dataKey]: data,
            ...(m.metaKey === undefined ? {} : { [m.metaKey]: meta }),
          };
          if (keterangan !== undefined) inner.keterangan = keterangan;
          const text = JSON.stringify({ [key]: inner });
          const wire = JSON.parse(text)[key];
          expect(readEnvelope(text, requestOf(m))).toEqual({
            kode,
            keterangan: keterangan === undefined ? (KODE_TEXT[kode] ?? '') : keterangan.trim(),
            data: wire[dataKey],
            meta: m.metaKey === undefined ? undefined : wire[m.metaKey],
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- Through the client: pages and lookups ----

const ossConfig = (): Config['oss'] => ({
  baseUrl: `${ORIGIN}${PREFIX}`,
  userKey: SECRET,
  kdDaerah: '3317',
  rateLimitRps: 10_000,
  concurrency: 4,
  timeoutMs: 2000,
  // One attempt: a retryable kode becomes OssUnavailableError at once.
  maxRetries: 0,
  pageSize: 100,
  maxPageSize: 500,
});

const client = () =>
  createOssClient({ config: ossConfig(), log: createLogger('silent'), sleep: async () => {}, random: () => 0 });

/** The errors the client documents; anything else (a TypeError, a RangeError) is a bug. */
const expectDocumentedError = (err: unknown) => {
  expect([OssProtocolError, OssUnavailableError, OssAuthError].some((E) => err instanceof E)).toBe(true);
  expect((err as Error).message).not.toContain(SECRET);
};

const answer = (method: string, text: string) =>
  nock(ORIGIN).post(`${PREFIX}/${method}`).reply(200, text, { 'Content-Type': 'application/json' });

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.restore();
});

describe('list pages over generated bodies', () => {
  it.each(METHODS.filter((m) => m.metaKey !== undefined))(
    '$method: a page of the documented shape, or a documented error',
    async (m) => {
      const cases = fc
        .integer({ min: 1, max: 4 })
        .chain((page) => fc.oneof(bodyText(m, page), plausiblePage(m, page)).map((text) => ({ page, text })));
      let pages = 0;
      await fc.assert(
        fc.asyncProperty(cases, async ({ page, text }) => {
          const scope = answer(m.method, text);
          const query = { kdDaerah: '3317', since: null, page, pageSize: 100 };
          let result: OssPage;
          try {
            result = await (m.method === 'listKemitraan' ? client().listKemitraan(query) : client().listNib(query));
          } catch (err) {
            expectDocumentedError(err);
            return;
          } finally {
            expect(scope.isDone()).toBe(true);
          }
          expect(result.page).toBe(page);
          for (const n of [result.pageSize, result.totalData, result.totalPages]) {
            expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
          }
          expect(Array.isArray(result.records)).toBe(true);
          expect(result.records.length).toBeLessThanOrEqual(result.pageSize);
          pages++;
        }),
        { numRuns: 250 },
      );
      // The generator reaches real pages too, not only errors.
      console.log(`${m.method}: ${pages} of 250 generated bodies read as pages`);
      expect(pages).toBeGreaterThan(0);
    },
  );
});

describe('lookups over generated bodies', () => {
  it.each(METHODS.filter((m) => m.metaKey === undefined))(
    '$method: a record, "not found" with its text, or a documented error',
    async (m) => {
      let records = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(bodyText(m, 1), plausibleLookup(m)), async (text) => {
          const scope = answer(m.method, text);
          let result: OssLookup;
          try {
            result =
              m.method === 'inqueryNIB'
                ? await client().inqueryNib('8120301220567')
                : await client().checkLicenseStatus('I-202402191030150001');
          } catch (err) {
            expectDocumentedError(err);
            return;
          } finally {
            expect(scope.isDone()).toBe(true);
          }
          if (!result.found) {
            expect(typeof result.keterangan).toBe('string');
            expect(result.keterangan).not.toContain(SECRET);
            return;
          }
          records++;
          // A record is something: not null, not [], not {} or an object of empty strings (OSS's "nothing").
          const { data } = result;
          expect(data === null || data === undefined).toBe(false);
          if (Array.isArray(data)) expect(data.length).toBeGreaterThan(0);
          else if (typeof data === 'object') {
            expect(Object.values(data as object).some((v) => v !== '' && v !== null)).toBe(true);
          }
        }),
        { numRuns: 250 },
      );
      console.log(`${m.method}: ${records} of 250 generated bodies read as records`);
      expect(records).toBeGreaterThan(0);
    },
  );
});
