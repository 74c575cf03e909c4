import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** The simulator world sizes (partnership counts are approximate). */
export const SIMULATOR_SIZES = ['tiny', 'small', 'medium', 'large', 'huge'] as const;
export type SimulatorSize = (typeof SIMULATOR_SIZES)[number];

/** Validated, frozen configuration. Only loadConfig reads the environment. */
export interface Config {
  /** embeddedPort: the port of the embedded Postgres (no DATABASE_URL). */
  readonly database: { readonly url: string | null; readonly dataDir: string; readonly embeddedPort: number };
  readonly oss: {
    /** null: sandbox mode, the built-in simulator on loopback. */
    readonly baseUrl: string | null;
    readonly userKey: string | null;
    readonly kdDaerah: string;
    readonly rateLimitRps: number;
    readonly concurrency: number;
    readonly timeoutMs: number;
    readonly maxRetries: number;
    readonly pageSize: number;
    /** The largest page the OSS deployment serves; same-timestamp groups are read with it. */
    readonly maxPageSize: number;
  };
  readonly push: { readonly username: string | null; readonly password: string | null };
  readonly sync: {
    readonly cron: string;
    readonly timezone: string;
    readonly lookbackMinutes: number;
    readonly deleteGuardRatio: number;
  };
  /** host: the address serve listens on (127.0.0.1 by default; the container image sets 0.0.0.0). */
  readonly http: { readonly port: number; readonly host: string; readonly adminToken: string | null };
  /**
   * The web console (served by `serve` under /). trustProxy: behind a reverse proxy (X-Forwarded-For/-Proto are
   * believed; cookies get Secure when the proxy says https). authProxyHeader: a header carrying the user name a
   * single-sign-on proxy authenticated (only honoured with trustProxy). Sessions end after idleMinutes without a
   * request and after maxHours in any case.
   */
  readonly web: {
    readonly trustProxy: boolean;
    readonly authProxyHeader: string | null;
    readonly sessionIdleMinutes: number;
    readonly sessionMaxHours: number;
    readonly uploadMaxBytes: number;
  };
  readonly log: { readonly level: string };
  /** The Chromium that prints report PDFs (CHROMIUM_PATH). */
  readonly report: { readonly chromiumPath: string };
  readonly simulator: { readonly seed: number; readonly size: SimulatorSize };
  readonly importDir: string | null;
  /** What one imported file may hold (IMPORT_MAX_*), and the heap of each drop-folder import process. */
  readonly imports: {
    readonly limits: { readonly maxBytes: number; readonly maxRows: number; readonly maxCellChars: number };
    readonly workerHeapMb: number;
  };
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));

/** Optional text that, when set, must pass `test`; the message echoes what was given. */
const textWhere = (test: (v: string) => boolean, message: (v: string) => string) =>
  optionalText.transform((v, ctx) => {
    if (v === null || test(v)) return v;
    ctx.addIssue({ code: 'custom', message: message(v) });
    return z.NEVER;
  });

