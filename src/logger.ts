import { pino } from 'pino';

/** The logger surface components depend on. */
export type Logger = pino.Logger;

/**
 * Keys that never reach a log line: secrets and identity numbers. Components log counts and ids, not payloads,
 * and these paths catch the rest.
 */
export const REDACT_PATHS = [
  'user_key',
  '*.user_key',
  'headers.user_key',
  '*.headers.user_key',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers.Token',
  '*.headers.token',
  'password',
  '*.password',
  'token',
  '*.token',
  'adminToken',
  '*.adminToken',
  'userKey',
  '*.userKey',
  'nik_umkm',
  '*.nik_umkm',
  '*.no_identitas_pemegang_saham',
  '*.no_identitas_penanggung_jwb',
  '*.no_identitas_pj',
  '*.no_id_user_proses',
  'config.oss.userKey',
  'config.push.password',
  'config.http.adminToken',
  'config.database.url',
];

/** A progress line on the terminal that log lines must not garble: cleared before a line, redrawn after. */
export interface StatusLine {
  clear(): void;
  redraw(): void;
  /** Shows a warning in place (in the status line) instead of printing it as a line of its own. */
  note(text: string): void;
}

let statusLine: StatusLine | null = null;

/** The progress bar registers itself while it is drawn (null when done). */
export function setStatusLine(line: StatusLine | null): void {
  statusLine = line;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const HIDDEN_KEYS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'err', 'v']);

/** One JSON log line as a short human line: `warn  message (key=value …)`, the stack only at debug. */
export function humanLine(json: string, withStack: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json);
  } catch {
    return json.trimEnd();
  }
  const level = LEVEL_NAMES[Number(o.level)] ?? String(o.level);
  const err = o.err as { message?: string; stack?: string; code?: string } | undefined;
  const fields = Object.entries(o)
    .filter(([k, v]) => !HIDDEN_KEYS.has(k) && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`);
  const reason = err?.message ? `: ${err.message}` : '';
  const line = `oss-sync ${level}: ${String(o.msg ?? '')}${reason}${fields.length ? ` (${fields.join(', ')})` : ''}`;
  return withStack && err?.stack ? `${line}\n${err.stack}` : line;
}

/** A destination that prints human lines on a terminal, clearing and redrawing the progress bar around them. */
function humanDestination(out: NodeJS.WritableStream, withStack: boolean): pino.DestinationStream {
  return {
    write(chunk: string) {
      // Behind the progress bar, warnings and errors replace each other in place; the summary reports the outcome.
      const level = /"level":(\d+)/.exec(chunk)?.[1];
      if (statusLine && !withStack && (level === '40' || level === '50')) {
        statusLine.note(humanLine(chunk, false).split('\n')[0] ?? '');
        return;
      }
      statusLine?.clear();
      out.write(`${humanLine(chunk, withStack)}\n`);
      statusLine?.redraw();
    },
  };
}

/**
 * Creates the root logger: JSON lines (or, with `human`, short readable lines for a terminal), secrets and NIKs
 * redacted.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  opts: { human?: boolean } = {},
): Logger {
  const target =
    opts.human && destination
      ? humanDestination(destination as NodeJS.WritableStream, level === 'debug' || level === 'trace')
      : destination;
  return pino(
    {
      level,
      base: { service: 'oss-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    target,
  );
}
