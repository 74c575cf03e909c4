/*
 * The console over HTTP as a browser without JavaScript uses it: a cookie jar, forms posted as a browser posts them
 * (with the CSRF token read from a page's form), the Impor upload as multipart, no redirects followed.
 *
 *   const budi = await signIn(world.url, 'budi', world.users.budi.password);
 *   const { admin, vera } = await signInUsers(world, ['admin', 'vera'], { tokenFrom: '/sinkronisasi' });
 *   const page = await budi.get('/');          { status, headers, location, bytes, html, text }
 *   await vera.post('/peluang-kemitraan/kesiapan', { nib, status: 'siap' });     the token from `tokenFrom`
 *   await vera.post(path, fields, { token: null });                              a forged post, no token
 *   await admin.upload('DP Proyek.csv', content);                                the Impor form
 *   textOf(html)                               the text a person reads of a page or a piece of one
 */
import { expect } from 'vitest';
import type { ConsoleWorld } from './browser.js';

/** One answer of the console, as the browser got it. */
export interface ConsoleResponse {
  status: number;
  headers: Headers;
  location: string | null;
  /** The body as sent (a download's bytes). */
  bytes: Buffer;
  /** The body as UTF-8 text. */
  html: string;
  /** textOf(html). */
  text: string;
}

export interface ConsoleClientOptions {
  /** The page whose form gives post() its CSRF token (every page has the sign-out form); default `/`. */
  tokenFrom?: string;
}

/** A browser without JavaScript: a cookie jar, forms posted as a browser posts them, no redirects followed. */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  private readonly tokenFrom: string;

  constructor(
    readonly base: string,
    opts: ConsoleClientOptions = {},
  ) {
    this.tokenFrom = opts.tokenFrom ?? '/';
  }

  async request(path: string, init: RequestInit = {}): Promise<ConsoleResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const html = bytes.toString('utf8');
    return {
      status: res.status,
      headers: res.headers,
      location: res.headers.get('location'),
      bytes,
      html,
      text: textOf(html),
    };
  }

  get(path: string): Promise<ConsoleResponse> {
    return this.request(path);
  }

  /** A CSRF token of this browser, read from a page's form (a refusal page has the sign-out form too). */
  async token(from = this.tokenFrom): Promise<string> {
    const page = await this.get(from);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.html);
    if (!m) throw new Error(`no CSRF field on ${from} (${page.status})`);
    return m[1]!;
  }

  /** A form post: the token first (read with token() unless given; `null` sends none), then the fields in order. */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    opts: { token?: string | null } = {},
  ): Promise<ConsoleResponse> {
    const body = new URLSearchParams();
    const token = opts.token === undefined ? await this.token() : opts.token;
    if (token !== null) body.append('_csrf', token);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.request(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** The Impor upload form as a browser sends it: multipart, the token in the form's action URL. */
  async upload(name: string, content: Buffer, fields: Record<string, string> = {}): Promise<ConsoleResponse> {
    const token = await this.token('/impor');
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('berkas', new Blob([new Uint8Array(content)]), name);
    return this.request(`/impor?_csrf=${encodeURIComponent(token)}`, { method: 'POST', body: form });
  }
}

/**
 * The text a person reads: scripts, charts (svg) and tags dropped, entities decoded, white space collapsed;
 * `tightPunctuation` also drops the space left before , ; . ) by a closing tag.
 */
export function textOf(html: string, opts: { tightPunctuation?: boolean } = {}): string {
  const text = html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
  return (opts.tightPunctuation ? text.replace(/ ([;,.)])/g, '$1') : text).trim();
}

/** Signs in through the /masuk form (its token from the form) and expects the 303 past it. */
export async function signIn(
  base: string,
  username: string,
  password: string,
  opts: ConsoleClientOptions = {},
): Promise<ConsoleClient> {
  const c = new ConsoleClient(base, opts);
  const form = await c.get('/masuk');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!;
  const res = await c.post('/masuk', { username, password, next: '/' }, { token });
  expect(res.status, res.text).toBe(303);
  return c;
}

type WorldUserName = keyof ConsoleWorld['users'];

/** Signs the named accounts of the world in, one after another, on world.url. */
export async function signInUsers<const N extends WorldUserName>(
  world: ConsoleWorld,
  names: readonly N[],
  opts: ConsoleClientOptions = {},
): Promise<Record<N, ConsoleClient>> {
  const out = {} as Record<N, ConsoleClient>;
  for (const name of names) out[name] = await signIn(world.url, name, world.users[name].password, opts);
  return out;
}
