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

const decimalFormats = new Map<number, Intl.NumberFormat>();

/** A decimal number for people, Indonesian style: 12,5 and 1.234,75 (at most `maxFraction` decimals). */
export function fmtDecimal(n: number | null | undefined, maxFraction = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  let f = decimalFormats.get(maxFraction);
  if (!f) {
    f = new Intl.NumberFormat('id-ID', { maximumFractionDigits: maxFraction });
    decimalFormats.set(maxFraction, f);
  }
  return f.format(n);
}

/** Rupiah as Indonesians write it: Rp 1.234.567 (whole rupiah; a negative amount keeps its sign). */
export function fmtRupiah(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return `${n < 0 ? '-' : ''}Rp ${fmtDecimal(Math.round(Math.abs(n)), 0)}`;
}

/** A volume with its unit: 12,5 ton. */
export function fmtVolume(n: number | null | undefined, unit: string | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return unit ? `${fmtDecimal(n, 3)} ${unit}` : fmtDecimal(n, 3);
}
