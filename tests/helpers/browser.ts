/*
 * The web console in real Chromium (Debian's /usr/bin/chromium driven by playwright-core), on the simulator world.
 *
 *   const world = await startConsoleWorld('temuan', { env: { WEB_SESSION_IDLE_MINUTES: '5' } });
 *     A fresh test database; the console accounts made with the real CLI (`users add … --password-stdin`);
 *     the sandbox world (SIMULATOR_SIZE tiny: 189 partnerships, most with quarterly realisations, ~30 open findings
 *     over ~29 rules in 6 kecamatan) synced into it with the real CLI (`oss-sync sync`); then `oss-sync serve`
 *     as a child process. Returns:
 *       world.url                      http://127.0.0.1:<port> of that serve
 *       world.db                       knex on the test database, for arranging and asserting
 *       world.env                      the environment of that serve (DATABASE_URL, OSS_SYNC_DATA_DIR, …): pass it
 *                                      to cli() from tests/helpers/cli.ts to run any command on the same world
 *       world.users.admin/.vera/.budi  { username, password, fullName, role }: admin, verifier, viewer
 *       world.server                   the ServeProcess (its logs(), for a failure message)
 *       world.serve(extraEnv)          another serve on the same world with more env (TRUST_PROXY …)
 *       world.addUser(name, role)      one more account through the real CLI (e.g. one to lock out)
 *       world.stop()                   closes its pages and the file's browser, stops every serve, drops the DB
 *   const page = await newPage(world, { user: 'vera' })            a logged-in page in its own context (cookies)
 *   const phone = await newPage(world, { user: 'vera', mobile: true })   390 × 844, isMobile, hasTouch
 *   await login(page, world, 'budi')                                through the real form; throws with the message
 *   consoleErrors(page)            the page's console errors and uncaught errors so far (CSP violations included)
 *   await screenshot(page, 'temuan')                               full page → .ci/out/console-temuan.png
 *   await expectNoSeriousA11yViolations(page)                      axe-core: serious or critical impact fails
 *   await expectNoHorizontalOverflow(page)                         main and the document fit the viewport
 *   await openBrowser()            the file's one Chromium (launched on first use; world.stop() closes it)
 * Pages open with baseURL world.url, so `page.goto('/temuan')` works. Chromium missing is a failure, never a skip.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Db } from '../../src/store/db.js';
import { cli } from './cli.js';
import { createTestDatabase } from './db.js';
import { type ServeProcess, spawnServe } from './serveEntry.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'oss-sync.js');
const OUT_DIR = join(ROOT, '.ci', 'out');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type ConsoleRole = 'viewer' | 'verifier' | 'admin';

/** A console account of the world, with its password. */
export interface WorldUser {
  username: string;
  password: string;
  fullName: string;
  role: ConsoleRole;
}

export interface ConsoleWorld {
  url: string;
  db: Db;
  env: Record<string, string>;
  users: { admin: WorldUser; vera: WorldUser; budi: WorldUser };
  server: ServeProcess;
  serve(extraEnv?: Record<string, string>): Promise<ServeProcess>;
  addUser(username: string, role: ConsoleRole, fullName?: string): Promise<WorldUser>;
  stop(): Promise<void>;
}

export interface ConsoleWorldOptions {
  /** More environment for serve (and world.env), e.g. WEB_SESSION_IDLE_MINUTES. */
  env?: Record<string, string>;
  /** The simulator world: tiny (default, ~3 s to sync) or small (1,000 partnerships). */
  size?: 'tiny' | 'small';
}

const USERS = {
  admin: { username: 'admin', password: 'Admin#Konsol2026', fullName: 'Ani Admin Kantor', role: 'admin' },
  vera: { username: 'vera', password: 'Vera#Verifikasi2026', fullName: 'Vera Lestari', role: 'verifier' },
  budi: { username: 'budi', password: 'Budi#Pembaca2026', fullName: 'Budi Santoso', role: 'viewer' },
} as const satisfies Record<string, WorldUser>;

