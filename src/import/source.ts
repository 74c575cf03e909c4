/*
 * Reading an export file as batches of rows, streaming: csv through CsvTokenizer, xlsx through exceljs's streaming
 * WorkbookReader. The file's sha256 is computed from the bytes as they are read (no extra pass).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import { CsvTokenizer, detectDelimiter, stripBom } from './csv.js';
import type { Cell } from './values.js';

export type ExportFormat = 'csv' | 'xlsx';

/** Rows of one sheet (csv: sheet null) with their 1-based row (csv: line) numbers. */
export interface RowBatch {
  sheet: string | null;
  rows: Cell[][];
  rowNumbers: number[];
}

export interface ExportSource {
  format: ExportFormat;
  batches: AsyncIterable<RowBatch>;
  /** Bytes read so far. */
  bytesRead(): number;
  /** The file's sha256 (hex); complete once every batch has been read. */
  sha256(): string;
  /** How the csv was decoded and split ('utf-8, ";"'), or null for xlsx. */
  describe(): string | null;
}

/** The format of a file by its extension, or null when it is neither csv nor xlsx. */
export function formatOf(path: string): ExportFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' || ext === '.txt' ? 'csv' : ext === '.xlsx' ? 'xlsx' : null;
}

/** Read size: small enough that a batch's rows die young (cheap garbage collection). */
const CHUNK_BYTES = 256 * 1024;

export function openExport(path: string, format: ExportFormat): ExportSource {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | null = null;
  let description: string | null = null;
  const onBytes = (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  };
  const batches =
    format === 'csv'
      ? csvBatches(path, onBytes, (d) => {
          description = d;
        })
      : xlsxBatches(path, onBytes);
  return {
    format,
    batches,
    bytesRead: () => bytes,
    sha256: () => {
      digest ??= (hash as Hash).digest('hex');
      return digest;
    },
    describe: () => description,
  };
}

/** UTF-8 when the start of the file decodes as UTF-8, else Windows-1252 (Excel's "CSV" on Windows). */
function detectEncoding(head: Buffer): 'utf-8' | 'latin1' {
  // A multi-byte character may be cut at the end of the sample: decode up to the last complete character.
  let end = head.length;
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = head[end - k]!;
    if ((b & 0xc0) === 0xc0) {
      end -= k;
      break;
    }
    if ((b & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'latin1';
  }
}

async function* csvBatches(
  path: string,
  onBytes: (b: Buffer) => void,
  onDescribe: (d: string) => void,
): AsyncGenerator<RowBatch> {
  let tokenizer: CsvTokenizer | null = null;
  let decoder: StringDecoder | null = null;
  let first = true;
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onBytes(chunk);
    let text: string;
    if (decoder === null) {
      const encoding = detectEncoding(chunk.subarray(0, 65_536));
      decoder = new StringDecoder(encoding === 'utf-8' ? 'utf8' : 'latin1');
      text = decoder.write(chunk);
      if (first) text = stripBom(text);
      const delimiter = detectDelimiter(text.slice(0, 65_536));
      tokenizer = new CsvTokenizer(delimiter);
      onDescribe(`${encoding}, delimiter "${delimiter === '\t' ? '\\t' : delimiter}"`);
    } else {
      text = decoder.write(chunk);
    }
    first = false;
    const rows: Cell[][] = [];
    const rowNumbers: number[] = [];
    tokenizer!.push(text, false, (fields, line) => {
      rows.push(fields);
      rowNumbers.push(line);
    });
    if (rows.length > 0) yield { sheet: null, rows, rowNumbers };
  }
  if (tokenizer && decoder) {
    const rows: Cell[][] = [];
    const rowNumbers: number[] = [];
    tokenizer.push(decoder.end(), true, (fields, line) => {
      rows.push(fields);
      rowNumbers.push(line);
    });
    if (rows.length > 0) yield { sheet: null, rows, rowNumbers };
  }
}

/** An exceljs cell value as a plain Cell (rich text joined, formulas by their result, hyperlinks by their text). */
export function plainCell(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((r: { text?: string }) => r.text ?? '').join('');
    if ('result' in o) return plainCell(o.result);
    if (typeof o.text === 'string') return o.text;
    if ('error' in o) return String(o.error);
  }
  return String(v);
}

const XLSX_BATCH = 1_000;

async function* xlsxBatches(path: string, onBytes: (b: Buffer) => void): AsyncGenerator<RowBatch> {
  const input = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  input.on('data', (chunk) => onBytes(chunk as Buffer));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    // Styles are not read (faster): date cells arrive as Excel day numbers, which date columns accept.
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  for await (const sheet of reader as unknown as AsyncIterable<AsyncIterable<{ number: number; values: unknown }>>) {
    const name = (sheet as unknown as { name?: string }).name ?? null;
    let rows: Cell[][] = [];
    let rowNumbers: number[] = [];
    for await (const row of sheet) {
      const values = row.values as unknown[];
      const cells: Cell[] = new Array(Math.max(0, values.length - 1));
      for (let c = 1; c < values.length; c++) cells[c - 1] = plainCell(values[c]);
      rows.push(cells);
      rowNumbers.push(row.number);
      if (rows.length >= XLSX_BATCH) {
        yield { sheet: name, rows, rowNumbers };
        rows = [];
        rowNumbers = [];
      }
    }
    if (rows.length > 0) yield { sheet: name, rows, rowNumbers };
  }
}
