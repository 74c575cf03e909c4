/*
 * A validating scan of a list answer's text that finds each record of its data array without building it: the
 * record's exact text, and the few top-level fields the keyset pager orders by. A re-sync compares a hash of that text
 * with the hash stored for the record and only parses, normalizes and validates the records whose text changed.
 *
 * It accepts exactly what JSON.parse accepts (a property test holds it to that), and answers null for every shape it
 * does not vouch for (no single data array, duplicate keys where JSON.parse would pick the last, nesting too deep): the
 * caller then parses the whole text as before.
 */

/** One element of the data array: its exact text and the wanted top-level fields (JSON values; objects as {}). */
export interface ScannedElement {
  readonly text: string;
  /** null when the element is not an object. */
  readonly fields: Record<string, unknown> | null;
}

export interface ScannedList {
  /** The whole text with the data array replaced by `[]`: parsed as usual, it yields the envelope's other parts. */
  readonly skeleton: string;
  /** The key of the wrapper object (root level) and the data key within it, as they appear in the text. */
  readonly wrapperKey: string;
  readonly dataKey: string;
  readonly elements: readonly ScannedElement[];
}

class Invalid extends Error {}

/** Nesting beyond this is left to JSON.parse (a hostile page must not exhaust the scanner's stack). */
const MAX_DEPTH = 64;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  ws(): void {
    const t = this.text;
    while (this.pos < t.length && isWs(t.charCodeAt(this.pos))) this.pos++;
  }

  expect(c: number): void {
    if (this.text.charCodeAt(this.pos) !== c) throw new Invalid();
    this.pos++;
  }

  /** A string token starting at pos ('"'); returns its decoded value when `decode`, else ''. */
  string(decode: boolean): string {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let escaped = false;
    for (;;) {
      if (this.pos >= t.length) throw new Invalid();
      const c = t.charCodeAt(this.pos);
      if (c === 34) break;
      if (c < 32) throw new Invalid();
      if (c === 92) {
        escaped = true;
        const e = t.charCodeAt(this.pos + 1);
        if (e === 117) {
          for (let i = 2; i < 6; i++) if (!isHex(t.charCodeAt(this.pos + i))) throw new Invalid();
          this.pos += 6;
          continue;
        }
        // " \ / b f n r t
        if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116)
          throw new Invalid();
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
    this.pos++;
    if (!decode) return '';
    return escaped ? (JSON.parse(t.slice(start, this.pos)) as string) : t.slice(start + 1, this.pos - 1);
  }

  number(): void {
    const t = this.text;
    if (t.charCodeAt(this.pos) === 45) this.pos++;
    const first = t.charCodeAt(this.pos);
    if (first === 48) this.pos++;
    else if (first >= 49 && first <= 57) while (isDigit(t.charCodeAt(this.pos))) this.pos++;
    else throw new Invalid();
    if (t.charCodeAt(this.pos) === 46) {
      this.pos++;
      if (!isDigit(t.charCodeAt(this.pos))) throw new Invalid();
      while (isDigit(t.charCodeAt(this.pos))) this.pos++;
    }
    const e = t.charCodeAt(this.pos);
    if (e === 101 || e === 69) {
      this.pos++;
      const s = t.charCodeAt(this.pos);
      if (s === 43 || s === 45) this.pos++;
      if (!isDigit(t.charCodeAt(this.pos))) throw new Invalid();
      while (isDigit(t.charCodeAt(this.pos))) this.pos++;
    }
  }

  literal(word: string): void {
    if (!this.text.startsWith(word, this.pos)) throw new Invalid();
    this.pos += word.length;
  }

  /** Skips one value (validating it); returns its type's first character code. */
  value(depth: number): number {
    if (depth > MAX_DEPTH) throw new Invalid();
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    if (c === 123) this.object(depth, null);
    else if (c === 91) this.array(depth, null);
    else if (c === 34) this.string(false);
    else if (c === 116) this.literal('true');
    else if (c === 102) this.literal('false');
    else if (c === 110) this.literal('null');
    else this.number();
    return c;
  }

  /**
   * An object at pos ('{'). `onKey` is called after each key with the key; it may consume the value itself (returning
   * true), else the value is skipped.
   */
  object(depth: number, onKey: ((key: string) => boolean) | null): void {
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 34) throw new Invalid();
      const key = this.string(onKey !== null);
      this.ws();
      this.expect(58);
      if (!onKey?.(key)) this.value(depth + 1);
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 125) return;
      if (c !== 44) throw new Invalid();
    }
  }

  /** An array at pos ('['); `onElement` is called with each element's start (after white space) and end. */
  array(depth: number, onElement: ((start: number, end: number, first: number) => void) | null): void {
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      const start = this.pos;
      const first = this.value(depth + 1);
      onElement?.(start, this.pos, first);
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 93) return;
      if (c !== 44) throw new Invalid();
    }
  }
}

