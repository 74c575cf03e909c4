import { fmt } from '../domain/format.js';
import type { Logger } from '../logger.js';
import type { StreamProgress } from '../sync/context.js';

/** A one-line progress bar on a terminal; periodic plain progress lines in logs otherwise. */
export function createProgressReporter(log: Logger, tty: boolean): { update(p: StreamProgress): void; done(): void } {
  let lastLog = 0;
  let drawn = false;
  return {
    update(p) {
      const c = p.counts;
      const done = p.phase.startsWith('inquiring') || p.phase.startsWith('checking') ? c.requests : c.fetched;
      if (tty) {
        const width = 24;
        const ratio = p.total ? Math.min(1, done / p.total) : 0;
        const bar = p.total
          ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${fmt(done)}/${fmt(p.total)}`
          : `${fmt(done)}`;
        const text = `${p.stream.padEnd(9)} ${p.phase.padEnd(16)} ${bar}  new ${fmt(c.inserted)}  changed ${fmt(c.updated)}  rejected ${fmt(c.rejected)}`;
        process.stderr.write(
          `\r${text.slice(0, (process.stderr.columns || 120) - 1).padEnd(Math.min(process.stderr.columns || 120, 120) - 1)}`,
        );
        drawn = true;
      } else if (Date.now() - lastLog >= 5_000) {
        lastLog = Date.now();
        log.info({ stream: p.stream, phase: p.phase, total: p.total, ...c }, 'sync progress');
      }
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
