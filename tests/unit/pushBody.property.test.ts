/*
 * Properties of the receiveNIB body classifier (classifyPush): on any bytes and any Token it answers, never throws;
 * what it accepts went through validation exactly as validateBusinesses sees the document; and nothing it keeps of
 * a rejected push (summary text, nib, reason) holds an unmasked 16-digit run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyPush,
  keptItem,
  MAX_PUSH_DEPTH,
  outsideRegion,
  type PushContext,
  type PushVerdict,
  SUMMARY_TEXT_CHARS,
} from '../../src/http/pushBody.js';
import { pushToken, verifyPushToken, wibCompactDate } from '../../src/http/pushToken.js';
import { validateBusinesses } from '../../src/validate/index.js';

const credentials = { username: 'oss-push-rembang', password: 'p4ss-w0rd' };
const NOW = new Date('2026-11-20T03:00:00Z');
const NIKS = ['3317014508900002', '3317096712850001', '3374011203770004'];
const signed = (nib: string) => pushToken(credentials.username, credentials.password, nib, wibCompactDate(NOW));

/** A dataNIB OSS would push for a Lasem business: valid as it is. */
function validDocument(nib: string): Record<string, unknown> {
  return {
    nib,
    oss_id: `P02-20240314093012456${nib.slice(-4)}`,
    tgl_pengajuan_nib: '2024-03-14',
    tgl_terbit_nib: '2024-03-14',
    tgl_perubahan_nib: '2026-11-20',
    jenis_pelaku_usaha: '01',
    skala_usaha: '01',
    nama_perseroan: 'UD SARI LAUT',
    npwp_perseroan: '',
    perseroan_daerah_id: '3317142008',
    status_nib: '01',
    'tipe_dokumen ': '5',
    kd_daerah: '3317000000',
    penanggung_jwb: [
      { jns_identitas_penanggung_jwb: '01', no_identitas_penanggung_jwb: NIKS[0], nama_penanggung_jwb: 'SITI AMINAH' },
    ],
    data_proyek: [
      {
        id_proyek: `R-20240314093012456${nib.slice(-4)}`,
        kbli: '10221',
        data_lokasi_proyek: [{ id_proyek_lokasi: `L-1${nib.slice(-4)}`, proyek_daerah_id: '3317142008' }],
      },
    ],
    data_checklist: [{ id_izin: `I-20240314100233412${nib.slice(-4)}`, kd_status: '45', kd_daerah: '3317000000' }],
  };
}

const nibArb = fc.stringMatching(/^912\d{10}$/);
const nikArb = fc.oneof(fc.constantFrom(...NIKS), fc.stringMatching(/^\d{16,24}$/));

/** A document with fields removed, mistyped, or a NIK put where it does not belong (key, value, inside text). */
const mutatedDocument = fc
  .record({
    nib: nibArb,
    drop: fc.subarray(Object.keys(validDocument('9120304050601'))),
    retype: fc.dictionary(fc.constantFrom(...Object.keys(validDocument('9120304050601'))), fc.jsonValue(), {
      maxKeys: 3,
    }),
    nik: nikArb,
    nikAt: fc.constantFrom('none', 'key', 'value', 'number', 'inside', 'nama', 'nib'),
  })
  .map(({ nib, drop, retype, nik, nikAt }) => {
    const doc: Record<string, unknown> = validDocument(nib);
    for (const k of drop) if (k !== 'nib') delete doc[k];
    Object.assign(doc, retype);
    if (nikAt === 'key') doc[nik] = 'x';
    if (nikAt === 'value') doc.keterangan_tambahan = nik;
    if (nikAt === 'number') doc.no_lain = Number(nik);
    if (nikAt === 'inside') doc.catatan = `pemilik NIK ${nik}, Lasem`;
    if (nikAt === 'nama') doc.nama_perseroan = nik;
    if (nikAt === 'nib') doc.nib = nik;
    return doc;
  });

const tokenFor = (nib: unknown) =>
  fc.oneof(
    fc.constant(typeof nib === 'string' ? signed(nib) : undefined),
    fc.constant(undefined),
    fc.constant('f'.repeat(40)),
    fc.string({ maxLength: 60 }),
  );

const contextArb = fc.constantFrom<PushContext>(
  { credentials, piiKey: 'test-pii-key', now: NOW, kdDaerah: '3317' },
  { credentials, piiKey: 'test-pii-key', now: NOW, kdDaerah: '33' },
  { credentials, piiKey: 'test-pii-key', now: NOW, kdDaerah: null },
);

