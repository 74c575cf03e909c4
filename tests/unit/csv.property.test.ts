/*
 * Properties of the csv tokenizer on generated input: it never fails but for a quote never closed (reported at the
 * line it opens on), it reads back what a writer that quotes properly wrote (the same cells as csv-parse, on the
 * same lines), however the text is cut into chunks, and it cuts fields at the limit and reports them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CsvDelimiter,
  CsvQuoteError,
  type CsvRecordIssue,
  CsvTokenizer,
  type CsvTokenizerOptions,
  csvField,
} from '../../src/import/csv.js';
import { ImportLimitError } from '../../src/import/limits.js';
import { openExport } from '../../src/import/source.js';

interface Read {
  records: Array<{ fields: string[]; line: number; issues?: CsvRecordIssue[] }>;
}

/** Tokenizes `text` cut at the given offsets. */
function tokenize(
  text: string,
  cuts: number[],
  delimiter: CsvDelimiter,
  options?: CsvTokenizerOptions,
  records: Read['records'] = [],
): Read {
  const t = new CsvTokenizer(delimiter, options);
  const sink = (fields: string[], line: number, issues?: CsvRecordIssue[]) =>
    records.push(issues ? { fields, line, issues } : { fields, line });
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b)) {
    t.push(text.slice(at, cut), false, sink);
    at = cut;
  }
  t.push(text.slice(at), false, sink);
  t.push('', true, sink);
  return { records };
}

const delimiters = fc.constantFrom<CsvDelimiter>(',', ';', '\t');
/** Text rich in what a tokenizer trips on. */
const csvish = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('"', ',', ';', '\t', '\n', '\r', '\r\n', '""', '\ufeff') },
      { weight: 6, arbitrary: fc.string({ maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));
/** Where the text is cut into chunks (past its end: not cut). */
const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 8 });

/** A cell: anything, including the characters that need quoting. */
const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc
    .array(fc.constantFrom('a', 'Z', ' ', '"', ',', ';', '\t', '\n', '\r\n', 'é', '😀'), { maxLength: 10 })
    .map((p) => p.join('')),
);
const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });

/** One row as a careful writer quotes it; a row that is one empty cell is quoted (an empty line is no row). */
const writeRow = (r: string[], d: CsvDelimiter) =>
  r.length === 1 && r[0] === '' ? '""' : r.map((v) => csvField(v, d)).join(d);
const write = (rows: string[][], d: CsvDelimiter, eol: string) => rows.map((r) => writeRow(r, d) + eol).join('');
const lineFeeds = (s: string) => s.split('\n').length - 1;

/** 1-based line each row starts on. */
function startLines(rows: string[][], d: CsvDelimiter): number[] {
  let line = 1;
  return rows.map((r) => {
    const start = line;
    line += lineFeeds(writeRow(r, d)) + 1;
    return start;
  });
}