/** The wanted top-level fields of an object element, parsed: the last occurrence wins, as in JSON.parse. */
function elementFields(text: string, wanted: ReadonlySet<string>): Record<string, unknown> {
  const s = new Scanner(text);
  const fields: Record<string, unknown> = Object.create(null);
  s.object(0, (key) => {
    if (!wanted.has(key)) return false;
    s.ws();
    const start = s.pos;
    const first = s.value(1);
    fields[key] = first === 123 || first === 91 ? {} : JSON.parse(text.slice(start, s.pos));
    return true;
  });
  return fields;
}

/**
 * Scans `text`, an envelope `{ wrapper: { …, <dataKey>: [records], … } }`, for the one array under a key that reads
 * `dataKey` ignoring case and surrounding spaces (as the envelope reader matches it). `wanted`: top-level field names
 * of each record to read. Null when the text is not valid JSON or its shape is not one this scan vouches for.
 */
export function scanListText(text: string, dataKey: string, wanted: ReadonlySet<string>): ScannedList | null {
  const wantedKey = dataKey.trim().toLowerCase();
  const s = new Scanner(text);
  let found: { wrapperKey: string; dataKey: string; start: number; end: number; elements: ScannedElement[] } | null =
    null;
  let candidates = 0;
  try {
    s.ws();
    if (text.charCodeAt(s.pos) !== 123) return null;
    const rootKeys = new Set<string>();
    let duplicate = false;
    s.object(0, (wrapperKey) => {
      if (rootKeys.has(wrapperKey)) duplicate = true;
      rootKeys.add(wrapperKey);
      s.ws();
      if (text.charCodeAt(s.pos) !== 123) return false;
      const keys = new Set<string>();
      s.object(1, (key) => {
        if (keys.has(key)) duplicate = true;
        keys.add(key);
        if (key.trim().toLowerCase() !== wantedKey) return false;
        candidates++;
        s.ws();
        if (text.charCodeAt(s.pos) !== 91) return false;
        const start = s.pos;
        const elements: ScannedElement[] = [];
        s.array(2, (from, to, first) => {
          const slice = text.slice(from, to);
          elements.push({ text: slice, fields: first === 123 ? elementFields(slice, wanted) : null });
        });
        found = { wrapperKey, dataKey: key, start, end: s.pos, elements };
        return true;
      });
      return true;
    });
    s.ws();
    if (s.pos !== text.length) return null;
    if (duplicate || candidates !== 1 || found === null) return null;
  } catch (err) {
    if (err instanceof Invalid || err instanceof RangeError || err instanceof SyntaxError) return null;
    throw err;
  }
  const f = found as { wrapperKey: string; dataKey: string; start: number; end: number; elements: ScannedElement[] };
  return {
    skeleton: `${text.slice(0, f.start)}[]${text.slice(f.end)}`,
    wrapperKey: f.wrapperKey,
    dataKey: f.dataKey,
    elements: f.elements,
  };
}
