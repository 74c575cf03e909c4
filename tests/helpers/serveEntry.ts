/*
 * Runs `oss-sync serve` as a real child process for the integration tests (`node bin/oss-sync.js serve`, from the
 * TypeScript sources: OSS_SYNC_FROM_SOURCE=1 keeps a stale dist/ out of the tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  child: ChildProcess;
  /** Every log line the child wrote (stderr JSON lines and anything else). */
  output: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Parsed JSON log lines. */
  logs(): Array<Record<string, unknown>>;
}

const started = new Set<ServeProcess>();

function serveCommandLine(args: string[]): string[] {
  return [join(root, 'bin', 'oss-sync.js'), 'serve', ...args];
}

/**
 * Spawns `serve` with only the given environment (plus PATH/HOME) and HTTP_PORT=0, and waits for its "serve
 * listening" line. With `expectStartFailure`, resolves once the process exits instead.
 */
export async function spawnServe(
  env: Record<string, string>,
  args: string[] = [],
  opts: { expectStartFailure?: boolean; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, serveCommandLine(args), {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      OSS_SYNC_FROM_SOURCE: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let onLine: (line: string) => void = () => undefined;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      let i = buf.indexOf('\n');
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        output.push(line);
        if (process.env.TEST_SERVE_LOGS) process.stderr.write(`[serve ${child.pid}] ${line}\n`);
        onLine(line);
        i = buf.indexOf('\n');
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc: ServeProcess = {
    url: '',
    port: 0,
    child,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const { code } = await exited;
      started.delete(proc);
      return code;
    },
    logs: () =>
      output.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
  };
  started.add(proc);
  if (opts.expectStartFailure) {
    await exited;
    started.delete(proc);
    return proc;
  }
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start within ${opts.timeoutMs ?? 60_000} ms:\n${output.join('\n')}`)),
      opts.timeoutMs ?? 60_000,
    );
    onLine = (line) => {
      if (!line.includes('serve listening')) return;
      try {
        const p = Number(JSON.parse(line).port);
        clearTimeout(timer);
        resolve(p);
      } catch {
        // not the JSON line
      }
    };
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
  proc.port = port;
  proc.url = `http://127.0.0.1:${port}`;
  return proc;
}

/** Stops every serve process still running (afterAll/afterEach). */
export async function stopAllServe(): Promise<void> {
  await Promise.all(
    [...started].map(async (p) => {
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
      await p.stop();
      clearTimeout(timer);
    }),
  );
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A response body as tests read it: parsed JSON, accessed loosely. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies without declaring each shape
export type Loose = any;

/** fetch returning { status, body (parsed JSON when it is JSON), headers }. */
export async function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: Loose; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (metrics)
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/**
 * POSTs a raw body from a given loopback source address (127.0.0.0/8 is all local), so a test has its own
 * rejection budget: the receiver rate-limits rejected pushes per address.
 */
export function postFrom(
  from: string,
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: Loose; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        localAddress: from,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
