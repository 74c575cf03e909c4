/*
 * How the OSS dashboard exports write values: csv quoting, Indonesian numbers ("." thousands, "," decimals) and
 * Indonesian long dates ("14 Maret 2023"). The simulator's own writer, kept apart from the importer's reader.
 */

const BULAN = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
] as const;

/** One csv field: quoted (quotes doubled) when it holds the delimiter, a quote or a line break. */
export function csvQuote(v: string, delimiter: string): string {
  if (v.includes('"') || v.includes(delimiter) || v.includes('\n') || v.includes('\r')) {
    return `"${v.replace(/"/g, '""')}"`;
  }
  return v;
}

/** A decimal string the Indonesian way: "150000000" → "150.000.000", "1250.5" → "1.250,5". */
export function indonesianNumber(decimal: string): string {
  const neg = decimal.startsWith('-');
  const [int = '0', frac] = (neg ? decimal.slice(1) : decimal).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${neg ? '-' : ''}${grouped}${frac ? `,${frac}` : ''}`;
}

/** An ISO date the Indonesian long way: '2023-03-14' → '14 Maret 2023'. */
export function indonesianLongDate(iso: string): string {
  const month = Number(iso.slice(5, 7));
  return `${Number(iso.slice(8, 10))} ${BULAN[month - 1] ?? iso.slice(5, 7)} ${iso.slice(0, 4)}`;
}
