/*
 * The list-answer scan faces outside input. Over generated answers (random JSON values as records, odd keys, escapes,
 * white space, duplicate keys, broken text) it never throws; whenever it answers, the records it found parse to exactly
 * what JSON.parse of the whole answer holds, the fields it read are those of the parsed records, and its skeleton
 * parses to the answer without its data array; and it answers null for every text JSON.parse refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanListText } from '../../src/oss/wireScan.js';

const WANTED = new Set(['id_kemitraan', 'tgl_perubahan']);

/** JSON text of a value with random white space between tokens (JSON.stringify with an indent, or none). */
const spaced = (v: unknown, indent: number) => JSON.stringify(v, null, indent);

const key = fc.oneof(
  fc.constantFrom('id_kemitraan', 'tgl_perubahan', 'nama_ub', 'realisasi', '__proto__', 'é"\\\n', ''),
  fc.string(),
);
const record = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const answer = fc.record({
  wrapper: fc.constantFrom('responlistKemitraan', 'RESPONLISTKEMITRAAN', 'respon'),
  dataKey: fc.constantFrom('dataKemitraan', 'DATAKEMITRAAN', ' dataKemitraan '),
  records: fc.array(record, { maxLength: 6 }),
  meta: fc.jsonValue({ maxDepth: 2 }),
  indent: fc.constantFrom(0, 1, 2),
});

function parsedFields(r: unknown): Record<string, unknown> | null {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return null;
  const out: Record<string, unknown> = {};
  for (const k of WANTED) {
    if (!Object.hasOwn(r, k)) continue;
    const v = (r as Record<string, unknown>)[k];
    out[k] = v !== null && typeof v === 'object' ? {} : v;
  }
  return out;
}

describe('scanListText', () => {
  it('finds exactly the records JSON.parse finds, with their fields, in any well-formed answer', () => {
    fc.assert(
      fc.property(answer, ({ wrapper, dataKey, records, meta, indent }) => {
        const text = spaced({ [wrapper]: { kode: 200, [dataKey]: records, meta } }, indent);
        const scanned = scanListText(text, 'dataKemitraan', WANTED);
        expect(scanned).not.toBeNull();
        if (!scanned) return;
        expect(scanned.elements.map((e) => JSON.parse(e.text))).toEqual(JSON.parse(text)[wrapper][dataKey]);
        expect(scanned.elements.map((e) => (e.fields === null ? null : { ...e.fields }))).toEqual(
          JSON.parse(text)[wrapper][dataKey].map(parsedFields),
        );
        const whole = JSON.parse(text);
        whole[wrapper][dataKey] = [];
        expect(JSON.parse(scanned.skeleton)).toEqual(whole);
        expect([scanned.wrapperKey, scanned.dataKey]).toEqual([wrapper, dataKey]);
      }),
      { numRuns: 400 },
    );
  });

  it('takes the last of a repeated field, as JSON.parse does', () => {
    const text = '{"r":{"dataKemitraan":[{"id_kemitraan":"A","x":1,"id_kemitraan":"B"}]}}';
    const scanned = scanListText(text, 'dataKemitraan', WANTED);
    expect(scanned?.elements[0]?.fields).toEqual(Object.assign(Object.create(null), { id_kemitraan: 'B' }));
  });

  it('answers null for any text JSON.parse refuses, and never throws', () => {
    const base = JSON.stringify({ r: { kode: 200, dataKemitraan: [{ id_kemitraan: 'K-1', v: [1, 2.5e3, true] }] } });
    const mutated = fc
      .tuple(fc.nat({ max: base.length }), fc.nat({ max: 3 }), fc.string({ maxLength: 3 }))
      .map(([at, cut, insert]) => base.slice(0, at) + insert + base.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string()), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const scanned = scanListText(text, 'dataKemitraan', WANTED);
        if (!valid) expect(scanned).toBeNull();
        if (scanned) {
          for (const e of scanned.elements) expect(() => JSON.parse(e.text)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves to the full parse what it does not vouch for: two data arrays, a duplicate wrapper, deep nesting', () => {
    expect(scanListText('{"a":{"dataKemitraan":[]},"b":{"dataKemitraan":[]}}', 'dataKemitraan', WANTED)).toBeNull();
    expect(scanListText('{"a":{"dataKemitraan":[]},"a":{"x":1}}', 'dataKemitraan', WANTED)).toBeNull();
    const deep = `{"a":{"dataKemitraan":[${'['.repeat(5000)}${']'.repeat(5000)}]}}`;
    expect(scanListText(deep, 'dataKemitraan', WANTED)).toBeNull();
    expect(scanListText('{"a":{"dataKemitraan":{}}}', 'dataKemitraan', WANTED)).toBeNull();
  });
});
