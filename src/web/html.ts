/*
 * HTML by construction: `html` is a tagged template that escapes every interpolated value unless it is already
 * SafeHtml (the result of another `html` or of `trustedSvg`). No page builds markup by string concatenation, so a
 * business name such as `<script>` is text wherever it appears. (A dozen lines do what a template engine would;
 * keeping templates as typed TypeScript functions lets tsc check every page.)
 */

/** Markup that is safe to emit as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template accepts: nested lists render in order; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text escaped for an element body or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Joins fragments (already escaped by `html`) into one. */
export const join = (parts: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml =>
  new SafeHtml(parts.map(render).join(render(separator)));

/**
 * SVG produced by our own chart renderer (src/report/charts.ts) from escaped labels. The only way to emit markup
 * that did not come from `html`; nothing user-typed passes through here unescaped.
 */
export const trustedSvg = (svg: string): SafeHtml => new SafeHtml(svg);
