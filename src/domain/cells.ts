/**
 * Spreadsheet cells from untrusted text (OSS data, verifier notes): a cell that starts with `=`, `+`, `-`, `@`, a tab
 * or a carriage return is a formula to Excel and LibreOffice (CSV/formula injection). As OWASP recommends, such a
 * text cell is prefixed with a single quote, which spreadsheets show as text; numbers stay numbers.
 */
export function neutralizeFormula<T>(value: T): T | string {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV field: neutralized, then quoted when it holds the delimiter, a quote or a line break. */
export function csvField(value: string | number | null | undefined, delimiter = ','): string {
  const s = String(neutralizeFormula(value ?? ''));
  return s.includes(delimiter) || /["\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
