/*
 * Reading entries of a zip archive (an xlsx) from its central directory, each inflated as a stream whose output is
 * counted as it comes, so a bomb stops at the byte limit instead of filling the heap. Random access also means the
 * shared strings are read before the sheets whatever the entry order, with no temporary copy of any entry.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { UnreadableFileError } from './limits.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  /** As declared (a bomb may lie: the reader counts what inflates instead). */
  size: number;
  localOffset: number;
}

export interface ZipArchive {
  path: string;
  fileSize: number;
  entries: Map<string, ZipEntry>;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** A central directory larger than this is not a workbook's (Excel's hold a few KB). */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** What the first bytes of a file that is not a zip say it is. */
function sniff(head: Buffer): string {
  if (head.length === 0) return 'the file is empty (0 bytes)';
  if (head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    return 'it is an Excel 97-2003 workbook (.xls) or a password-protected file, not an xlsx workbook: open it in Excel and save it as an unprotected .xlsx';
  }
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'it is a PDF document, not an xlsx workbook';
  const text = head.toString('latin1');
  if (/^\s*<(!doctype html|html|table)/i.test(text)) {
    return 'it is an HTML page, not an xlsx workbook (some dashboards export HTML under an Excel name): open it in Excel and save it as .xlsx';
  }
  let control = 0;
  for (const b of head) if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13)) control++;
  if (control === 0) {
    return 'it holds text, not an xlsx workbook (a zip archive): probably a csv saved under an .xlsx name; rename it to .csv';
  }
  return 'it is not a zip archive, so not an xlsx workbook';
}

/** Opens the archive's directory; throws UnreadableFileError saying what the file is when it is not a sound zip. */
export async function openZip(path: string): Promise<ZipArchive> {
  const fh = await open(path, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const head = await readAt(fh, 0, Math.min(fileSize, 4096));
    if (head.length < 4 || head.readUInt16LE(0) !== 0x4b50) throw new UnreadableFileError(sniff(head));
    const tailLength = Math.min(fileSize, 22 + 0xffff);
    const tail = await readAt(fh, fileSize - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      throw new UnreadableFileError(
        'it is a truncated or damaged zip archive: the directory at its end is missing (was the copy or download cut short?)',
      );
    }
    let count = tail.readUInt16LE(at + 10);
    let dirSize = tail.readUInt32LE(at + 12);
    let dirOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      const locatorAt = at - 20;
      if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR) {
        throw new UnreadableFileError('it is a damaged zip archive: its zip64 directory locator is missing');
      }
      const z64 = await readAt(fh, Number(tail.readBigUInt64LE(locatorAt + 8)), 56);
      if (z64.length < 56 || z64.readUInt32LE(0) !== ZIP64_EOCD) {
        throw new UnreadableFileError('it is a truncated or damaged zip archive: its zip64 directory is missing');
      }
      count = Number(z64.readBigUInt64LE(32));
      dirSize = Number(z64.readBigUInt64LE(40));
      dirOffset = Number(z64.readBigUInt64LE(48));
    }
    if (dirSize > MAX_DIRECTORY_BYTES) {
      throw new UnreadableFileError(
        `it is a zip archive with a ${dirSize.toLocaleString('en-US')}-byte directory (${count.toLocaleString('en-US')} entries), not an xlsx workbook`,
      );
    }
    if (dirOffset + dirSize > fileSize) {
      throw new UnreadableFileError(
        'it is a truncated zip archive: its directory points past the end of the file (was the copy or download cut short?)',
      );
    }
    const dir = await readAt(fh, dirOffset, dirSize);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) {
        throw new UnreadableFileError(
          `it is a damaged zip archive: directory entry ${k + 1} of ${count} is unreadable`,
        );
      }
      const flags = dir.readUInt16LE(p + 8);
      const method = dir.readUInt16LE(p + 10);
      let compressedSize = dir.readUInt32LE(p + 20);
      let size = dir.readUInt32LE(p + 24);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      let localOffset = dir.readUInt32LE(p + 42);
      const nameBytes = dir.subarray(p + 46, p + 46 + nameLength);
      const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
      // zip64 sizes and offset live in the extra field when the 32-bit ones are saturated.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = dir.readUInt16LE(e);
        const len = dir.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff && q + 8 <= e + 4 + len) {
            size = Number(dir.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff && q + 8 <= e + 4 + len) {
            compressedSize = Number(dir.readBigUInt64LE(q));
            q += 8;
          }
          if (localOffset === 0xffffffff && q + 8 <= e + 4 + len) localOffset = Number(dir.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      entries.set(name, { name, method, flags, compressedSize, size, localOffset });
      p = extraEnd + commentLength;
    }
    return { path, fileSize, entries };
  } finally {
    await fh.close();
  }
}

/**
 * Streams one entry's inflated bytes; `onBytes` sees each chunk's size before it is handed on and may throw to stop
 * the read; `onRaw` sees the compressed bytes read (progress).
 */
export async function* readEntry(
  zip: ZipArchive,
  entry: ZipEntry,
  onBytes: (length: number) => void,
  onRaw?: (length: number) => void,
): AsyncGenerator<Buffer> {
  if (entry.flags & 0x1) {
    throw new UnreadableFileError(
      `${entry.name} is encrypted (a password-protected workbook): save it without a password`,
    );
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw new UnreadableFileError(
      `${entry.name} uses zip compression method ${entry.method}, which Excel never writes`,
    );
  }
  const fh = await open(zip.path, 'r');
  let header: Buffer;
  try {
    header = await readAt(fh, entry.localOffset, 30);
  } finally {
    await fh.close();
  }
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) {
    throw new UnreadableFileError(`it is a damaged zip archive: the data of ${entry.name} is missing`);
  }
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > zip.fileSize) {
    throw new UnreadableFileError(
      `it is a truncated zip archive: ${entry.name} runs past the end of the file (was the copy or download cut short?)`,
    );
  }
  if (entry.compressedSize === 0) return;
  const raw = createReadStream(zip.path, { start, end: start + entry.compressedSize - 1, highWaterMark: CHUNK });
  const source = entry.method === 8 ? raw.pipe(createInflateRaw({ chunkSize: CHUNK })) : raw;
  if (source !== raw) raw.on('error', (err) => source.destroy(err));
  if (onRaw) raw.on('data', (c) => onRaw(c.length));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof Error && 'errno' in err && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new UnreadableFileError(`it is a damaged workbook: ${entry.name} does not decompress (${err.message})`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    raw.destroy();
    source.destroy();
  }
}
