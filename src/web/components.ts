/** Small building blocks the console's pages share: tables, paging, badges, fields, times. */
import { fmtId } from '../domain/format.js';
import { humanTime } from '../domain/wib.js';
import { SEVERITY_LABELS, STATUS_LABELS } from '../verification/summary.js';
import { type HtmlValue, html, type SafeHtml } from './html.js';

export interface Column {
  label: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
}

/**
 * A table that stays readable on a phone: below 640 px each row becomes a card whose cells carry their column's
 * label (data-label), so the page never scrolls sideways.
 */
export function dataTable(p: {
  caption?: HtmlValue;
  columns: readonly Column[];
  rows: readonly (readonly HtmlValue[])[];
  empty?: string;
  className?: string;
}): SafeHtml {
  if (p.rows.length === 0) return html`<p class="empty">${p.empty ?? 'Tidak ada data.'}</p>`;
  return html`<table class="data ${p.className ?? ''}">
${p.caption ? html`<caption>${p.caption}</caption>` : ''}
<thead><tr>${p.columns.map((c) => html`<th scope="col"${c.numeric ? html` class="num"` : ''}>${c.label}</th>`)}</tr></thead>
<tbody>${p.rows.map(
    (r) =>
      html`<tr>${r.map((cell, i) => {
        const c = p.columns[i]!;
        // One wrapper per cell: on a phone the cell is a two-column grid (label, content), and content of several
        // nodes (a name and a link) must stay in the content column.
        return html`<td data-label="${c.label}"${c.numeric ? html` class="num"` : ''}><div>${cell}</div></td>`;
      })}</tr>`,
  )}</tbody>
</table>`;
}

/** A definition list of label → value (evidence, identity, agreement terms). */
export function facts(pairs: ReadonlyArray<readonly [string, HtmlValue]>): SafeHtml {
  return html`<dl class="facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? '-' : v}</dd>`)}</dl>`;
}

/** An instant as WIB wall time in a <time> element. */
export function timeText(instant: Date | null | undefined, timeZone: string): SafeHtml {
  if (!instant) return html`-`;
  return html`<time datetime="${instant.toISOString()}">${humanTime(instant, timeZone)}</time>`;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge status-${status}">${STATUS_LABELS[status] ?? status}</span>`;
}

export function severityBadge(severity: string): SafeHtml {
  return html`<span class="badge sev-${severity}">${SEVERITY_LABELS[severity] ?? severity}</span>`;
}

/** A URL with query parameters; empty values are left out. */
export function withQuery(
  path: string,
  params: Readonly<Record<string, string | number | null | undefined | readonly string[]>>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Paging links under a list. `total` may be a lower bound (`totalIsAtLeast`): counting every row of a large table on
 * each page load is what makes lists slow, so a count stops at a cap and the page says "lebih dari".
 */
export function pager(p: {
  path: string;
  params: Readonly<Record<string, string | number | null | undefined | readonly string[]>>;
  page: number;
  pageSize: number;
  total: number;
  totalIsAtLeast?: boolean;
  shown: number;
}): SafeHtml {
  const first = p.shown === 0 ? 0 : (p.page - 1) * p.pageSize + 1;
  const last = (p.page - 1) * p.pageSize + p.shown;
  const totalText = p.totalIsAtLeast ? `lebih dari ${fmtId(p.total)}` : fmtId(p.total);
  const hasNext = p.totalIsAtLeast ? p.shown === p.pageSize : last < p.total;
  return html`<nav class="pager" aria-label="Halaman">
  <span>${fmtId(first)}–${fmtId(last)} dari ${totalText}</span>
  ${p.page > 1 ? html`<a rel="prev" href="${withQuery(p.path, { ...p.params, halaman: p.page - 1 })}">‹ Sebelumnya</a>` : ''}
  ${hasNext ? html`<a rel="next" href="${withQuery(p.path, { ...p.params, halaman: p.page + 1 })}">Berikutnya ›</a>` : ''}
</nav>`;
}

export interface Option {
  value: string;
  label: string;
}

let fieldIds = 0;
/** A unique element id for a label's `for` (the label then names only its control, not the chosen option). */
function fieldId(name: string): string {
  fieldIds = (fieldIds + 1) % 1_000_000;
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '')}-${fieldIds}`;
}

export function selectField(p: {
  name: string;
  label: string;
  options: readonly Option[];
  selected?: string | readonly string[] | null;
  any?: string;
}): SafeHtml {
  const chosen = new Set(Array.isArray(p.selected) ? p.selected : p.selected ? [p.selected as string] : []);
  const id = fieldId(p.name);
  return html`<div class="field"><label for="${id}">${p.label}</label><select id="${id}" name="${p.name}">
${p.any === undefined ? '' : html`<option value="">${p.any}</option>`}
${p.options.map((o) => html`<option value="${o.value}"${chosen.has(o.value) ? html` selected` : ''}>${o.label}</option>`)}
</select></div>`;
}

export function textField(p: {
  name: string;
  label: string;
  value?: string | null;
  type?: string;
  placeholder?: string;
  required?: boolean;
  autocomplete?: string;
}): SafeHtml {
  const id = fieldId(p.name);
  return html`<div class="field"><label for="${id}">${p.label}</label><input id="${id}" type="${p.type ?? 'text'}" name="${p.name}" value="${p.value ?? ''}"${p.placeholder ? html` placeholder="${p.placeholder}"` : ''}${p.required ? html` required` : ''}${p.autocomplete ? html` autocomplete="${p.autocomplete}"` : ''}></div>`;
}

/** A page number from a query string: 1 when absent or not a positive whole number. */
export function pageNumber(value: unknown, max = 100_000): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : 1;
}
