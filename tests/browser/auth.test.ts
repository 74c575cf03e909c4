/*
 * Signing in and staying safe, in real Chromium on the simulator world: login, a wrong password, logout, idle and
 * absolute session expiry, the login rate limit, a viewer who cannot act, CSRF, an XSS payload in a business name,
 * the security headers and cookie flags, and the single-sign-on proxy header.
 */
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/web/session.js';
import { type ConsoleWorld, consoleErrors, login, newPage, screenshot, startConsoleWorld } from '../helpers/browser.js';

const SESSION_COOKIE = 'oss_sync_session';
const IDLE_MINUTES = 5;
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';

let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld('auth', { env: { WEB_SESSION_IDLE_MINUTES: String(IDLE_MINUTES) } });
});
afterAll(async () => {
  await world?.stop();
});

const path = (page: Page) => new URL(page.url()).pathname;

/** Fills the login form and submits it; the answer to the POST (before any redirect is followed). */
async function submitLogin(page: Page, username: string, password: string): Promise<Response> {
  if (path(page) !== '/masuk') await page.goto('/masuk');
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(password);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/masuk'),
    page.getByRole('button', { name: 'Masuk', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return res;
}

async function sessionCookie(page: Page) {
  return (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
}

/** The web_sessions row behind the page's session cookie. */
async function sessionRow(page: Page) {
  const cookie = await sessionCookie(page);
  expect(cookie, 'the page has a session cookie').toBeDefined();
  return {
    tokenHash: hashToken(cookie!.value),
    row: await world
      .db('web_sessions')
      .where({ token_hash: hashToken(cookie!.value) })
      .first(),
  };
}

/** An open finding about a partnership, with the state a forged action must leave alone. */
async function openFinding() {
  const f = await world.db('findings').where({ status: 'open', entity_type: 'kemitraan' }).orderBy('id').first();
  expect(f, 'the simulator world has an open finding about a partnership').toBeDefined();
  return f as { id: number };
}

async function findingState(id: number) {
  const f = await world
    .db('findings')
    .where({ id })
    .first('status', 'verified_by', 'note', 'assigned_to', 'status_changed_at');
  const events = await world.db('finding_events').where({ finding_id: id }).count<{ n: string }[]>({ n: '*' });
  const audit = await world.db('web_audit').where('action', 'like', 'finding%').count<{ n: string }[]>({ n: '*' });
  return { finding: f, events: Number(events[0]!.n), audit: Number(audit[0]!.n) };
}

/** The CSRF token of a form on the current page (every signed-in page has one: the Keluar form). */
const csrfOf = (page: Page) => page.locator('input[name="_csrf"]').first().inputValue();

describe('login and logout', () => {
  it('logs in through the form and lands on Beranda showing the user’s name', async () => {
    const page = await newPage(world);
    await page.goto('/');
    expect(path(page)).toBe('/masuk');
    await screenshot(page, 'masuk');
    const res = await submitLogin(page, 'vera', world.users.vera.password);
    expect(res.status()).toBe(303);
    expect(path(page)).toBe('/');
    expect(await page.getByRole('heading', { level: 1, name: 'Beranda', exact: true }).count()).toBe(1);
    expect(await page.locator('header').textContent()).toContain('Vera Lestari');
    const cookie = await sessionCookie(page);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    await page.context().close();
  });

  it('a wrong password shows the Indonesian error and sets no session cookie', async () => {
    const page = await newPage(world);
    const res = await submitLogin(page, 'vera', 'bukan-kata-sandinya');
    expect(res.status()).toBe(401);
    expect(path(page)).toBe('/masuk');
    expect(await page.getByRole('alert').textContent()).toContain('Nama pengguna atau kata sandi salah');
    expect(await sessionCookie(page)).toBeUndefined();
    // The typed name stays in the form; the password does not.
    expect(await page.getByLabel('Nama pengguna').inputValue()).toBe('vera');
    expect(await page.getByLabel('Kata sandi').inputValue()).toBe('');
    await page.context().close();
  });

  it('logout ends the session: the old cookie no longer opens Beranda', async () => {
    const page = await newPage(world, { user: 'budi' });
    const old = await sessionCookie(page);
    const { tokenHash } = await sessionRow(page);
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForURL((u) => u.pathname === '/masuk');
    expect(await sessionCookie(page)).toBeUndefined();
    expect((await world.db('web_sessions').where({ token_hash: tokenHash }).first()).ended_at).not.toBeNull();

    // Someone who copied the cookie before the logout gets the login form.
    const replay = await newPage(world);
    await replay.context().addCookies([old!]);
    await replay.goto('/');
    expect(path(replay)).toBe('/masuk');
    await expect(replay.getByLabel('Kata sandi').isVisible()).resolves.toBe(true);
    await page.context().close();
    await replay.context().close();
  });
});

describe('session expiry', () => {
  it(`a session idle longer than WEB_SESSION_IDLE_MINUTES (${IDLE_MINUTES}) ends; a shorter pause does not`, async () => {
    const page = await newPage(world, { user: 'vera' });
    const { tokenHash } = await sessionRow(page);
    await world
      .db('web_sessions')
      .where({ token_hash: tokenHash })
      .update({
        last_seen_at: world.db.raw(`now() - ? * interval '1 minute'`, [IDLE_MINUTES - 1]),
      });
    await page.goto('/');
    expect(path(page)).toBe('/');
    await world
      .db('web_sessions')
      .where({ token_hash: tokenHash })
      .update({
        last_seen_at: world.db.raw(`now() - ? * interval '1 minute'`, [IDLE_MINUTES + 1]),
      });
    await page.goto('/temuan');
    expect(path(page)).toBe('/masuk');
    // After logging in again the user is taken back to the page they asked for.
    expect(new URL(page.url()).searchParams.get('next')).toBe('/temuan');
    await page.context().close();
  });

  it('a session past its absolute limit (expires_at) ends however active it is', async () => {
    const page = await newPage(world, { user: 'vera' });
    const { tokenHash } = await sessionRow(page);
    await page.goto('/');
    expect(path(page)).toBe('/');
    await world
      .db('web_sessions')
      .where({ token_hash: tokenHash })
      .update({
        expires_at: world.db.raw(`now() - interval '1 second'`),
        last_seen_at: world.db.raw('now()'),
      });
    await page.goto('/');
    expect(path(page)).toBe('/masuk');
    await page.context().close();
  });
});

describe('login rate limit', () => {
  it('after 5 wrong passwords for one account the 6th attempt is refused with 429, even with the right password', async () => {
    const rita = await world.addUser('rita', 'verifier', 'Rita Kusuma');
    const page = await newPage(world);
    for (let i = 1; i <= 5; i++) {
      const res = await submitLogin(page, 'rita', `salah-${i}-kata-sandi`);
      expect(res.status(), `wrong password ${i}`).toBe(401);
    }
    const res = await submitLogin(page, 'rita', rita.password);
    expect(res.status()).toBe(429);
    expect(path(page)).toBe('/masuk');
    expect(await page.getByRole('alert').textContent()).toContain('Terlalu banyak percobaan');
    expect(await sessionCookie(page)).toBeUndefined();
    const ritaId = (await world.db('web_users').where({ username: 'rita' }).first('id')).id;
    expect(await world.db('web_sessions').where({ user_id: ritaId })).toHaveLength(0);
    // Another account from the same address still gets in.
    await login(page, world, 'vera');
    expect(path(page)).toBe('/');
    await page.context().close();
  });
});

describe('roles and CSRF', () => {
  it('a viewer sees no actions on a finding, and a forged action with a valid CSRF token is refused (403)', async () => {
    const f = await openFinding();
    const before = await findingState(f.id);
    const page = await newPage(world, { user: 'budi' });
    const res = await page.goto(`/temuan/${f.id}`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('main form[method="post" i]').count()).toBe(0);
    expect(await page.locator('main').getByRole('button').count()).toBe(0);
    // The same page for a verifier does offer them.
    const verifier = await newPage(world, { user: 'vera' });
    await verifier.goto(`/temuan/${f.id}`);
    expect(await verifier.locator('main form[method="post" i]').count()).toBeGreaterThan(0);
    await verifier.context().close();

    const token = await csrfOf(page);
    expect(token.length).toBeGreaterThan(10);
    const forged = await page.request.post(`/temuan/${f.id}/status`, {
      form: { _csrf: token, status: 'in_review', catatan: 'dipalsukan oleh pembaca' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('Tidak berwenang');
    const assign = await page.request.post(`/temuan/${f.id}/tugaskan`, {
      form: { _csrf: token, kepada: 'budi' },
      maxRedirects: 0,
    });
    expect(assign.status()).toBe(403);
    expect(await findingState(f.id)).toEqual(before);
    await page.context().close();
  });

  it('a form post without the CSRF token is refused (403) and changes nothing; POST /keluar keeps the session', async () => {
    const f = await openFinding();
    const before = await findingState(f.id);
    const page = await newPage(world, { user: 'vera' });
    await page.goto(`/temuan/${f.id}`);
    // A script on the page posting the form fields without the token, as a forged form would.
    const fromPage = await page.evaluate(async (id) => {
      const r = await fetch(`/temuan/${id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ status: 'in_review', catatan: 'tanpa token' }).toString(),
        redirect: 'manual',
      });
      return { status: r.status, text: await r.text() };
    }, f.id);
    expect(fromPage.status).toBe(403);
    expect(fromPage.text).toContain('Formulir tidak sah');
    // A wrong token is no better than none.
    const wrong = await page.request.post(`/temuan/${f.id}/status`, {
      form: { _csrf: 'bukan-token-yang-sah', status: 'in_review', catatan: 'token palsu' },
      maxRedirects: 0,
    });
    expect(wrong.status()).toBe(403);
    expect(await findingState(f.id)).toEqual(before);

    const { tokenHash } = await sessionRow(page);
    const logout = await page.request.post('/keluar', { form: {}, maxRedirects: 0 });
    expect(logout.status()).toBe(403);
    expect((await world.db('web_sessions').where({ token_hash: tokenHash }).first()).ended_at).toBeNull();
    await page.goto('/');
    expect(path(page)).toBe('/');
    await page.context().close();
  });
});

describe('an XSS payload in a business name renders as text', () => {
  it('on the partnership, the filtered list, the NIB page and a finding about it', async () => {
    // A partnership with an open finding whose large business (UB) has as few partnerships as possible.
    const picked = await world.db.raw(`
      select f.id as finding_id, k.id_kemitraan, k.nib_ub
        from findings f
        join kemitraan k on k.id_kemitraan = f.entity_id and k.deleted_at is null
        join pelaku_usaha p on p.nib = k.nib_ub
       where f.entity_type = 'kemitraan' and f.status = 'open'
       order by (select count(*) from kemitraan k2 where k2.nib_ub = k.nib_ub), f.id
       limit 1`);
    const target = picked.rows[0] as { finding_id: number; id_kemitraan: string; nib_ub: string };
    expect(target).toBeDefined();
    await world.db('kemitraan').where({ id_kemitraan: target.id_kemitraan }).update({ nama_ub: XSS });
    await world.db('pelaku_usaha').where({ nib: target.nib_ub }).update({ nama_perseroan: XSS });
    // Finding messages quote the parties' names as they were when the rule fired.
    await world
      .db('findings')
      .where({ id: target.finding_id })
      .update({ message: world.db.raw(`message || ' (' || ? || ')'`, [XSS]) });

    const page = await newPage(world, { user: 'vera' });
    const expectInert = async (what: string) => {
      expect(
        await page.getByText(XSS).filter({ visible: true }).count(),
        `${what}: the payload is shown as text`,
      ).toBeGreaterThan(0);
      expect(
        await page.evaluate(() => (window as { __xss?: unknown }).__xss),
        `${what}: no script ran`,
      ).toBeUndefined();
      expect(await page.locator('img[src="x"]').count(), `${what}: no <img> was made from the payload`).toBe(0);
      const csp = consoleErrors(page).filter((e) => /Content Security Policy/i.test(e));
      expect(csp, `${what}: no CSP violation (markup from the payload would cause one)`).toEqual([]);
    };

    await page.goto(`/kemitraan/${encodeURIComponent(target.id_kemitraan)}`);
    await expectInert('Kemitraan detail');

    await page.goto('/kemitraan');
    const search = page.getByRole('searchbox', { name: /Cari/ });
    await search.fill(target.id_kemitraan);
    await Promise.all([page.waitForURL((u) => u.pathname === '/kemitraan' && u.search !== ''), search.press('Enter')]);
    expect(await page.locator('main').textContent()).toContain(target.id_kemitraan);
    await expectInert('Kemitraan list filtered to it');

    await page.goto(`/pelaku-usaha/${target.nib_ub}`);
    await expectInert('NIB page of its UB');

    await page.goto(`/temuan/${target.finding_id}`);
    await expectInert('a finding about it');
    await page.context().close();
  });
});

/** The security headers every console page must carry. */
async function checkHeaders(url: string, res: Response | null) {
  expect(res, url).not.toBeNull();
  const h = await res!.allHeaders();
  const csp = h['content-security-policy'] ?? '';
  const scriptSrc =
    csp
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src ')) ?? '';
  expect(scriptSrc, `${url}: CSP script-src`).toMatch(/^script-src 'self'/);
  expect(scriptSrc, url).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(csp, url).toMatch(/frame-ancestors 'none'/);
  expect(h['x-frame-options'], url).toBe('DENY');
  expect(h['referrer-policy'], url).toMatch(/^(same-origin|no-referrer|strict-origin(-when-cross-origin)?)$/);
  expect(h['x-content-type-options'], url).toBe('nosniff');
}

describe('security headers and cookies', () => {
  it('every page sends a CSP without inline scripts, X-Frame-Options and Referrer-Policy; cookies are HttpOnly and SameSite', async () => {
    const f = await openFinding();
    const k = await world
      .db('kemitraan')
      .whereNull('deleted_at')
      .orderBy('id_kemitraan')
      .first('id_kemitraan', 'nib_ub');
    const page = await newPage(world);
    await checkHeaders('/masuk', await page.goto('/masuk'));
    await login(page, world, 'admin');
    const pages = [
      '/',
      '/kemitraan',
      `/kemitraan/${encodeURIComponent(k.id_kemitraan)}`,
      '/pelaku-usaha',
      `/pelaku-usaha/${k.nib_ub}`,
      '/temuan',
      `/temuan/${f.id}`,
      '/sinkronisasi',
      '/impor',
      '/pengguna',
    ];
    for (const url of pages) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      await checkHeaders(url, res);
    }
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name)).toContain(SESSION_COOKIE);
    for (const c of cookies) {
      expect(c.httpOnly, c.name).toBe(true);
      expect(['Lax', 'Strict'], c.name).toContain(c.sameSite);
    }
    expect(cookies.find((c) => c.name === SESSION_COOKIE)?.sameSite).toBe('Lax');
    await page.context().close();
  });

  it('the page for an unknown address (404) carries the same headers, signed in or not', async () => {
    const page = await newPage(world);
    const anonymous = await page.goto('/tidak-ada-halaman-ini');
    expect(anonymous?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('tidak ditemukan');
    await checkHeaders('/tidak-ada-halaman-ini (signed out)', anonymous);
    await login(page, world, 'budi');
    await checkHeaders('/tidak-ada-halaman-ini', await page.goto('/tidak-ada-halaman-ini'));
    await checkHeaders('/kemitraan/K-TIDAK-ADA', await page.goto('/kemitraan/K-TIDAK-ADA'));
    await page.context().close();
  });

  it('behind a TLS proxy (TRUST_PROXY=true, X-Forwarded-Proto: https) the session cookie is Secure; over plain HTTP it is not', async () => {
    const proxied = await world.serve({ TRUST_PROXY: 'true' });
    const setCookiesOfLogin = async (headers: Record<string, string>) => {
      const form = await fetch(`${proxied.url}/masuk`, { headers });
      const html = await form.text();
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      expect(token, 'the login form carries a CSRF token').toBeDefined();
      const cookie = form.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const res = await fetch(`${proxied.url}/masuk`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token!, username: 'vera', password: world.users.vera.password, next: '/' }),
      });
      expect(res.status).toBe(303);
      const session = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
      expect(session, 'the login sets the session cookie').toBeDefined();
      return session!.split(';').map((p) => p.trim().toLowerCase());
    };
    const overTls = await setCookiesOfLogin({ 'x-forwarded-proto': 'https' });
    expect(overTls).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
    const plain = await setCookiesOfLogin({});
    expect(plain).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']));
    expect(plain).not.toContain('secure');
    await proxied.stop();
  });
});

describe('single sign-on through a reverse proxy (AUTH_PROXY_HEADER)', () => {
  it('with TRUST_PROXY the header of an existing user signs in without a password; an unknown name does not', async () => {
    const sso = await world.serve({ TRUST_PROXY: 'true', AUTH_PROXY_HEADER: 'X-Remote-User' });
    const page = await newPage(world);
    await page.setExtraHTTPHeaders({ 'X-Remote-User': 'vera' });
    await page.goto(`${sso.url}/`);
    expect(path(page)).toBe('/');
    expect(await page.getByRole('heading', { level: 1, name: 'Beranda', exact: true }).count()).toBe(1);
    expect(await page.locator('header').textContent()).toContain('Vera Lestari');
    expect(await sessionCookie(page)).toBeUndefined();

    await page.setExtraHTTPHeaders({ 'X-Remote-User': 'tidak-dikenal' });
    await page.goto(`${sso.url}/`);
    expect(path(page)).toBe('/masuk');
    await page.context().close();
    await sso.stop();
  });

  it('without TRUST_PROXY the header is ignored', async () => {
    const direct = await world.serve({ AUTH_PROXY_HEADER: 'X-Remote-User' });
    const page = await newPage(world);
    await page.setExtraHTTPHeaders({ 'X-Remote-User': 'admin' });
    await page.goto(`${direct.url}/`);
    expect(path(page)).toBe('/masuk');
    await page.goto(`${direct.url}/pengguna`);
    expect(path(page)).toBe('/masuk');
    await page.context().close();
    await direct.stop();
  });
});