/** `oss-sync users add NAME --role ROLE --full-name … --password-stdin`, the password on stdin as an admin types it. */
function addUserWithCli(env: Record<string, string>, user: WorldUser): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'users', 'add', user.username, '--role', user.role, '--full-name', user.fullName, '--password-stdin'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', OSS_SYNC_FROM_SOURCE: '1', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`oss-sync users add ${user.username} exited ${code}:\n${out}`)),
    );
    child.stdin.end(`${user.password}\n`);
  });
}

/** The simulator world synced into a fresh database, three accounts, and `serve` on it. */
export async function startConsoleWorld(label: string, opts: ConsoleWorldOptions = {}): Promise<ConsoleWorld> {
  const t = await createTestDatabase(`web_${label}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'oss-sync-console-'));
  const servers: ServeProcess[] = [];
  const cleanup = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await t.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const env: Record<string, string> = {
      DATABASE_URL: t.url,
      // No OSS_BASE_URL: sandbox mode, the built-in simulator (anchored in this folder, so serve's syncs see the same world).
      OSS_SYNC_DATA_DIR: dataDir,
      SIMULATOR_SIZE: opts.size ?? 'tiny',
      // Never due while a test runs, and no catch-up on a fresh database.
      SYNC_CRON: '0 2 1 1 *',
      TZ: 'Asia/Jakarta',
      ...opts.env,
    };
    // Accounts first: with accounts present, the sandbox sync does not make its own `admin`.
    await Promise.all(Object.values(USERS).map((u) => addUserWithCli(env, u)));
    const synced = await cli(['sync'], env);
    if (synced.code !== 0) throw new Error(`oss-sync sync exited ${synced.code}:\n${synced.stdout}\n${synced.stderr}`);
    const start = async (extra: Record<string, string> = {}) => {
      const s = await spawnServe({ ...env, ...extra });
      servers.push(s);
      return s;
    };
    const server = await start();
    return {
      url: server.url,
      db: t.db,
      env,
      users: USERS,
      server,
      serve: start,
      async addUser(username, role, fullName = username) {
        const user: WorldUser = { username, role, fullName, password: `${username}#Sandi2026` };
        await addUserWithCli(env, user);
        return user;
      },
      async stop() {
        await closeBrowser();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

let shared: Promise<Browser> | null = null;
const errorsOf = new WeakMap<Page, string[]>();

/** The test file's Chromium, launched on first call. */
export function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser tests need Debian's package ` +
        '(apt-get install chromium; .ci/run installs it). They are never skipped.',
    );
  }
  shared ??= chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  return shared;
}

/** Closes the file's Chromium (and every page in it). */
export async function closeBrowser(): Promise<void> {
  const b = shared;
  shared = null;
  if (b) await (await b).close();
}

export interface NewPageOptions {
  /** Log in as this account of the world (admin, vera, budi, or one from addUser with `password`). */
  user?: string;
  password?: string;
  /** Default 1280 × 800; `mobile` gives 390 × 844 with isMobile and hasTouch. */
  viewport?: { width: number; height: number };
  mobile?: boolean;
}

