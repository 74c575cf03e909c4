/** Plain-text tables and numbers for people at a terminal (pure: no IO). */

export const fmt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : n.toLocaleString('en-US');

/** Left-aligned text columns, right-aligned numbers, a rule under the header. */
export function table(
  headers: string[],
  rows: Array<Array<string | number | null>>,
  number: (n: number) => string = fmt,
): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? number(c) : (c ?? '-'))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Numbers for verifier-facing output, Indonesian style (1.234). */
export const fmtId = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : n.toLocaleString('id-ID');

/**
 * A table that fits `width` columns: the `flex` column (the message) is cut to the room the others leave, with an
 * ellipsis, but never below 12 characters.
 */
export function fittedTable(
  headers: string[],
  rows: Array<Array<string | number | null>>,
  width: number,
  flex: number,
  number: (n: number) => string = fmt,
): string {
  const text = (c: string | number | null) => (typeof c === 'number' ? number(c) : (c ?? '-'));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i] ?? null).length)));
  const others = widths.reduce((a, w, i) => (i === flex ? a : a + w + 2), 0);
  const room = Math.max(12, width - others - 1);
  const cut = (c: string | number | null) => {
    const s = text(c);
    return s.length > room ? `${s.slice(0, room - 1)}…` : s;
  };
  return table(
    headers,
    rows.map((r) => r.map((c, i) => (i === flex ? cut(c) : c))),
    number,
  );
}
