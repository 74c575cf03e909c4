/*
 * Reading the rows of an xlsx workbook, streaming and bounded: the zip entries through zip.ts (inflated bytes
 * counted against IMPORT_MAX_BYTES), their XML through a small scanner that never holds more than one inflated
 * chunk plus one tag, cells cut at IMPORT_MAX_CELL_CHARS as they are read (the row is then rejected with its
 * reason), rows counted against IMPORT_MAX_ROWS. Cell values are what exceljs gave: text, numbers (dates as Excel
 * day numbers, since styles are not read), booleans, error codes as text, a formula's cached result.
 */
import { StringDecoder } from 'node:string_decoder';
import { getHeapStatistics } from 'node:v8';
import {
  describePlace,
  type FilePlace,
  ImportLimitError,
  type ImportLimits,
  MAX_CELLS_PER_ROW,
  maxRowChars,
  n,
  preview,
  type RejectedRow,
  type RowIssue,
  UnreadableFileError,
} from './limits.js';
import type { Cell } from './values.js';
import { openZip, readEntry, type ZipArchive, type ZipEntry } from './zip.js';

/** Rows of one sheet with their 1-based row numbers, and the rows taken out with their reasons. */
export interface XlsxBatch {
  sheet: string;
  rows: Cell[][];
  rowNumbers: number[];
  rejected: RejectedRow[];
}

export interface XlsxReadState {
  /** Inflated bytes read, every entry together. */
  inflated: number;
  /** Compressed bytes of the file read so far (progress). */
  compressed: number;
  rows: number;
  warnings: string[];
}

const XLSX_BATCH_ROWS = 1_000;
/** A batch is handed on early once its cells hold this many characters (rows of long cells stay few). */
const XLSX_BATCH_CHARS = 4 * 1024 * 1024;
/** Excel's last row. */
const MAX_ROW = 1_048_576;
/** No tag in a workbook is anywhere near this long. */
const MAX_TAG_CHARS = 64 * 1024;
/** Share of the heap the shared-string table may take (it is the one part of a workbook held whole). */
const SHARED_STRINGS_HEAP_SHARE = 0.4;
/** What one cached string costs beyond its characters (string header, array slot). */
const STRING_OVERHEAD = 40;

// ---------------------------------------------------------------------------------------------------------------
// The XML scanner.

interface XmlHandler {
  /** `tag` is the text between < and > (name and attributes). */
  open(name: string, tag: string): void;
  close(name: string): void;
  /** True while text matters: other text is skipped without being decoded. */
  readonly wantsText: boolean;
  text(decoded: string, rawLength: number): void;
}

const ENTITY = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  let s = raw;
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (m, e: string) => {
    if (e[0] !== '#') return NAMED[e] ?? m;
    const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function localName(tag: string): string {
  let end = 0;
  while (end < tag.length) {
    const c = tag.charCodeAt(end);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47 /* / */) break;
    end++;
  }
  const colon = tag.lastIndexOf(':', end);
  return tag.slice(colon + 1, end);
}

/** An attribute's value (entities decoded), or null; `name` may carry a prefix ('r:id'). */
function attr(tag: string, name: string): string | null {
  let from = 0;
  for (;;) {
    const at = tag.indexOf(name, from);
    if (at < 0) return null;
    from = at + name.length;
    const before = tag.charCodeAt(at - 1);
    if (!(before === 32 || before === 9 || before === 10 || before === 13)) continue;
    let i = from;
    while (tag.charCodeAt(i) === 32) i++;
    if (tag.charCodeAt(i) !== 61 /* = */) continue;
    i++;
    while (tag.charCodeAt(i) === 32) i++;
    const q = tag[i];
    if (q !== '"' && q !== "'") continue;
    const end = tag.indexOf(q, i + 1);
    if (end < 0) return null;
    return decodeEntities(tag.slice(i + 1, end));
  }
}

