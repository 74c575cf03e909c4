/*
 * The web console, served by `serve` under / beside the JSON API: server-rendered HTML in Indonesian that reads
 * without JavaScript (console.js only adds live progress and select-all). Everything here is one encapsulated
 * fastify plugin: its cookies, form and upload parsers, CSRF check, session lookup, security headers and error
 * pages apply to console routes only, never to /healthz, /metrics, /syncs or /receiveNIB.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable } from '../store/db.js';
import { installationSecret } from '../store/state.js';
import { type ConsoleDeps, sendPage } from './context.js';
import { html } from './html.js';
import { businessPages } from './pages/businesses.js';
import { findingPages } from './pages/findings.js';
import { homePage } from './pages/home.js';
import { importPages } from './pages/imports.js';
import { loginPages } from './pages/login.js';
import { matchmakingPages } from './pages/matchmaking.js';
import { partnershipPages } from './pages/partnerships.js';
import { reportPages } from './pages/report.js';
import { syncPages } from './pages/syncs.js';
import { userPages } from './pages/users.js';
import { resolveViewer, type SessionSettings } from './session.js';

export type { ConsoleDeps } from './context.js';

/** Content-Security-Policy of every console page: no inline or foreign scripts, no framing, forms post here only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Chart SVGs carry presentation in style attributes; no script can run from one.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** The headers of every console response (pages, assets, the HTML 404 outside the console's routes). */
export function setSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'same-origin');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cross-origin-opener-policy', 'same-origin');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}

const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The bundled assets (no CDN: the office network may have no internet), read once at start. */
function loadAssets(): Map<string, { type: string; body: Buffer; etag: string }> {
  // Beside this module: src/web/assets from the sources, dist/src/web/assets once built (npm run build copies them).
  const dir = fileURLToPath(new URL('./assets/', import.meta.url));
  const out = new Map<string, { type: string; body: Buffer; etag: string }>();
  for (const name of ['console.css', 'console.js', 'favicon.svg']) {
    const body = readFileSync(dir + name);
    const ext = name.slice(name.lastIndexOf('.'));
    out.set(name, { type: ASSET_TYPES[ext]!, body, etag: `"${body.length.toString(16)}-${hash(body)}"` });
  }
  return out;
}

function hash(b: Buffer): string {
  let h = 0;
  for (const byte of b) h = (h * 31 + byte) >>> 0;
  return h.toString(16);
}

function csrfTokenOf(req: FastifyRequest): string | undefined {
  const body = req.body as { _csrf?: unknown } | undefined;
  if (body && typeof body._csrf === 'string') return body._csrf;
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  // A multipart upload carries its token in the form's action URL: the body is streamed, not parsed, before the check.
  const query = req.query as { _csrf?: unknown } | undefined;
  return typeof query?._csrf === 'string' ? query._csrf : undefined;
}

export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const assets = loadAssets();
  const secret = await installationSecret(deps.db, 'web_cookie_secret', randomBytes(32).toString('hex'));
  const settings: SessionSettings = {
    idleMinutes: deps.config.web.sessionIdleMinutes,
    maxHours: deps.config.web.sessionMaxHours,
    authProxyHeader: deps.config.web.authProxyHeader,
    trustProxy: deps.config.web.trustProxy,
  };

  await app.register(async (scope) => {
    await scope.register(cookie, { secret });
    await scope.register(formbody, { bodyLimit: 256 * 1024 });
    await scope.register(multipart, {
      limits: { fileSize: deps.config.web.uploadMaxBytes, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 },
    });
    await scope.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: 'oss_sync_csrf',
      cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: true },
      getToken: csrfTokenOf,
    });

    scope.decorateRequest('viewer', null);
    scope.addHook('onRequest', async (req) => {
      if (req.url.startsWith('/assets/')) return;
      req.viewer = await resolveViewer(deps.db, req, settings);
    });
    // Every state-changing request needs the form's CSRF token (the login form included).
    scope.addHook('preHandler', (req, reply, done) => {
      if (req.method === 'GET' || req.method === 'HEAD') return done();
      scope.csrfProtection(req, reply, done);
    });
    scope.addHook('onSend', async (_req, reply, payload) => {
      setSecurityHeaders(reply);
      return payload;
    });

    scope.setErrorHandler(async (err: FastifyError, req, reply) => {
      const down = databaseUnavailable(err, deps.config.database.url);
      if (down) {
        req.log.warn({ url: req.url, error: down.message }, 'console request failed: database unavailable');
        reply.header('retry-after', '30');
        return sendPage(req, reply, deps, {
          title: 'Basis data tidak dapat dihubungi',
          status: 503,
          body: html`<p>Basis data oss-sync sedang tidak dapat dihubungi, jadi halaman ini tidak dapat ditampilkan dan
            tidak ada yang diubah. Coba lagi dalam beberapa saat; bila berlanjut, hubungi petugas TI.</p>`,
        });
      }
      if (err.code?.startsWith('FST_CSRF')) {
        return sendPage(req, reply, deps, {
          title: 'Formulir tidak sah',
          status: 403,
          body: html`<p>Formulir ini kedaluwarsa atau tidak dikirim dari konsol (token keamanan CSRF tidak cocok), jadi
            tidak dijalankan. Muat ulang halamannya lalu coba lagi.</p>`,
        });
      }
      if (err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_FILES_LIMIT' || err.code === 'FST_PARTS_LIMIT') {
        return sendPage(req, reply, deps, {
          title: 'Berkas ditolak',
          status: 413,
          body: html`<p>Berkas terlalu besar atau terlalu banyak bagian (batas ${Math.round(deps.config.web.uploadMaxBytes / 1_048_576)} MB,
            satu berkas). Tidak ada data yang ditulis.</p><p><a href="/impor">Kembali ke Impor</a></p>`,
        });
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) req.log.error({ err, url: req.url, method: req.method }, 'console request failed');
      return sendPage(req, reply, deps, {
        title: status === 500 ? 'Terjadi kesalahan' : 'Permintaan tidak dapat diproses',
        status,
        body:
          status === 500
            ? html`<p>Terjadi kesalahan di server; tidak ada yang diubah. Petugas TI dapat melihat rinciannya di log
                (nomor permintaan ${req.id}).</p>`
            : html`<p>${err.message}</p>`,
      });
    });

    scope.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
      const asset = assets.get(req.params.name);
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('tidak ada');
      reply.header('etag', asset.etag).header('cache-control', 'public, max-age=3600');
      if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    });

    await loginPages(scope, deps, settings);
    await homePage(scope, deps);
    await partnershipPages(scope, deps);
    await businessPages(scope, deps);
    await findingPages(scope, deps);
    await reportPages(scope, deps);
    await matchmakingPages(scope, deps);
    await syncPages(scope, deps);
    await importPages(scope, deps);
    await userPages(scope, deps);
  });
}

/** The 404 page of a browser request outside every route (the JSON API answers JSON). */
export function notFoundPage(url: string): string {
  return html`<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Halaman tidak ditemukan · oss-sync</title><link rel="stylesheet" href="/assets/console.css"></head>
<body><main id="konten"><h1>Halaman tidak ditemukan</h1><p>Tidak ada halaman <code>${url}</code>.</p><p><a href="/">Ke Beranda</a></p></main></body></html>`
    .value;
}
