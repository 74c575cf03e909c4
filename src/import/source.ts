/*
 * Reading an export file as batches of rows, streaming and bounded by the import limits (limits.ts): csv through
 * CsvTokenizer after its encoding is decided for the whole file (encoding.ts), xlsx through the workbook reader
 * (xlsx.ts). The file's sha256 is computed from its bytes as they are read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { type CsvRecordIssue, CsvTokenizer, detectDelimiter } from './csv.js';
import { decideEncoding } from './encoding.js';
import {
  ImportLimitError,
  type ImportLimits,
  importLimits,
  MAX_CELLS_PER_ROW,
  maxRowChars,
  n,
  type RejectedRow,
  type RowIssue,
} from './limits.js';
import type { Cell } from './values.js';
import { xlsxBatches } from './xlsx.js';

export type ExportFormat = 'csv' | 'xlsx';

/** Rows of one sheet (csv: sheet null) with their 1-based row (csv: line) numbers. */
export interface RowBatch {
  sheet: string | null;
  rows: Cell[][];
  rowNumbers: number[];
  /**
   * Rows taken out because a cell or the row passed a limit (a 50 MB name): each with its cells (long ones cut to
   * a preview) and why. They are not in `rows`; the importer rejects them with these reasons.
   */
  rejected?: RejectedRow[];
}

export interface ExportSource {
  format: ExportFormat;
  batches: AsyncIterable<RowBatch>;
  /** Bytes read so far (xlsx: compressed bytes of the file). */
  bytesRead(): number;
  /** The file's sha256 (hex); complete once every batch has been read. */
  sha256(): string;
  /** How the csv was decoded and split ('utf-8, delimiter ";"'), or null for xlsx. */
  describe(): string | null;
  /** What a person should know about how the file was read (invalid UTF-8 lines, a missing sheet); complete at the end. */
  warnings(): string[];
}

export interface OpenExportOptions {
  /** Limits on what the file may hold (defaults: DEFAULT_IMPORT_LIMITS). */
  limits?: Partial<ImportLimits> | null;
}

/** The format of a file by its extension, or null when it is neither csv nor xlsx. */
export function formatOf(path: string): ExportFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' || ext === '.txt' ? 'csv' : ext === '.xlsx' ? 'xlsx' : null;
}

/** Read size: small enough that a batch's rows die young (cheap garbage collection). */
const CHUNK_BYTES = 256 * 1024;

/**
 * Opens an export for streaming. Reading its batches throws ImportLimitError past a limit, UnreadableFileError for a
 * file that is not what its name says, CsvQuoteError for a quote never closed; messages say what and where.
 */
export function openExport(path: string, format: ExportFormat, options: OpenExportOptions = {}): ExportSource {
  const limits = importLimits(options.limits);
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | null = null;
  let description: string | null = null;
  const warnings: string[] = [];
  const onBytes = (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  };
  const batches =
    format === 'csv'
      ? csvBatches(path, limits, warnings, onBytes, (d) => {
          description = d;
        })
      : xlsxFile(path, limits, warnings, onBytes, (b) => {
          bytes = b;
        });
  return {
    format,
    batches,
    bytesRead: () => bytes,
    sha256: () => {
      digest ??= hash.digest('hex');
      return digest;
    },
    describe: () => description,
    warnings: () => [...warnings],
  };
}

const CSV_ISSUE_LIMIT: Record<CsvRecordIssue['kind'], RowIssue['limit']> = {
  'field-too-long': 'maxCellChars',
  'record-too-long': 'maxRowChars',
  'too-many-fields': 'maxCellsPerRow',
};

function csvIssue(x: CsvRecordIssue, line: number, limits: ImportLimits): RowIssue {
  const limit = CSV_ISSUE_LIMIT[x.kind];
  const message =
    x.kind === 'field-too-long'
      ? `line ${n(line)}, column ${x.column! + 1}: ${n(x.length)} characters, more than IMPORT_MAX_CELL_CHARS (${n(limits.maxCellChars)})`
      : x.kind === 'record-too-long'
        ? `line ${n(line)}: more than ${n(maxRowChars(limits))} characters in one row`
        : `line ${n(line)}: ${n(x.length)} fields, more than ${n(MAX_CELLS_PER_ROW)} (Excel's last column)`;
  return { column: x.column, limit, found: x.length, message };
}

async function* csvBatches(
  path: string,
  limits: ImportLimits,
  warnings: string[],
  onBytes: (b: Buffer) => void,
  onDescribe: (d: string) => void,
): AsyncGenerator<RowBatch> {
  const decision = await decideEncoding(path, limits.maxBytes);
  warnings.push(...decision.warnings);
  // The decoder drops the byte-order mark; bytes invalid in the encoding read as U+FFFD (named in the warnings).
  const decoder = new TextDecoder(decision.encoding);
  let tokenizer: CsvTokenizer | null = null;
  let records = 0;
  let bytes = 0;
  let rows: Cell[][] = [];
  let rowNumbers: number[] = [];
  let rejected: RejectedRow[] = [];
  const sink = (fields: string[], line: number, issues?: CsvRecordIssue[]) => {
    records++;
    if (records > limits.maxRows) {
      throw ImportLimitError.of('maxRows', limits.maxRows, { sheet: null, row: line }, 'the file goes on');
    }
    if (issues) rejected.push({ row: line, cells: fields, issues: issues.map((x) => csvIssue(x, line, limits)) });
    else {
      rows.push(fields);
      rowNumbers.push(line);
    }
  };
  const take = (): RowBatch => {
    const batch: RowBatch = { sheet: null, rows, rowNumbers, ...(rejected.length ? { rejected } : {}) };
    rows = [];
    rowNumbers = [];
    rejected = [];
    return batch;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    onBytes(chunk);
    bytes += chunk.length;
    if (bytes > limits.maxBytes) {
      throw ImportLimitError.of('maxBytes', limits.maxBytes, { sheet: null, row: null }, 'the file goes on');
    }
    const text = decoder.decode(chunk, { stream: true });
    if (tokenizer === null) {
      const delimiter = detectDelimiter(text.slice(0, 65_536));
      tokenizer = new CsvTokenizer(delimiter, {
        maxFieldChars: limits.maxCellChars,
        maxRecordChars: maxRowChars(limits),
        maxFields: MAX_CELLS_PER_ROW,
      });
      const bom = decision.bom && decision.encoding === 'utf-8' ? ' (byte-order mark)' : '';
      onDescribe(`${decision.encoding}${bom}, delimiter "${delimiter === '\t' ? '\\t' : delimiter}"`);
    }
    tokenizer.push(text, false, sink);
    if (rows.length > 0 || rejected.length > 0) yield take();
  }
  if (tokenizer) {
    tokenizer.push(decoder.decode(), true, sink);
    if (rows.length > 0 || rejected.length > 0) yield take();
  }
}

/** The workbook's rows; once they are read, the file is hashed in one sequential pass (xlsx is read out of order). */
async function* xlsxFile(
  path: string,
  limits: ImportLimits,
  warnings: string[],
  onBytes: (b: Buffer) => void,
  setBytes: (n: number) => void,
): AsyncGenerator<RowBatch> {
  const state = { inflated: 0, compressed: 0, rows: 0, warnings };
  for await (const batch of xlsxBatches(path, limits, state)) {
    setBytes(state.compressed);
    yield {
      sheet: batch.sheet,
      rows: batch.rows,
      rowNumbers: batch.rowNumbers,
      ...(batch.rejected.length ? { rejected: batch.rejected } : {}),
    };
  }
  setBytes(0);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    onBytes(chunk);
  }
}