const intIn = (name: string, min: number, max: number, dflt: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const numberIn = (name: string, min: number, max: number, dflt: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z
  .object({
    OSS_SYNC_DATA_DIR: optionalText,
    OSS_SYNC_DB_PORT: intIn('OSS_SYNC_DB_PORT', 0, 65_535, 54_329),
    DATABASE_URL: textWhere(
      isPostgresUrl,
      (v) =>
        `DATABASE_URL must be a postgres:// URL with a user and a host (postgres://USER:PASSWORD@HOST:5432/DB), got "${maskUrl(v)}"`,
    ),
    OSS_BASE_URL: textWhere(
      (v) => /^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v),
      (v) => `OSS_BASE_URL must be an http(s) URL such as https://api-prd.oss.go.id/v1/kl/rba, got "${maskUrl(v)}"`,
    ),
    OSS_USER_KEY: optionalText,
    OSS_KD_DAERAH: optionalText.pipe(
      z
        .string()
        .regex(/^\d{2}(\d{2})?$/, { error: 'OSS_KD_DAERAH must be 2 digits (province) or 4 digits (kabupaten/kota)' })
        .nullable(),
    ),
    OSS_PUSH_USERNAME: optionalText,
    OSS_PUSH_PASSWORD: optionalText,
    OSS_RATE_LIMIT_RPS: numberIn('OSS_RATE_LIMIT_RPS', 0.1, 10_000, 10),
    OSS_CONCURRENCY: intIn('OSS_CONCURRENCY', 1, 64, 4),
    OSS_TIMEOUT_MS: intIn('OSS_TIMEOUT_MS', 100, 600_000, 30_000),
    OSS_MAX_RETRIES: intIn('OSS_MAX_RETRIES', 0, 20, 6),
    OSS_PAGE_SIZE: intIn('OSS_PAGE_SIZE', 1, 500, 500),
    OSS_MAX_PAGE_SIZE: intIn('OSS_MAX_PAGE_SIZE', 1, 500, 500),
    SYNC_CRON: textWhere(
      (v) => cron.validate(v),
      (v) => `SYNC_CRON must be a cron expression (5 or 6 fields, e.g. "0 2 * * *" for 02:00 daily), got "${v}"`,
    ),
    TZ: textWhere(isTimeZone, (v) => `TZ must be an IANA time zone such as Asia/Jakarta, got "${v}"`),
    SYNC_LOOKBACK_MINUTES: intIn('SYNC_LOOKBACK_MINUTES', 0, 10_080, 10),
    DELETE_GUARD_RATIO: numberIn('DELETE_GUARD_RATIO', 0, 1, 0.1),
    HTTP_PORT: intIn('HTTP_PORT', 0, 65_535, 8080),
    HTTP_HOST: optionalText,
    ADMIN_TOKEN: optionalText,
    TRUST_PROXY: optionalText.pipe(
      z.enum(['true', 'false', '1', '0'], { error: 'TRUST_PROXY must be true or false' }).nullable(),
    ),
    AUTH_PROXY_HEADER: textWhere(
      (v) => /^[A-Za-z0-9-]{1,100}$/.test(v),
      (v) => `AUTH_PROXY_HEADER must be an HTTP header name such as X-Remote-User, got "${v}"`,
    ),
    WEB_SESSION_IDLE_MINUTES: intIn('WEB_SESSION_IDLE_MINUTES', 1, 10_080, 60),
    WEB_SESSION_MAX_HOURS: intIn('WEB_SESSION_MAX_HOURS', 1, 720, 12),
    CHROMIUM_PATH: optionalText,
    WEB_UPLOAD_MAX_BYTES: intIn('WEB_UPLOAD_MAX_BYTES', 1_024, 2 ** 34, 104_857_600),
    LOG_LEVEL: optionalText.pipe(
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
        })
        .nullable(),
    ),
    SIMULATOR_SEED: intIn('SIMULATOR_SEED', 0, 2 ** 31 - 1, 1),
    SIMULATOR_SIZE: optionalText.pipe(
      z.enum(SIMULATOR_SIZES, { error: `SIMULATOR_SIZE must be one of ${SIMULATOR_SIZES.join(', ')}` }).nullable(),
    ),
    IMPORT_DIR: optionalText,
    // What one import file may hold, and the heap of each drop-folder import process (the same defaults as
    // DEFAULT_IMPORT_LIMITS and DEFAULT_WORKER_HEAP_MB in src/import/).
    IMPORT_MAX_BYTES: intIn('IMPORT_MAX_BYTES', 1_024, 2 ** 40, 1_073_741_824),
    IMPORT_MAX_ROWS: intIn('IMPORT_MAX_ROWS', 1, 100_000_000, 2_000_000),
    IMPORT_MAX_CELL_CHARS: intIn('IMPORT_MAX_CELL_CHARS', 100, 10_000_000, 32_767),
    IMPORT_WORKER_HEAP_MB: intIn('IMPORT_WORKER_HEAP_MB', 64, 65_536, 256),
  })
  .superRefine((env, ctx) => {
    if (env.OSS_BASE_URL && !env.OSS_USER_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['OSS_USER_KEY'],
        message: 'OSS_USER_KEY (or OSS_USER_KEY_FILE) is required when OSS_BASE_URL is set',
      });
    }
    if (Boolean(env.OSS_PUSH_USERNAME) !== Boolean(env.OSS_PUSH_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['OSS_PUSH_PASSWORD'],
        message: 'OSS_PUSH_USERNAME and OSS_PUSH_PASSWORD must be set together',
      });
    }
  });

function isPostgresUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return /^postgres(ql)?:$/.test(u.protocol) && u.hostname !== '' && u.username !== '';
  } catch {
    return false;
  }
}

function isTimeZone(v: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

/** A URL as it may be echoed back: its password replaced by ***. */
export function maskUrl(v: string): string {
  return v.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1***@');
}

/** Variables that may come from a file through NAME_FILE (Docker secrets). */
const SECRET_VARS = ['DATABASE_URL', 'OSS_USER_KEY', 'OSS_PUSH_PASSWORD', 'ADMIN_TOKEN'] as const;

function readSecretFiles(
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of SECRET_VARS) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) {
      problems.push(`${name} and ${name}_FILE are both set; set only one`);
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parses the environment once; throws ConfigError listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const withSecrets = readSecretFiles(env, problems);
  const parsed = envSchema.safeParse(withSecrets);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      problems.push(issue.message.includes(name) || name === '' ? issue.message : `${name}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  return deepFreeze({
    database: {
      url: e.DATABASE_URL,
      dataDir: resolve(e.OSS_SYNC_DATA_DIR ?? './.oss-sync'),
      embeddedPort: e.OSS_SYNC_DB_PORT,
    },
    oss: {
      baseUrl: e.OSS_BASE_URL ? e.OSS_BASE_URL.replace(/\/+$/, '') : null,
      userKey: e.OSS_USER_KEY,
      kdDaerah: e.OSS_KD_DAERAH ?? '3317',
      rateLimitRps: e.OSS_RATE_LIMIT_RPS,
      concurrency: e.OSS_CONCURRENCY,
      timeoutMs: e.OSS_TIMEOUT_MS,
      maxRetries: e.OSS_MAX_RETRIES,
      pageSize: Math.min(e.OSS_PAGE_SIZE, e.OSS_MAX_PAGE_SIZE),
      maxPageSize: e.OSS_MAX_PAGE_SIZE,
    },
    push: { username: e.OSS_PUSH_USERNAME, password: e.OSS_PUSH_PASSWORD },
    sync: {
      cron: e.SYNC_CRON ?? '0 2 * * *',
      timezone: e.TZ ?? 'Asia/Jakarta',
      lookbackMinutes: e.SYNC_LOOKBACK_MINUTES,
      deleteGuardRatio: e.DELETE_GUARD_RATIO,
    },
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST ?? '127.0.0.1', adminToken: e.ADMIN_TOKEN },
    web: {
      trustProxy: e.TRUST_PROXY === 'true' || e.TRUST_PROXY === '1',
      authProxyHeader: e.AUTH_PROXY_HEADER ? e.AUTH_PROXY_HEADER.toLowerCase() : null,
      sessionIdleMinutes: e.WEB_SESSION_IDLE_MINUTES,
      sessionMaxHours: e.WEB_SESSION_MAX_HOURS,
      uploadMaxBytes: e.WEB_UPLOAD_MAX_BYTES,
    },
    log: { level: e.LOG_LEVEL ?? 'info' },
    report: { chromiumPath: e.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    simulator: { seed: e.SIMULATOR_SEED, size: e.SIMULATOR_SIZE ?? 'small' },
    importDir: e.IMPORT_DIR,
    imports: {
      limits: { maxBytes: e.IMPORT_MAX_BYTES, maxRows: e.IMPORT_MAX_ROWS, maxCellChars: e.IMPORT_MAX_CELL_CHARS },
      workerHeapMb: e.IMPORT_WORKER_HEAP_MB,
    },
  });
}
