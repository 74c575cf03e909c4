/*
 * What an import file may hold before it is refused: bytes after decompression, rows, characters per cell. They are
 * checked while the file streams, so a hostile file (a zip bomb, a quote never closed) is stopped at the limit with
 * the memory of a normal import.
 */

export interface ImportLimits {
  /** Bytes read after decompression (csv: the file; xlsx: every entry read, inflated). */
  maxBytes: number;
  /** Rows read, all sheets together. */
  maxRows: number;
  /** Characters in one cell; a longer cell rejects its row. */
  maxCellChars: number;
}

/**
 * 1 GiB, two million rows (the largest OSS dashboard export seen is about one million), and Excel's own cell limit.
 */
export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxBytes: 1024 * 1024 * 1024,
  maxRows: 2_000_000,
  maxCellChars: 32_767,
});

/** The environment variable that sets each limit (messages name it so an operator knows what to raise). */
export const LIMIT_VARIABLES: Readonly<Record<keyof ImportLimits, string>> = {
  maxBytes: 'IMPORT_MAX_BYTES',
  maxRows: 'IMPORT_MAX_ROWS',
  maxCellChars: 'IMPORT_MAX_CELL_CHARS',
};

/** The limits with defaults for what `partial` leaves out. */
export function importLimits(partial: Partial<ImportLimits> | null | undefined): ImportLimits {
  return { ...DEFAULT_IMPORT_LIMITS, ...(partial ?? {}) };
}

/** A whole row's characters are bounded too, so a row of many long cells stays small: 32 full cells. */
export function maxRowChars(limits: ImportLimits): number {
  return Math.max(1 << 20, limits.maxCellChars * 32);
}

/** More cells than Excel's last column (XFD) in one row: not an export. */
export const MAX_CELLS_PER_ROW = 16_384;

/** Characters of a cut cell kept for the rejection report. */
const PREVIEW_CHARS = 100;

export const n = (v: number) => v.toLocaleString('en-US');

/** A shortened cell for the report of a rejected row. */
export function preview(text: string): string {
  return text.length <= PREVIEW_CHARS ? text : `${text.slice(0, PREVIEW_CHARS)}…`;
}

/** Where in a file something was read: `line 12` (csv) or `sheet "DP Proyek", cell B7` (xlsx). */
export interface FilePlace {
  sheet: string | null;
  /** 1-based row (xlsx) or line (csv). */
  row: number | null;
  /** xlsx cell reference ('B7') or csv column number (1-based), when known. */
  cell?: string | null;
  /** A zip entry, when the place is inside one. */
  entry?: string | null;
}

export function describePlace(p: FilePlace): string {
  const parts: string[] = [];
  if (p.sheet !== null) parts.push(`sheet "${p.sheet}"${p.entry ? ` (${p.entry})` : ''}`);
  else if (p.entry) parts.push(p.entry);
  if (p.sheet !== null && p.cell) parts.push(`cell ${p.cell}`);
  else if (p.row !== null)
    parts.push(`${p.sheet === null ? 'line' : 'row'} ${n(p.row)}${p.cell ? `, column ${p.cell}` : ''}`);
  return parts.join(', ');
}

/** A file went past a limit: it is refused as a whole. */
export class ImportLimitError extends Error {
  /** The variable that sets the limit, or 'heap' for the memory of the process. */
  readonly limit: string;
  readonly place: FilePlace;
  constructor(limit: string, message: string, place: FilePlace) {
    super(message);
    this.name = 'ImportLimitError';
    this.limit = limit;
    this.place = place;
  }

  /** `what` went past one of the configured limits at `place`. */
  static of(limit: keyof ImportLimits, value: number, place: FilePlace, what: string): ImportLimitError {
    const name = LIMIT_VARIABLES[limit];
    const unit = limit === 'maxBytes' ? ' bytes' : limit === 'maxCellChars' ? ' characters' : '';
    return new ImportLimitError(
      name,
      `${what} past ${name} (${n(value)}${unit}) at ${describePlace(place)}: the file is refused ` +
        `(raise ${name} if it is a genuine export)`,
      place,
    );
  }
}

/** The file is not what its name says, or is damaged: the message says what it is and what was expected. */
export class UnreadableFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableFileError';
  }
}

/** Why a row was taken out of the import (its cells stay for the rejection report, long ones shortened). */
export interface RowIssue {
  /** 0-based column of the cell at fault, null for the row as a whole. */
  column: number | null;
  limit: keyof ImportLimits | 'maxRowChars' | 'maxCellsPerRow';
  /** The length found (characters or cells). */
  found: number;
  message: string;
}

/** A row the reader refused to hand on as data. */
export interface RejectedRow {
  /** 1-based row (xlsx) or line (csv). */
  row: number;
  cells: Array<string | number | boolean | Date | null>;
  issues: RowIssue[];
}