describe('csv tokenizer properties', () => {
  it('never throws on any input but a CsvQuoteError at a line the input has', () => {
    fc.assert(
      fc.property(csvish, delimiters, fc.integer({ min: 1, max: 40 }), cuts, (text, d, maxFieldChars, at) => {
        let read: Read | null = null;
        try {
          read = tokenize(text, at, d, { maxFieldChars, maxRecordChars: 80, maxFields: 5 });
        } catch (err) {
          expect(err).toBeInstanceOf(CsvQuoteError);
          const { line } = err as CsvQuoteError;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(text.split('\n').length);
          return;
        }
        for (const r of read.records) {
          expect(r.fields.length).toBeLessThanOrEqual(5);
          // A cut field keeps a preview (100 characters and an ellipsis) for the rejection report.
          for (const f of r.fields) expect(f.length).toBeLessThanOrEqual(Math.max(maxFieldChars, 101));
          if (r.fields.some((f) => f.length > maxFieldChars)) expect(r.issues).toBeDefined();
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads back a properly quoted table, on the lines each row starts, however the text is cut', () => {
    fc.assert(
      fc.property(table, delimiters, fc.constantFrom('\n', '\r\n'), cuts, (rows, d, eol, at) => {
        const text = write(rows, d, eol);
        const { records } = tokenize(text, at, d);
        expect(records.map((r) => r.fields)).toEqual(rows);
        expect(records.map((r) => r.line)).toEqual(startLines(rows, d));
        expect(records.every((r) => r.issues === undefined)).toBe(true);
      }),
      { numRuns: 1_500 },
    );
  });

  it('reads the same cells as csv-parse on well-formed text', () => {
    fc.assert(
      fc.property(table, delimiters, fc.constantFrom('\n', '\r\n'), (rows, d, eol) => {
        const text = write(rows, d, eol);
        const expected = parseCsvSync(text, { delimiter: d, relax_column_count: true, record_delimiter: eol });
        expect(tokenize(text, [], d).records.map((r) => r.fields)).toEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it('reports a quote never closed at the line and column it opens, after the rows before it', () => {
    fc.assert(
      fc.property(
        table,
        fc.array(cell, { maxLength: 3 }),
        fc.string({ maxLength: 30 }).map((s) => s.replace(/"/g, '')),
        delimiters,
        cuts,
        (rows, before, rest, d, at) => {
          const head = write(rows, d, '\n');
          const lead = before.map((v) => `${csvField(v, d)}${d}`).join('');
          const text = `${head}${lead}"${rest}\nmore,lines\n`;
          let read: Read | null = null;
          let error: unknown = null;
          const seen: Read['records'] = [];
          try {
            read = tokenize(text, at, d, {}, seen);
          } catch (err) {
            error = err;
          }
          expect(read).toBeNull();
          expect(error).toBeInstanceOf(CsvQuoteError);
          const e = error as CsvQuoteError;
          expect(e.line).toBe(lineFeeds(head + lead) + 1);
          expect(e.column).toBe(before.length + 1);
          expect(e.message).toMatch(new RegExp(`^line ${e.line}: .*never closed`));
          expect(seen.map((r) => r.fields)).toEqual(rows);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('keeps fields up to the limit whole, and cuts longer ones with their column and length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 300 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 10, max: 200 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 3_000 }), { maxLength: 5 }),
        (lengths, limit, quoted, at) => {
          const rows = lengths.map((r) => r.map((len) => 'x'.repeat(len)));
          const text = rows.map((r) => r.map((v) => (quoted ? `"${v}"` : v)).join(',')).join('\n');
          const { records } = tokenize(text, at, ',', { maxFieldChars: limit, maxRecordChars: 1e9 });
          const kept = rows.filter((r) => !(r.length === 1 && r[0] === '' && !quoted));
          expect(records).toHaveLength(kept.length);
          records.forEach((rec, i) => {
            const row = kept[i]!;
            const over = row.flatMap((v, j) =>
              v.length > limit ? [{ kind: 'field-too-long', column: j, length: v.length }] : [],
            );
            expect(rec.issues ?? []).toEqual(over);
            rec.fields.forEach((f, j) => {
              if (row[j]!.length <= limit) expect(f).toBe(row[j]);
              else expect(row[j]!.startsWith(f.replace(/…$/, ''))).toBe(true);
            });
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('reading generated bytes as a csv file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oss-csv-prop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never fails but with a quote or limit error, whatever the bytes and their encoding', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          csvish.map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
          fc
            .tuple(fc.constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe], []), csvish, fc.uint8Array({ maxLength: 8 }))
            .map(([bom, s, junk]) => new Uint8Array([...bom, ...Buffer.from(s, 'utf8'), ...junk])),
        ),
        fc.integer({ min: 5, max: 60 }),
        async (bytes, maxCellChars) => {
          const path = join(dir, `f${k++}.csv`);
          writeFileSync(path, bytes);
          const source = openExport(path, 'csv', { limits: { maxCellChars, maxRows: 50, maxBytes: 1_000 } });
          try {
            for await (const batch of source.batches) {
              for (const r of batch.rows) for (const c of r) expect(String(c).length).toBeLessThanOrEqual(maxCellChars);
            }
            expect(source.sha256()).toMatch(/^[0-9a-f]{64}$/);
          } catch (err) {
            expect(err instanceof CsvQuoteError || err instanceof ImportLimitError).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
