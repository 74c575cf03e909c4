/** Texts about findings for people: the sync summary block and the Indonesian labels of statuses and severities. */
import type { FindingCounts, ResolveGuardOutcome } from './report.js';

/** Indonesian labels of finding statuses (exports and the CLI). */
export const STATUS_LABELS: Readonly<Record<string, string>> = {
  open: 'Terbuka',
  in_review: 'Sedang diperiksa',
  confirmed: 'Terkonfirmasi',
  dismissed: 'Ditolak (bukan masalah)',
  resolved: 'Selesai otomatis',
};

/** Indonesian labels of severities. */
export const SEVERITY_LABELS: Readonly<Record<string, string>> = {
  error: 'Berat',
  warning: 'Sedang',
  info: 'Informasi',
};

/** Indonesian names of the entity types. */
export const ENTITY_LABELS: Readonly<Record<string, string>> = {
  kemitraan: 'Kemitraan',
  pelaku_usaha: 'Pelaku usaha (NIB)',
  proyek: 'Proyek',
  perizinan: 'Perizinan',
};

type Totals = { new: number; resolved: number; reopened: number; open: number };

/** The findings block in English (operators: the sync and import summaries) and Indonesian (verifiers: evaluate). */
const SUMMARY_TEXT = {
  en: {
    total: (x: Totals) =>
      `Findings: ${x.new} new, ${x.resolved} resolved, ${x.reopened} reopened; ${x.open} active (open, in review or confirmed)`,
    columns: ['rule', 'new', 'resolved', 'reopened', 'active'] as const,
    guard: (g: ResolveGuardOutcome) =>
      `  ! resolve guard: ${g.wouldResolve} of ${g.active} active findings would have been resolved at once ` +
      `(more than ${Math.round(g.maxRatio * 100)}%); none were. Check the sync, then run ` +
      '`oss-sync discrepancies evaluate --all --force`.',
  },
  id: {
    total: (x: Totals) =>
      `Temuan: ${x.new} baru, ${x.resolved} selesai, ${x.reopened} dibuka lagi; ${x.open} aktif (terbuka, diperiksa atau terkonfirmasi)`,
    columns: ['aturan', 'baru', 'selesai', 'dibuka', 'aktif'] as const,
    guard: (g: ResolveGuardOutcome) =>
      `  ! pengaman: ${g.wouldResolve} dari ${g.active} temuan aktif akan selesai sekaligus ` +
      `(lebih dari ${Math.round(g.maxRatio * 100)}%); tidak ada yang diselesaikan. Periksa sinkronisasinya, lalu jalankan ` +
      '`oss-sync discrepancies evaluate --all --force`.',
  },
};

/**
 * The findings block of the sync summary: totals, then one line per rule that changed or has active findings.
 * `open` counts findings open, in review or confirmed.
 */
export function renderFindingsSummary(
  counts: FindingCounts,
  opts: { guard?: ResolveGuardOutcome; lang?: 'en' | 'id' } = {},
): string[] {
  const t = opts.lang === 'id' ? SUMMARY_TEXT.id : SUMMARY_TEXT.en;
  const entries = Object.entries(counts);
  const total = entries.reduce(
    (a, [, c]) => ({
      new: a.new + c.new,
      resolved: a.resolved + c.resolved,
      reopened: a.reopened + c.reopened,
      open: a.open + c.open,
    }),
    { new: 0, resolved: 0, reopened: 0, open: 0 },
  );
  const lines = [t.total(total)];
  const shown = entries.filter(([, c]) => c.new + c.resolved + c.reopened + c.open > 0);
  if (shown.length > 0) {
    const width = Math.max(4, ...shown.map(([code]) => code.length));
    const n = (v: number) => String(v).padStart(8);
    const [rule, fresh, resolved, reopened, active] = t.columns;
    lines.push(
      `  ${rule.padEnd(width)}  ${fresh.padStart(8)}${resolved.padStart(10)}${reopened.padStart(10)}${active.padStart(8)}`,
    );
    for (const [code, c] of shown) {
      lines.push(`  ${code.padEnd(width)}  ${n(c.new)}  ${n(c.resolved)}  ${n(c.reopened)}${n(c.open)}`);
    }
  }
  if (opts.guard?.blocked) {
    lines.push(t.guard(opts.guard));
  }
  return lines;
}