/** A page in a context of its own (its own cookies), opened on world.url, logged in when `user` is given. */
export async function newPage(world: ConsoleWorld, opts: NewPageOptions = {}): Promise<Page> {
  const browser = await openBrowser();
  const context: BrowserContext = await browser.newContext({
    baseURL: world.url,
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
    viewport: opts.viewport ?? (opts.mobile ? { width: 390, height: 844 } : { width: 1280, height: 800 }),
    ...(opts.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  if (opts.user) await login(page, world, opts.user, opts.password);
  return page;
}

/** The console errors and uncaught errors of a page from newPage, so far (a CSP violation is one). */
export function consoleErrors(page: Page): string[] {
  return [...(errorsOf.get(page) ?? [])];
}

/** Logs in through the /masuk form; throws with the page's message when it does not get past the form. */
export async function login(page: Page, world: ConsoleWorld, user: string, password?: string): Promise<void> {
  const known = Object.values(world.users).find((u) => u.username === user);
  const pw = password ?? known?.password;
  if (pw === undefined) throw new Error(`login: no password given for "${user}"`);
  await page.goto('/masuk');
  await page.getByLabel('Nama pengguna').fill(user);
  await page.getByLabel('Kata sandi').fill(pw);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/masuk'),
    page.getByRole('button', { name: 'Masuk', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  if (new URL(page.url()).pathname === '/masuk') {
    const message = (await page.locator('.flash, main').first().textContent())?.replace(/\s+/g, ' ').trim();
    throw new Error(`login as ${user} failed: ${message}`);
  }
}

/** A full-page screenshot at .ci/out/console-<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `console-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe-core on the current page: any violation of serious or critical impact fails, listing rule, help and targets. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length === 0) return;
  const lines = serious.map(
    (v) =>
      `- ${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]\n` +
      v.nodes
        .slice(0, 8)
        .map((n) => `    ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`)
        .join('\n'),
  );
  throw new Error(`${serious.length} serious accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`);
}

interface OverflowReport {
  innerWidth: number;
  document: number;
  main: { scrollWidth: number; clientWidth: number } | null;
  widest: Array<{ tag: string; className: string; id: string; width: number; contentWidth: number; right: number }>;
}

/**
 * At the current viewport: `main` does not scroll sideways (scrollWidth ≤ clientWidth) and neither does the
 * document (scrollWidth ≤ the viewport's width and ≤ window.innerWidth), 1 px tolerance. A phone browser zooms out
 * to fit wide content (window.innerWidth grows past 390), so the document is measured against the page's set
 * viewport as well. On failure, lists the widest elements that stick out or whose content overflows them, outside
 * any ancestor that scrolls or clips them (a table in an overflow-x: auto wrapper is fine).
 */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const viewport = page.viewportSize()?.width ?? null;
  const r: OverflowReport = await page.evaluate((viewportWidth) => {
    const main = document.querySelector('main');
    const width = Math.min(viewportWidth ?? window.innerWidth, window.innerWidth);
    const box = main ? main.getBoundingClientRect() : { left: 0, right: width };
    const right = Math.min(box.right, width) + 1;
    const left = Math.max(box.left, 0) - 1;
    const clippedByAncestor = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
      }
      return false;
    };
    const widest = [...document.body.querySelectorAll('*')]
      .map((el) => ({ el, rect: el.getBoundingClientRect() }))
      .filter(({ el, rect }) => {
        if (rect.width === 0 || clippedByAncestor(el)) return false;
        const sticksOut = rect.right > right || rect.left < left;
        const overflowsItself =
          getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
        return sticksOut || overflowsItself;
      })
      .sort((a, b) => Math.max(b.rect.width, b.el.scrollWidth) - Math.max(a.rect.width, a.el.scrollWidth))
      .slice(0, 10)
      .map(({ el, rect }) => ({
        tag: el.tagName.toLowerCase(),
        className: typeof el.className === 'string' ? el.className : '',
        id: el.id,
        width: Math.round(rect.width),
        contentWidth: el.scrollWidth,
        right: Math.round(rect.right),
      }));
    return {
      innerWidth: window.innerWidth,
      document: document.documentElement.scrollWidth,
      main: main ? { scrollWidth: main.scrollWidth, clientWidth: main.clientWidth } : null,
      widest,
    };
  }, viewport);
  const width = Math.min(viewport ?? r.innerWidth, r.innerWidth);
  const problems: string[] = [];
  if (r.main === null) problems.push('the page has no <main>');
  else if (r.main.scrollWidth > r.main.clientWidth + 1)
    problems.push(`main scrolls sideways: scrollWidth ${r.main.scrollWidth} > clientWidth ${r.main.clientWidth}`);
  if (r.document > width + 1 || r.innerWidth > (viewport ?? r.innerWidth) + 1)
    problems.push(
      `the document scrolls sideways: scrollWidth ${r.document}, window.innerWidth ${r.innerWidth}, viewport ${viewport ?? '?'}`,
    );
  if (problems.length === 0) return;
  const widest = r.widest.map(
    (w) =>
      `    <${w.tag}${w.id ? ` id="${w.id}"` : ''}${w.className ? ` class="${w.className}"` : ''}> ` +
      `${w.width} px wide (content ${w.contentWidth} px), right edge at ${w.right} px`,
  );
  throw new Error(
    `horizontal overflow at ${viewport ?? r.innerWidth} px on ${page.url()}: ${problems.join('; ')}\n` +
      `  widest elements sticking out:\n${widest.join('\n') || '    (none found outside a scrolling element)'}`,
  );
}