/** An attribute whose local name is `local` under any prefix (`r:id`, `relationships:id`). */
function prefixedAttr(tag: string, local: string): string | null {
  const m = new RegExp(`\\s[\\w.-]+:${local}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? decodeEntities(m[2] ?? m[3] ?? '') : null;
}

class XmlScanner {
  private carry = '';
  private inCdata = false;

  constructor(
    private readonly h: XmlHandler,
    private readonly entry: string,
  ) {}

  write(chunk: string): void {
    const s = this.carry.length ? this.carry + chunk : chunk;
    this.carry = '';
    const len = s.length;
    let i = 0;
    while (i < len) {
      if (this.inCdata) {
        const end = s.indexOf(']]>', i);
        if (end < 0) {
          // Keep two characters: the end marker may be cut between chunks.
          const keep = Math.max(i, len - 2);
          if (this.h.wantsText && keep > i) this.h.text(s.slice(i, keep), keep - i);
          this.carry = s.slice(keep);
          return;
        }
        if (this.h.wantsText && end > i) this.h.text(s.slice(i, end), end - i);
        this.inCdata = false;
        i = end + 3;
        continue;
      }
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        this.textPiece(s, i, len, true);
        return;
      }
      if (lt > i) this.textPiece(s, i, lt, false);
      const next = s.charCodeAt(lt + 1);
      if (next === 33 /* ! */) {
        if (s.startsWith('<![CDATA[', lt)) {
          this.inCdata = true;
          i = lt + 9;
          continue;
        }
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) {
            this.keep(s, lt);
            return;
          }
          i = end + 3;
          continue;
        }
        if (len - lt < 9) {
          this.keep(s, lt);
          return;
        }
        throw new UnreadableFileError(
          `it is not a genuine xlsx workbook: ${this.entry} declares a DOCTYPE, which Excel never writes (and which could expand entities without bound)`,
        );
      }
      if (next === 63 /* ? */) {
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) {
          this.keep(s, lt);
          return;
        }
        i = end + 2;
        continue;
      }
      if (Number.isNaN(next)) {
        this.keep(s, lt);
        return;
      }
      // The tag ends at the first '>' outside a quoted attribute value.
      let gt = s.indexOf('>', lt + 1);
      while (gt >= 0) {
        let quotes = 0;
        for (let k = s.indexOf('"', lt + 1); k >= 0 && k < gt; k = s.indexOf('"', k + 1)) quotes++;
        if (quotes % 2 === 0) break;
        gt = s.indexOf('>', gt + 1);
      }
      if (gt < 0) {
        this.keep(s, lt);
        return;
      }
      if (next === 47 /* / */) {
        this.h.close(localName(s.slice(lt + 2, gt)));
      } else {
        const tag = s.slice(lt + 1, gt);
        const name = localName(tag);
        this.h.open(name, tag);
        if (s.charCodeAt(gt - 1) === 47) this.h.close(name);
      }
      i = gt + 1;
    }
  }

  /** At the end of the entry: a tag or section left open means the XML was cut. */
  end(): void {
    if (this.inCdata || this.carry.trim().length > 0) {
      throw new UnreadableFileError(`it is a damaged workbook: ${this.entry} ends inside a tag`);
    }
  }

  private keep(s: string, from: number): void {
    if (s.length - from > MAX_TAG_CHARS) {
      throw new UnreadableFileError(
        `it is not a genuine xlsx workbook: ${this.entry} has a tag longer than ${n(MAX_TAG_CHARS)} characters`,
      );
    }
    this.carry = s.slice(from);
  }

  private textPiece(s: string, from: number, to: number, atChunkEnd: boolean): void {
    if (!this.h.wantsText) return;
    let end = to;
    if (atChunkEnd) {
      // An entity may be cut between chunks: keep it for the next one.
      const amp = s.lastIndexOf('&', to - 1);
      if (amp >= from && to - amp < 12 && s.indexOf(';', amp) < 0) {
        end = amp;
        this.carry = s.slice(amp, to);
      }
    }
    if (end > from) {
      const raw = s.slice(from, end);
      this.h.text(decodeEntities(raw), raw.length);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Workbook parts.

/** Column letters ('B', 'AA') to a 0-based index, or -1 when the reference has none. */
function columnOf(ref: string): number {
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > MAX_CELLS_PER_ROW) return MAX_CELLS_PER_ROW;
  }
  return i === 0 ? -1 : col - 1;
}

function columnName(index: number): string {
  let s = '';
  for (let c = index + 1; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

async function scanEntry(
  zip: ZipArchive,
  entry: ZipEntry,
  scanner: XmlScanner,
  count: (length: number) => void,
): Promise<void> {
  for await (const text of readEntryText(zip, entry, count)) scanner.write(text);
  scanner.end();
}

/** Collects elements by local name with their raw tags (small parts only: workbook, relationships). */
class TagCollector implements XmlHandler {
  readonly wantsText = false;
  readonly found: Array<{ name: string; tag: string }> = [];
  constructor(private readonly names: ReadonlySet<string>) {}
  open(name: string, tag: string): void {
    if (this.names.has(name)) this.found.push({ name, tag });
    if (this.found.length > 100_000) throw new UnreadableFileError('it is not a genuine xlsx workbook: too many parts');
  }
  close(): void {}
  text(): void {}
}

/** Relationship targets are relative to the part's folder ('worksheets/sheet1.xml' from xl/) or absolute. */
function resolveTarget(base: string, target: string): string {
  const parts = target.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const p of target.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

function whatZipIs(names: string[]): string {
  const has = (name: string) => names.includes(name);
  if (has('word/document.xml')) return 'it is a Word document (.docx), not an xlsx workbook';
  if (has('ppt/presentation.xml')) return 'it is a PowerPoint presentation (.pptx), not an xlsx workbook';
  if (has('mimetype') && has('content.xml')) {
    return 'it is an OpenDocument file (LibreOffice .ods/.odt), not an xlsx workbook: save it as .xlsx';
  }
  const shown = names.slice(0, 5).join(', ');
  return `it is a zip archive but not an xlsx workbook (it has no xl/workbook.xml; it holds ${n(names.length)} file${
    names.length === 1 ? '' : 's'
  }: ${shown}${names.length > 5 ? ', …' : ''})`;
}

interface SheetPart {
  name: string;
  entry: ZipEntry;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared strings and sheets.

class SharedStringsReader implements XmlHandler {
  readonly strings: string[] = [];
  /** Strings longer than the cell limit: their index and true length (the table keeps a preview). */
  readonly tooLong = new Map<number, number>();
  private inSi = false;
  private inT = false;
  private phonetic = 0;
  private value = '';
  private chars = 0;
  private held = 0;
  constructor(
    private readonly maxCellChars: number,
    private readonly budget: number,
    private readonly entry: string,
  ) {}
  get wantsText(): boolean {
    return this.inT && this.phonetic === 0;
  }
  open(name: string): void {
    if (name === 'si') {
      this.inSi = true;
      this.value = '';
      this.chars = 0;
    } else if (name === 't' && this.inSi) this.inT = true;
    else if (name === 'rPh') this.phonetic++;
  }
  close(name: string): void {
    if (name === 't') this.inT = false;
    else if (name === 'rPh') this.phonetic = Math.max(0, this.phonetic - 1);
    else if (name === 'si') {
      this.inSi = false;
      const index = this.strings.length;
      if (this.chars > this.maxCellChars) {
        this.tooLong.set(index, this.chars);
        this.strings.push(preview(this.value));
      } else this.strings.push(this.value);
      this.held += Math.min(this.chars, this.maxCellChars) + STRING_OVERHEAD;
      if (this.held > this.budget) {
        const mb = (b: number) => Math.round(b / (1024 * 1024));
        throw new ImportLimitError(
          'heap',
          `the shared-string table of ${this.entry} passes ${n(mb(this.held))} MB at string ${n(index + 1)}, more than ` +
            `this import process can hold (${Math.round(SHARED_STRINGS_HEAP_SHARE * 100)}% of its ${n(
              mb(this.budget / SHARED_STRINGS_HEAP_SHARE),
            )} MB heap): the file is refused (save it as csv, or give the import more memory: IMPORT_WORKER_HEAP_MB for the drop folder, --max-old-space-size for the CLI)`,
          { sheet: null, row: null, entry: this.entry },
        );
      }
    }
  }
  text(decoded: string, rawLength: number): void {
    if (this.chars < this.maxCellChars + 1) this.value += decoded;
    this.chars += this.chars < this.maxCellChars + 1 ? decoded.length : rawLength;
  }
}

class SheetReader implements XmlHandler {
  rows: Cell[][] = [];
  rowNumbers: number[] = [];
  rejected: RejectedRow[] = [];
  batchChars = 0;

  private inSheetData = false;
  private row: Cell[] | null = null;
  private rowNumber = 0;
  private rowChars = 0;
  private issues: RowIssue[] = [];
  private nextCol = 0;
  // The cell being read.
  private col = -1;
  private type = 'n';
  private inValue = false;
  private inInline = false;
  private inT = false;
  private phonetic = 0;
  private hasValue = false;
  private value = '';
  private chars = 0;

  constructor(
    private readonly sheet: string,
    private readonly entry: string,
    private readonly limits: ImportLimits,
    private readonly shared: SharedStringsReader | null,
    private readonly state: XlsxReadState,
  ) {}

  get wantsText(): boolean {
    return this.inValue || (this.inInline && this.inT && this.phonetic === 0);
  }

  /** Where reading is: the cell being read, else the row. */
  place(): FilePlace {
    return {
      sheet: this.sheet,
      entry: this.entry,
      row: this.rowNumber || null,
      cell: this.col >= 0 ? `${columnName(this.col)}${this.rowNumber}` : null,
    };
  }

  open(name: string, tag: string): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        return;
      case 'row': {
        if (!this.inSheetData) return;
        const r = attr(tag, 'r');
        const number = r === null ? this.rowNumber + 1 : Number(r);
        if (!Number.isInteger(number) || number < 1 || number > MAX_ROW) {
          throw new UnreadableFileError(
            `it is not a genuine xlsx workbook: ${describePlace({ sheet: this.sheet, row: null, entry: this.entry })} has a row numbered "${r}" (Excel's rows run from 1 to ${n(MAX_ROW)})`,
          );
        }
        this.rowNumber = number;
        this.row = [];
        this.rowChars = 0;
        this.issues = [];
        this.nextCol = 0;
        return;
      }
      case 'c': {
        if (this.row === null) return;
        const ref = attr(tag, 'r');
        const col = ref === null ? this.nextCol : columnOf(ref);
        if (col < 0 || col >= MAX_CELLS_PER_ROW) {
          throw new UnreadableFileError(
            `it is not a genuine xlsx workbook: ${describePlace({ sheet: this.sheet, row: this.rowNumber, entry: this.entry })} has a cell "${ref ?? columnName(col)}" beyond Excel's last column (XFD)`,
          );
        }
        this.col = col;
        this.type = attr(tag, 't') ?? 'n';
        this.hasValue = false;
        this.value = '';
        this.chars = 0;
        return;
      }
      case 'v':
        if (this.col >= 0) {
          this.inValue = true;
          this.hasValue = true;
        }
        return;
      case 'is':
        if (this.col >= 0) {
          this.inInline = true;
          this.hasValue = true;
        }
        return;
      case 't':
        if (this.inInline) this.inT = true;
        return;
      case 'rPh':
        this.phonetic++;
        return;
    }
  }

  close(name: string): void {
    switch (name) {
      case 'v':
        this.inValue = false;
        return;
      case 't':
        this.inT = false;
        return;
      case 'rPh':
        this.phonetic = Math.max(0, this.phonetic - 1);
        return;
      case 'is':
        this.inInline = false;
        return;
      case 'c':
        if (this.col >= 0 && this.row !== null) this.endCell();
        this.col = -1;
        return;
      case 'row':
        if (this.row !== null) this.endRow();
        return;
      case 'sheetData':
        this.inSheetData = false;
        return;
    }
  }

  text(decoded: string, rawLength: number): void {
    const cap = this.limits.maxCellChars + 1;
    if (this.chars < cap) {
      this.value += decoded;
      this.chars += decoded.length;
    } else this.chars += rawLength;
  }

  private endCell(): void {
    const row = this.row!;
    const col = this.col;
    let chars = this.chars;
    let value: Cell = null;
    if (this.hasValue) {
      const text = this.value;
      switch (this.type) {
        case 's': {
          const index = Number(text);
          value = this.shared?.strings[index] ?? null;
          const long = this.shared?.tooLong.get(index);
          if (long !== undefined) chars = long;
          else chars = typeof value === 'string' ? value.length : 0;
          break;
        }
        case 'b':
          value = text === '' ? null : Number.parseInt(text, 10) !== 0;
          break;
        case 'str':
        case 'inlineStr':
        case 'e':
        case 'd':
          value = text;
          break;
        default: {
          const t = text.trim();
          const num = t === '' ? Number.NaN : Number(t);
          value = t === '' ? null : Number.isNaN(num) ? text : num;
        }
      }
    }
    const ref = `${columnName(col)}${this.rowNumber}`;
    if (chars > this.limits.maxCellChars) {
      this.issues.push({
        column: col,
        limit: 'maxCellChars',
        found: chars,
        message: `cell ${ref}: ${n(chars)} characters, more than IMPORT_MAX_CELL_CHARS (${n(this.limits.maxCellChars)})`,
      });
      value = typeof value === 'string' ? preview(value) : value;
    }
    const kept = typeof value === 'string' ? value.length : 8;
    this.rowChars += kept;
    const rowLimit = maxRowChars(this.limits);
    if (this.rowChars > rowLimit) {
      if (!this.issues.some((i) => i.limit === 'maxRowChars')) {
        this.issues.push({
          column: null,
          limit: 'maxRowChars',
          found: this.rowChars,
          message: `row ${n(this.rowNumber)}: more than ${n(rowLimit)} characters in one row`,
        });
      }
      value = null;
    }
    row[col] = value;
    this.nextCol = col + 1;
  }

  private endRow(): void {
    const row = this.row!;
    for (let i = 0; i < row.length; i++) if (row[i] === undefined) row[i] = null;
    this.state.rows++;
    if (this.state.rows > this.limits.maxRows) {
      throw ImportLimitError.of(
        'maxRows',
        this.limits.maxRows,
        { sheet: this.sheet, row: this.rowNumber, entry: this.entry },
        'the workbook goes on',
      );
    }
    if (this.issues.length > 0) {
      this.rejected.push({ row: this.rowNumber, cells: row, issues: this.issues });
    } else {
      this.rows.push(row);
      this.rowNumbers.push(this.rowNumber);
    }
    this.batchChars += this.rowChars;
    this.row = null;
    this.col = -1;
  }

  /** The rows read since the last call, as a batch. */
  take(): XlsxBatch {
    const batch = { sheet: this.sheet, rows: this.rows, rowNumbers: this.rowNumbers, rejected: this.rejected };
    this.rows = [];
    this.rowNumbers = [];
    this.rejected = [];
    this.batchChars = 0;
    return batch;
  }

  get pending(): number {
    return this.rows.length + this.rejected.length;
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function readSmallPart(
  zip: ZipArchive,
  entry: ZipEntry,
  names: string[],
  count: (length: number) => void,
): Promise<Array<{ name: string; tag: string }>> {
  const collector = new TagCollector(new Set(names));
  await scanEntry(zip, entry, new XmlScanner(collector, entry.name), count);
  return collector.found;
}

/** The workbook's sheets in their tab order, each with its zip entry. */
async function sheetParts(
  zip: ZipArchive,
  count: (length: number) => void,
  warnings: string[],
): Promise<{ sheets: SheetPart[]; sharedStrings: ZipEntry | null }> {
  let workbookName = 'xl/workbook.xml';
  const rootRels = zip.entries.get('_rels/.rels');
  if (!zip.entries.has(workbookName) && rootRels) {
    const rels = await readSmallPart(zip, rootRels, ['Relationship'], count);
    const doc = rels.find((r) => (attr(r.tag, 'Type') ?? '').endsWith('/officeDocument'));
    const target = doc ? attr(doc.tag, 'Target') : null;
    if (target) workbookName = resolveTarget('', target);
  }
  const workbook = zip.entries.get(workbookName);
  if (!workbook) throw new UnreadableFileError(whatZipIs([...zip.entries.keys()]));
  const base = workbookName.slice(0, workbookName.lastIndexOf('/') + 1);
  const relsName = `${base}_rels/${workbookName.slice(base.length)}.rels`;
  const sheetTags = (await readSmallPart(zip, workbook, ['sheet'], count)).map((s) => s.tag);
  const relsEntry = zip.entries.get(relsName);
  const rels = relsEntry ? await readSmallPart(zip, relsEntry, ['Relationship'], count) : [];
  const targets = new Map<string, { type: string; target: string }>();
  for (const r of rels) {
    const id = attr(r.tag, 'Id');
    const target = attr(r.tag, 'Target');
    if (id && target) targets.set(id, { type: attr(r.tag, 'Type') ?? '', target: resolveTarget(base, target) });
  }
  const sheets: SheetPart[] = [];
  sheetTags.forEach((tag, i) => {
    const name = attr(tag, 'name') ?? `Sheet${i + 1}`;
    const rid = prefixedAttr(tag, 'id');
    const rel = rid ? targets.get(rid) : undefined;
    if (rel && !rel.type.endsWith('/worksheet')) return;
    const path = rel?.target ?? `${base}worksheets/sheet${i + 1}.xml`;
    const entry = zip.entries.get(path);
    if (entry) sheets.push({ name, entry });
    else warnings.push(`sheet "${name}" is listed by the workbook but its part ${path} is missing: not read`);
  });
  const shared = [...targets.values()].find((t) => t.type.endsWith('/sharedStrings'));
  const sharedStrings = zip.entries.get(shared?.target ?? `${base}sharedStrings.xml`) ?? null;
  return { sheets, sharedStrings };
}

/** Streams the rows of every sheet of the workbook at `path`, in tab order. */
export async function* xlsxBatches(
  path: string,
  limits: ImportLimits,
  state: XlsxReadState,
): AsyncGenerator<XlsxBatch> {
  const zip = await openZip(path);
  let where: () => FilePlace = () => ({ sheet: null, row: null });
  const count = (length: number) => {
    state.inflated += length;
    if (state.inflated > limits.maxBytes) {
      throw ImportLimitError.of('maxBytes', limits.maxBytes, where(), 'the workbook inflates');
    }
  };
  const { sheets, sharedStrings } = await sheetParts(zip, count, state.warnings);
  if (sheets.length === 0) throw new UnreadableFileError('it is an xlsx workbook without a worksheet');
  let shared: SharedStringsReader | null = null;
  if (sharedStrings) {
    shared = new SharedStringsReader(
      limits.maxCellChars,
      getHeapStatistics().heap_size_limit * SHARED_STRINGS_HEAP_SHARE,
      sharedStrings.name,
    );
    where = () => ({ sheet: null, row: null, entry: sharedStrings.name });
    await scanEntry(zip, sharedStrings, new XmlScanner(shared, sharedStrings.name), count);
  }
  for (const part of sheets) {
    const reader = new SheetReader(part.name, part.entry.name, limits, shared, state);
    where = () => reader.place();
    const scanner = new XmlScanner(reader, part.entry.name);
    const onRaw = (c: number) => {
      state.compressed += c;
    };
    for await (const text of readEntryText(zip, part.entry, count, onRaw)) {
      scanner.write(text);
      if (reader.pending >= XLSX_BATCH_ROWS || reader.batchChars >= XLSX_BATCH_CHARS) yield reader.take();
    }
    scanner.end();
    if (reader.pending > 0) yield reader.take();
  }
}

/** An entry's text, decoded chunk by chunk (UTF-8, or UTF-16 with its byte-order mark). */
async function* readEntryText(
  zip: ZipArchive,
  entry: ZipEntry,
  count: (length: number) => void,
  onRaw?: (compressed: number) => void,
): AsyncGenerator<string> {
  let decoder: StringDecoder | null = null;
  for await (const chunk of readEntry(zip, entry, count, onRaw)) {
    let buf = chunk;
    if (decoder === null) {
      if (buf[0] === 0xff && buf[1] === 0xfe) {
        decoder = new StringDecoder('utf16le');
        buf = buf.subarray(2);
      } else {
        decoder = new StringDecoder('utf8');
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
    }
    const text = decoder.write(buf);
    if (text) yield text;
  }
  if (decoder) {
    const rest = decoder.end();
    if (rest) yield rest;
  }
}
