/*
 * The text encoding of a csv, decided for the whole file before it is read: a byte-order mark wins (UTF-8 or
 * UTF-16); otherwise a file that is valid UTF-8 throughout is UTF-8, and any other is Windows-1252, what Excel and the
 * OSS dashboards write on Windows. A file marked UTF-8 is never re-decoded: its invalid bytes read as U+FFFD and
 * the lines holding them are named.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { ImportLimitError, n } from './limits.js';

export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export interface EncodingDecision {
  encoding: CsvEncoding;
  /** The file starts with a byte-order mark (the decoder drops it). */
  bom: boolean;
  /** What a person should know about how the file was decoded (empty when nothing was odd). */
  warnings: string[];
}

const SCAN_CHUNK = 1024 * 1024;
/** Lines named in a warning; the rest are counted. */
const LINES_SHOWN = 10;

class LineList {
  readonly first: number[] = [];
  count = 0;
  /** Counting stopped once enough lines were named (the rest of the file was only checked, faster). */
  partial = false;
  private last = 0;
  add(line: number): void {
    if (line === this.last) return;
    this.last = line;
    this.count++;
    if (this.first.length < LINES_SHOWN) this.first.push(line);
  }
  get full(): boolean {
    return this.first.length >= LINES_SHOWN;
  }
  describe(): string {
    const shown = this.first.map(n).join(', ');
    const more = this.count - this.first.length;
    const tail = this.partial ? ' and more' : more > 0 ? ` and ${n(more)} more` : '';
    return `line${this.count === 1 && !this.partial ? '' : 's'} ${shown}${tail}`;
  }
}

/** Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Whether bytes[i…] is one valid UTF-8 sequence of `len` bytes (no overlongs, surrogates or code points > U+10FFFF). */
function validSequence(bytes: Buffer, i: number, len: number): boolean {
  const b0 = bytes[i]!;
  for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return false;
  const b1 = bytes[i + 1]!;
  if (len === 3) {
    if (b0 === 0xe0 && b1 < 0xa0) return false;
    if (b0 === 0xed && b1 >= 0xa0) return false;
  }
  if (len === 4) {
    if (b0 === 0xf0 && b1 < 0x90) return false;
    if (b0 === 0xf4 && b1 >= 0x90) return false;
  }
  return true;
}

/**
 * Reads the whole file once (it is also where IMPORT_MAX_BYTES stops a csv before any row is read) and decides how
 * to decode it.
 */
export async function decideEncoding(path: string, maxBytes: number): Promise<EncodingDecision> {
  let bytes = 0;
  let line = 1;
  let first = true;
  let utf16: CsvEncoding | null = null;
  let bom = false;
  let carry: Buffer | null = null;
  const invalid = new LineList();
  const multibyte = new LineList();
  for await (const raw of createReadStream(path, { highWaterMark: SCAN_CHUNK }) as AsyncIterable<Buffer>) {
    bytes += raw.length;
    if (bytes > maxBytes) {
      throw ImportLimitError.of('maxBytes', maxBytes, { sheet: null, row: line }, 'the file goes on');
    }
    let chunk = raw;
    if (first) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        bom = true;
        chunk = chunk.subarray(3);
      } else if (chunk[0] === 0xff && chunk[1] === 0xfe) utf16 = 'utf-16le';
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) utf16 = 'utf-16be';
      if (utf16) bom = true;
    }
    if (utf16) continue;
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    // A sequence cut at the end of the chunk is finished by the next one.
    let end = buf.length;
    for (let k = 1; k <= 3 && end - k >= 0; k++) {
      const b = buf[end - k]!;
      if (b < 0x80) break;
      if (b >= 0xc0) {
        if (sequenceLength(b) > k) end -= k;
        break;
      }
    }
    if (end < buf.length) {
      carry = Buffer.from(buf.subarray(end));
      buf = buf.subarray(0, end);
    }
    if (!isAscii(buf)) {
      const valid = isUtf8(buf);
      // Byte by byte only while lines are left to name; once they are, the native checks say enough.
      const named = valid ? multibyte.full : invalid.full && (bom || multibyte.full);
      if (!named) scanBytes(buf, line, invalid, multibyte);
      else if (valid) multibyte.partial = true;
      else {
        invalid.partial = true;
        multibyte.partial = multibyte.full;
      }
    }
    for (let k = buf.indexOf(10); k >= 0; k = buf.indexOf(10, k + 1)) line++;
  }
  if (carry) scanBytes(carry, line, invalid, multibyte);
  if (utf16) return { encoding: utf16, bom, warnings: [] };
  if (invalid.count === 0) return { encoding: 'utf-8', bom, warnings: [] };
  if (bom) {
    return {
      encoding: 'utf-8',
      bom,
      warnings: [
        `bytes that are not valid UTF-8 on ${invalid.describe()}, in a file marked as UTF-8 by its byte-order mark: ` +
          'they read as "\ufffd"; check those values (the file was probably edited with another encoding)',
      ],
    };
  }
  return {
    encoding: 'windows-1252',
    bom,
    warnings:
      multibyte.count > 0
        ? [
            `read as Windows-1252 because ${invalid.describe()} ${invalid.count === 1 ? 'is' : 'are'} not valid UTF-8, but ` +
              `${multibyte.describe()} hold UTF-8 characters, which now read as two or three characters each ("Ã‰" for "É"): ` +
              'if the file is UTF-8, fix the lines named first or save it as "CSV UTF-8"',
          ]
        : [],
  };
}

/** Walks one chunk, noting the lines with invalid UTF-8 bytes and with valid multi-byte characters. */
function scanBytes(buf: Buffer, firstLine: number, invalid: LineList, multibyte: LineList): void {
  let line = firstLine;
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    if (b < 0x80) {
      if (b === 10) line++;
      i++;
      continue;
    }
    const len = sequenceLength(b);
    if (len > 1 && i + len <= buf.length && validSequence(buf, i, len)) {
      multibyte.add(line);
      i += len;
    } else {
      invalid.add(line);
      i++;
    }
  }
}