/** Any body: bytes, text, JSON, a (mutated) push, deep nesting, huge strings. */
const bodyAndToken = fc.oneof(
  fc.tuple(fc.uint8Array({ maxLength: 2000 }).map(Buffer.from), fc.option(fc.string(), { nil: undefined })),
  fc.tuple(
    fc.string({ unit: 'binary', maxLength: 2000 }).map((s) => Buffer.from(s)),
    fc.option(fc.string(), { nil: undefined }),
  ),
  fc.tuple(
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
    fc.option(fc.string(), { nil: undefined }),
  ),
  mutatedDocument.chain((doc) =>
    fc.tuple(fc.constant(Buffer.from(JSON.stringify({ dataNIB: doc }))), tokenFor(doc.nib)),
  ),
  fc
    .record({
      nib: nibArb,
      depth: fc.integer({ min: 1, max: 3000 }),
      open: fc.constantFrom('[', '{"a":', '{"dataNIB":'),
      close: fc.boolean(),
    })
    .chain(({ nib, depth, open, close }) => {
      const closer = open === '[' ? ']' : '}';
      const deep = `${open.repeat(depth)}1${close ? closer.repeat(depth) : ''}`;
      const body = `{"dataNIB":${JSON.stringify(validDocument(nib)).slice(0, -1)},"lampiran":${deep}}}`;
      return fc.tuple(fc.constant(Buffer.from(body)), tokenFor(nib));
    }),
  fc
    .record({ nib: nibArb, size: fc.integer({ min: 10_000, max: 400_000 }), nik: nikArb, digits: fc.boolean() })
    .chain(({ nib, size, nik, digits }) => {
      const filler = digits ? nik.repeat(Math.ceil(size / nik.length)).slice(0, size) : 'A'.repeat(size);
      const body = JSON.stringify({ dataNIB: { ...validDocument(nib), catatan: filler } });
      return fc.tuple(fc.constant(Buffer.from(body)), tokenFor(nib));
    }),
);

const SIXTEEN_DIGITS = /\d{16}/;

/** Everything kept of a rejected push, as text. */
function keptText(v: PushVerdict & { kind: 'rejected' }): string {
  const item = keptItem(v);
  expect(item.payload).toBeNull();
  expect(item.validated).toBeNull();
  expect((item.bodyText ?? '').length).toBeLessThanOrEqual(SUMMARY_TEXT_CHARS);
  return [item.nib ?? '', item.rejectReason ?? '', item.bodyText ?? ''].join('\n');
}

function checkVerdict(body: Buffer, token: string | undefined, ctx: PushContext): void {
  const v = classifyPush(body, token, ctx);
  if (v.kind === 'rejected') {
    expect(keptText(v)).not.toMatch(SIXTEEN_DIGITS);
    expect(v.answer.status).toBe('2');
    return;
  }
  // Accepted only with the Token of its NIB, and validated exactly as validateBusinesses sees the document.
  expect(verifyPushToken(token, credentials, v.nib, ctx.now).ok).toBe(true);
  const document = (JSON.parse(body.toString('utf8')) as { dataNIB: unknown }).dataNIB;
  const direct = validateBusinesses([document], { piiKey: ctx.piiKey });
  expect(v.validated.valid.length + v.validated.rejected.length).toBe(1);
  expect(v.validated.valid.map((x) => x.record.nib)).toEqual(direct.valid.map((x) => x.record.nib));
  for (const { record } of v.validated.valid) expect(record.nib).toBe(v.nib);
  if (!v.inRegion && ctx.kdDaerah !== null) {
    const outside = outsideRegion(v, ctx.kdDaerah);
    expect(outside.answer.status).toBe('1');
    expect(keptText(outside)).not.toMatch(SIXTEEN_DIGITS);
  }
}

describe('classifyPush (property)', () => {
  it('never throws; accepts only signed documents validated as validateBusinesses does; keeps no unmasked 16-digit run of a rejected push', () => {
    fc.assert(
      fc.property(bodyAndToken, contextArb, ([body, token], ctx) => checkVerdict(body, token, ctx)),
      { numRuns: 400 },
    );
  });

  it('a signed, valid document is accepted whole, and one NIK-sized field change never makes it throw', () => {
    fc.assert(
      fc.property(nibArb, contextArb, (nib, ctx) => {
        const body = Buffer.from(JSON.stringify({ dataNIB: validDocument(nib) }));
        const v = classifyPush(body, signed(nib), ctx);
        expect(v.kind).toBe('accepted');
        if (v.kind === 'accepted') {
          expect(v.validated.valid).toHaveLength(1);
          expect(v.inRegion).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it(`refuses any body nested deeper than ${MAX_PUSH_DEPTH} levels, signed or not, up to the whole 4 MB limit`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_PUSH_DEPTH + 1, max: 2 * 1024 * 1024 }),
        fc.constantFrom('[', '{"a":', '[{"b":'),
        nibArb,
        (depth, open, nib) => {
          const body = Buffer.from(`{"dataNIB":{"nib":"${nib}","x":${open.repeat(depth)}`);
          const v = classifyPush(body, signed(nib), { credentials, piiKey: 'k', now: NOW, kdDaerah: '3317' });
          expect(v).toMatchObject({ kind: 'rejected', code: 'too_deep', answer: { status: '2', httpStatus: 400 } });
        },
      ),
      { numRuns: 25 },
    );
  });
});
