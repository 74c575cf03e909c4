import { fmt } from '../domain/format.js';
import { type Logger, setStatusLine } from '../logger.js';
import type { StreamProgress } from '../sync/context.js';

const duration = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * A one-line progress bar on a terminal (rate, elapsed time, and an ETA when OSS gave a total), cleared at the end;
 * periodic plain progress lines in logs otherwise. Log lines printed meanwhile clear the bar and it is redrawn.
 */
export function createProgressReporter(
  log: Logger,
  tty: boolean,
  now: () => number = Date.now,
): { update(p: StreamProgress): void; done(): void } {
  let lastLog = 0;
  let text = '';
  let warning = '';
  const started = now();
  const streamStart = new Map<string, number>();
  const width = () => Math.min(process.stderr.columns || 120, 160) - 1;
  const line = {
    clear: () => process.stderr.write('\r\x1b[K'),
    redraw: () => process.stderr.write(`\r${(text + warning).slice(0, width())}`),
    note: (t: string) => {
      warning = `  | ${t.replace(/^oss-sync /, '')}`;
      line.clear();
      line.redraw();
    },
  };
  if (tty) setStatusLine(line);
  return {
    update(p) {
      const c = p.counts;
      const done = p.phase.startsWith('inquiring') || p.phase.startsWith('checking') ? c.requests : c.fetched;
      if (!tty) {
        if (now() - lastLog >= 5_000) {
          lastLog = now();
          log.info({ stream: p.stream, phase: p.phase, total: p.total, ...c }, 'sync progress');
        }
        return;
      }
      if (!streamStart.has(p.stream)) streamStart.set(p.stream, now());
      const elapsed = now() - (streamStart.get(p.stream) ?? started);
      const rate = elapsed > 0 ? (done * 1000) / elapsed : 0;
      const barWidth = 20;
      const ratio = p.total ? Math.min(1, done / p.total) : 0;
      const bar = p.total
        ? `[${'#'.repeat(Math.round(ratio * barWidth)).padEnd(barWidth, '.')}] ${fmt(done)}/${fmt(p.total)}`
        : fmt(done);
      const eta = p.total && rate > 0 && done < p.total ? `  ETA ${duration(((p.total - done) / rate) * 1000)}` : '';
      text =
        `${p.stream.padEnd(9)} ${p.phase.padEnd(16)} ${bar}  ${fmt(Math.round(rate))}/s  ${duration(now() - started)}${eta}` +
        `  new ${fmt(c.inserted)}  changed ${fmt(c.updated)}  rejected ${fmt(c.rejected)}`;
      line.clear();
      line.redraw();
    },
    done() {
      setStatusLine(null);
      if (text || warning) line.clear();
    },
  };
}
