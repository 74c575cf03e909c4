/*
 * SQL text helpers for the rules. Rule SQL inlines configuration and reference values as literals (they come from
 * files shipped with the app, validated at load), so the statements need no bind parameters and can use jsonb
 * operators freely. Every literal goes through these functions.
 */

/** A SQL string literal: 'it''s'. */
export function lit(value: string): string {
  if (value.includes('\u0000')) throw new Error('a SQL literal cannot hold a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL numeric literal from a finite number. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** A text[] literal: array['a','b']::text[]. */
export function textArray(values: readonly string[]): string {
  return values.length === 0 ? `'{}'::text[]` : `array[${values.map(lit).join(',')}]::text[]`;
}

/** A jsonb literal of a JSON value. */
export function jsonb(value: unknown): string {
  return `${lit(JSON.stringify(value))}::jsonb`;
}

/** SQL for the label of a code from a code table: ('{"01":"Mikro"}'::jsonb ->> x), the code itself when unknown. */
export function label(table: Readonly<Record<string, string>>, expr: string): string {
  return `coalesce(${jsonb(table)} ->> ${expr}, ${expr})`;
}

/** SQL for "Label (code)", e.g. 'Besar (04)'; '-' when the code is null. */
export function labelled(table: Readonly<Record<string, string>>, expr: string): string {
  return `coalesce(${label(table, expr)} || ' (' || ${expr} || ')', '-')`;
}

const PLACEHOLDER_RE = /\{([a-z_][a-z0-9_]*)\}/g;

/** The placeholder names of a message template, in order. */
export function templateKeys(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as string);
}

/**
 * A message template as a SQL text expression over the columns `entity_id`, `params` and `evidence` of `alias`:
 * 'Kemitraan {entity_id} …' → concat('Kemitraan ', r.entity_id, ' …'). Same result as `renderMessage`.
 */
export function messageSql(template: string, alias: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(lit(template.slice(last, at)));
    const key = m[1] as string;
    parts.push(
      key === 'entity_id'
        ? `coalesce(${alias}.entity_id, '-')`
        : `coalesce(${alias}.params ->> ${lit(key)}, ${alias}.evidence ->> ${lit(key)}, '-')`,
    );
    last = at + m[0].length;
  }
  if (last < template.length) parts.push(lit(template.slice(last)));
  return parts.length === 0 ? `''` : `concat(${parts.join(', ')})`;
}

/** What `->>` gives for a JSON value: strings as they are, other values as JSON text, null as null. */
function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Renders a message template in TypeScript exactly as `messageSql` does in SQL (used by tests and previews). */
export function renderMessage(
  template: string,
  values: { entityId: string; params?: Record<string, unknown> | null; evidence?: Record<string, unknown> | null },
): string {
  return template.replace(PLACEHOLDER_RE, (_, key: string) => {
    if (key === 'entity_id') return values.entityId;
    return jsonText(values.params?.[key]) ?? jsonText(values.evidence?.[key]) ?? '-';
  });
}
