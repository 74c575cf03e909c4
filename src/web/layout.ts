/** The console's page shell: header with the menu the user's role may use, flash messages, main content, footer. */
import { regionName } from '../reference.js';
import type { Role, WebUser } from '../store/users.js';
import { type HtmlValue, html, type SafeHtml } from './html.js';
import { roleAllows } from './session.js';

export type NavKey =
  | 'beranda'
  | 'kemitraan'
  | 'pelaku'
  | 'temuan'
  | 'laporan'
  | 'peluang'
  | 'sinkronisasi'
  | 'impor'
  | 'pengguna';

interface NavItem {
  key: NavKey;
  href: string;
  label: string;
  role: Role;
}

/** The menu; an item shows only to roles that may open it. Pages added later append here. */
export const NAV: readonly NavItem[] = [
  { key: 'beranda', href: '/', label: 'Beranda', role: 'viewer' },
  { key: 'kemitraan', href: '/kemitraan', label: 'Kemitraan', role: 'viewer' },
  { key: 'pelaku', href: '/pelaku-usaha', label: 'Pelaku usaha', role: 'viewer' },
  { key: 'temuan', href: '/temuan', label: 'Temuan', role: 'viewer' },
  { key: 'laporan', href: '/laporan', label: 'Laporan', role: 'viewer' },
  { key: 'peluang', href: '/peluang-kemitraan', label: 'Peluang kemitraan', role: 'viewer' },
  { key: 'sinkronisasi', href: '/sinkronisasi', label: 'Sinkronisasi', role: 'admin' },
  { key: 'impor', href: '/impor', label: 'Impor', role: 'admin' },
  { key: 'pengguna', href: '/pengguna', label: 'Pengguna', role: 'admin' },
];

/** The Indonesian names of the roles. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  viewer: 'Pembaca',
  verifier: 'Verifikator',
  admin: 'Admin',
};

export interface LayoutInput {
  title: string;
  active: NavKey | null;
  user: WebUser | null;
  /** The CSRF field of the sign-out form; null: no sign-out button (not signed in, or signed in by the proxy). */
  signOut: SafeHtml | null;
  flashes: ReadonlyArray<{ kind: string; text: string }>;
  region: string;
  body: HtmlValue;
}

export function renderLayout(p: LayoutInput): SafeHtml {
  const user = p.user;
  const items = user ? NAV.filter((n) => roleAllows(user.role, n.role)) : [];
  return html`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title} · oss-sync ${regionName(p.region)}</title>
<link rel="stylesheet" href="/assets/console.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script src="/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#konten">Lewati ke konten</a>
<header class="top">
  <a class="brand" href="/">oss-sync <span>DPMPTSP ${regionName(p.region)}</span></a>
  ${
    items.length > 0
      ? html`<nav aria-label="Menu utama"><ul>${items.map(
          (n) =>
            html`<li><a href="${n.href}"${n.key === p.active ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
        )}</ul></nav>`
      : ''
  }
  ${
    user
      ? html`<div class="who"><span>${user.fullName ?? user.username} · ${ROLE_LABELS[user.role]}</span>${
          p.signOut
            ? html`<form method="post" action="/keluar">${p.signOut}<button type="submit" class="link">Keluar</button></form>`
            : ''
        }</div>`
      : ''
  }
</header>
<main id="konten">
<h1>${p.title}</h1>
${p.flashes.map((f) => html`<div class="flash flash-${f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">${f.text}</div>`)}
${p.body}
</main>
<footer>Waktu ditampilkan dalam WIB · Data dari OSS RBA dan ekspor dasbor OSS · oss-sync</footer>
</body>
</html>`;
}
