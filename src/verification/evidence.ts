/** Evidence of a finding as text for people (the CLI `show`, the exports): pure. */

/** Evidence as indented "key: value" lines (nested values as compact JSON). */
export function evidenceLines(evidence: Record<string, unknown>, indent = '  '): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(evidence)) {
    if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object')) {
      lines.push(`${indent}${k}:`);
      for (const item of v) lines.push(`${indent}  - ${inline(item)}`);
    } else lines.push(`${indent}${k}: ${inline(v)}`);
  }
  return lines;
}

/** One value on one line: primitives as they are, lists joined, objects as k=v pairs. */
export function inline(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.length ? v.map(inline).join(', ') : '(tidak ada)';
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${inline(x)}`)
      .join(', ');
  }
  return String(v);
}
