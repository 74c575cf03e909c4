/** How the console's pages name things: Indonesian dates, codes with their labels, kecamatan and KBLI names, links. */
import { loadReference } from '../reference.js';
import { type HtmlValue, html } from './html.js';

const MONTHS = [
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
];

/** A calendar date 'YYYY-MM-DD' as Indonesians write it: 16 Januari 2023. */
export function dateText(value: string | null | undefined): string {
  if (!value) return '-';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && month ? `${Number(m[3])} ${month} ${m[1]}` : value;
}

/** A code with its label, as the office reads it: "06 Rantai Pasok"; an unknown code stays as it is. */
export function codeLabel(table: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (!code) return '-';
  const label = table[code];
  return label ? `${code} ${label}` : code;
}

/** The kecamatan's name from the reference data, or its code when unknown. */
export function kecamatanName(code: string | null | undefined): string {
  if (!code) return '-';
  return loadReference().kecamatan[code] ?? code;
}

/** A KBLI code with its title: "10213 Industri Pembekuan Ikan". */
export function kbliText(code: string | null | undefined): string {
  if (!code) return '-';
  const title = loadReference().kbli[code];
  return title ? `${code} ${title}` : `${code} (tidak ada di daftar KBLI)`;
}

/** Quarter numerals as the office writes them. */
export const ROMAN = ['I', 'II', 'III', 'IV'] as const;
/** "TW III 2026". */
export const quarterText = (tahun: number, triwulan: number) => `TW ${ROMAN[triwulan - 1] ?? triwulan} ${tahun}`;

/** A link to a NIB's page. */
export const nibLink = (nib: string) => html`<a href="/pelaku-usaha/${encodeURIComponent(nib)}">${nib}</a>`;

/** A link to a partnership's page. */
export const partnershipLink = (id: string) => html`<a href="/kemitraan/${encodeURIComponent(id)}">${id}</a>`;

/** An external document link only when it is http(s); otherwise the text. */
export function externalLink(url: string | null | undefined, text: string): HtmlValue {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      return html`<a href="${u.href}" rel="noopener noreferrer" target="_blank">${text}</a>`;
    }
  } catch {
    // Not a URL: shown as text below.
  }
  return html`${url} <span class="hint">(bukan tautan http/https, tidak dibuka)</span>`;
}
