/*
 * Pelaku usaha (NIB): the list (search by NIB or name, filters, paging) and one NIB with its identity, shareholders
 * and persons in charge (identity numbers masked), projects with their locations and licences, partnerships as UB
 * and as UMKM, and findings. A NIB without a stored document gets a note (not found in OSS, or still queued)
 * rather than a 404 when oss-sync knows it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  JENIS_IZIN,
  JENIS_PELAKU_USAHA,
  JENIS_PERSEROAN,
  POLA_KEMITRAAN,
  SKALA_RESIKO,
  SKALA_USAHA,
  STATUS_IZIN,
  STATUS_KEMITRAAN,
  STATUS_NIB,
  STATUS_PENANAMAN_MODAL,
} from '../../domain/codes.js';
import { fmtDecimal, fmtId, fmtRupiah } from '../../domain/format.js';
import {
  type BusinessDetail,
  type BusinessFamilies,
  type BusinessListRow,
  businessFamilies,
  businessFindings,
  businessPartnerships,
  type Counted,
  getBusiness,
  listBusinesses,
  type NibStatus,
  nibStatus,
  type PartyPartnershipRow,
  type ProjectRow,
} from '../../store/browse.js';
import { dataTable, facts, pageNumber, pager, selectField, textField, timeText, withQuery } from '../components.js';
import { type ConsoleDeps, requireRole, sendPage } from '../context.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';
import { codeLabel, dateText, kbliText, kecamatanName, nibLink } from '../present.js';
import {
  findingsTable,
  ignoredNote,
  kecamatanOptions,
  MAX_PAGE,
  optionsOf,
  PAGE_SIZE,
  pageSchema,
  readQuery,
} from './partnerships.js';

/** Kinds of identity document (OSS list L4). */
const JENIS_IDENTITAS: Readonly<Record<string, string>> = {
  '01': 'KTP',
  '02': 'Paspor',
};

const codeOf = (table: Readonly<Record<string, string>>) =>
  z.string().refine((v) => Object.hasOwn(table, v), 'kode tidak dikenal');

const LIST_QUERY = {
  q: z.string().max(100),
  skala: codeOf(SKALA_USAHA),
  status: codeOf(STATUS_NIB),
  kecamatan: z.string().regex(/^\d{6}$/),
  halaman: pageSchema,
};

const LIST_LABELS: Readonly<Record<string, string>> = {
  q: 'pencarian',
  skala: 'skala usaha',
  status: 'status NIB',
  kecamatan: 'kecamatan',
  halaman: 'halaman',
};

const NIB_RE = /^\d{13}$/;

function listRows(rows: readonly BusinessListRow[]): HtmlValue[][] {
  return rows.map((b) => [
    nibLink(b.nib),
    b.nama_perseroan ?? '-',
    codeLabel(JENIS_PERSEROAN, b.jenis_perseroan),
    codeLabel(SKALA_USAHA, b.skala_usaha),
    codeLabel(STATUS_NIB, b.status_nib),
    kecamatanName(b.kd_kecamatan),
    b.as_ub > 0 || b.as_umkm > 0
      ? html`${b.as_ub > 0 ? html`${fmtId(b.as_ub)} sebagai UB` : ''}${b.as_ub > 0 && b.as_umkm > 0 ? html`<br>` : ''}${
          b.as_umkm > 0 ? html`${fmtId(b.as_umkm)} sebagai UMKM` : ''
        }`
      : '-',
  ]);
}

function yesNo(flag: string | null): string {
  if (flag === 'Y') return 'Ya';
  if (flag === 'N') return 'Tidak';
  return flag ?? '-';
}

function identitySection(b: BusinessDetail, timeZone: string): SafeHtml {
  const alamat = [
    b.alamat_perseroan,
    b.rt_rw_perseroan ? `RT/RW ${b.rt_rw_perseroan}` : null,
    b.kelurahan_perseroan,
    b.kd_kecamatan ? `Kec. ${kecamatanName(b.kd_kecamatan)}` : null,
    b.kode_pos_perseroan,
  ]
    .filter(Boolean)
    .join(', ');
  const npwp = b.npwp_masked
    ? html`${b.npwp_masked}${b.npwp_is_nik ? html` <span class="hint">(NPWP perorangan = NIK, disamarkan)</span>` : html` <span class="hint">(disamarkan)</span>`}${
        b.npwp_issues.length > 0 ? html` <span class="badge sev-warning">format tidak sesuai</span>` : ''
      }`
    : null;
  return html`<section class="card" aria-labelledby="identitas"><h2 id="identitas">Identitas</h2>${facts([
    ['Nama', b.nama_perseroan],
    ['Nama singkatan', b.nama_singkatan],
    ['NIB', b.nib],
    ['Jenis pelaku usaha', codeLabel(JENIS_PELAKU_USAHA, b.jenis_pelaku_usaha)],
    ['Jenis perseroan', codeLabel(JENIS_PERSEROAN, b.jenis_perseroan)],
    ['Skala usaha', codeLabel(SKALA_USAHA, b.skala_usaha)],
    ['Status penanaman modal', codeLabel(STATUS_PENANAMAN_MODAL, b.status_penanaman_modal)],
    ['Status NIB', codeLabel(STATUS_NIB, b.status_nib)],
    ['UMK (flag_umk)', yesNo(b.flag_umk)],
    ['Tanggal terbit NIB', dateText(b.tgl_terbit_nib)],
    ['Perubahan terakhir NIB', dateText(b.tgl_perubahan_nib)],
    ['Alamat', alamat],
    ['Daerah', b.perseroan_daerah_id],
    ['NPWP', npwp],
    ['Modal dasar', b.total_modal_dasar === null ? null : fmtRupiah(b.total_modal_dasar)],
    ['Modal ditempatkan', b.total_modal_ditempatkan === null ? null : fmtRupiah(b.total_modal_ditempatkan)],
    ['Terakhir disimpan', html`${timeText(b.updated_at, timeZone)} <span class="hint">(dari ${b.source})</span>`],
  ])}</section>`;
}

function peopleSection(f: BusinessFamilies): SafeHtml {
  return html`<section aria-labelledby="pemegang-saham"><h2 id="pemegang-saham">Pemegang saham</h2>
${dataTable({
  columns: [
    { label: 'Nama' },
    { label: 'Jabatan' },
    { label: 'Identitas (disamarkan)' },
    { label: 'Asal' },
    { label: 'Modal', numeric: true },
  ],
  rows: f.shareholders.map((s) => [
    s.nama_pemegang_saham ?? '-',
    s.jabatan_pemegang_saham ?? '-',
    identityText(s.jns_identitas_pemegang_saham, s.no_identitas_masked),
    s.flag_asing === 'Y' ? `Asing (${s.negara_asal_pemegang_saham ?? '-'})` : (s.negara_asal_pemegang_saham ?? '-'),
    fmtRupiah(s.total_modal_pemegang),
  ]),
  empty: 'Tidak ada data pemegang saham.',
})}</section>
<section aria-labelledby="penanggung-jawab"><h2 id="penanggung-jawab">Penanggung jawab</h2>
${dataTable({
  columns: [{ label: 'Nama' }, { label: 'Jabatan' }, { label: 'Identitas (disamarkan)' }, { label: 'Kebangsaan' }],
  rows: f.personsInCharge.map((p) => [
    p.nama_penanggung_jwb ?? '-',
    p.jabatan_penanggung_jwb ?? '-',
    identityText(p.jns_identitas_penanggung_jwb, p.no_identitas_masked),
    p.kebangsaan_penanggung_jwb ?? '-',
  ]),
  empty: 'Tidak ada data penanggung jawab.',
})}</section>`;
}

function identityText(kind: string | null, masked: string | null): string {
  if (!masked) return '-';
  const label = kind ? (JENIS_IDENTITAS[kind] ?? kind) : null;
  return label ? `${label} ${masked}` : masked;
}

function coordinates(lat: number | null, lng: number | null): string {
  if (lat === null || lng === null) return 'koordinat tidak ada';
  return `${fmtDecimal(lat, 6)}; ${fmtDecimal(lng, 6)}`;
}

function projectCard(p: ProjectRow, f: BusinessFamilies): SafeHtml {
  const locations = f.locations.filter((l) => l.id_proyek === p.id_proyek);
  const licences = f.licences.filter((l) => l.id_proyek === p.id_proyek);
  const headingId = `proyek-${p.id_proyek.replace(/[^A-Za-z0-9-]/g, '')}`;
  return html`<section class="card" aria-labelledby="${headingId}">
<h3 id="${headingId}">Proyek ${p.id_proyek}</h3>
${facts([
  ['Kegiatan', p.nama_kegiatan ?? p.uraian_usaha],
  ['KBLI', kbliText(p.kbli)],
  ['Tingkat risiko', codeLabel(SKALA_RESIKO, p.skala_resiko)],
  ['Skala usaha', codeLabel(SKALA_USAHA, p.skala_usaha)],
  ['Investasi', fmtRupiah(p.jumlah_investasi)],
  [
    'Penanggung jawab proyek',
    p.nama_pj ? `${p.nama_pj}${p.no_identitas_pj_masked ? ` (${p.no_identitas_pj_masked})` : ''}` : null,
  ],
])}
<h4>Lokasi</h4>
${dataTable({
  columns: [
    { label: 'ID lokasi' },
    { label: 'Alamat' },
    { label: 'Kecamatan' },
    { label: 'Koordinat (lintang; bujur)' },
  ],
  rows: locations.map((l) => [
    l.id_proyek_lokasi,
    l.alamat_usaha ?? '-',
    l.kd_kecamatan
      ? `${kecamatanName(l.kd_kecamatan)} (${l.proyek_daerah_id ?? l.kd_kecamatan})`
      : (l.proyek_daerah_id ?? '-'),
    coordinates(l.lat, l.lng),
  ]),
  empty: 'Tidak ada lokasi proyek.',
})}
<h4>Perizinan</h4>
${licenceTable(licences, 'Tidak ada perizinan untuk proyek ini.')}
</section>`;
}

function licenceTable(licences: BusinessFamilies['licences'], empty: string): SafeHtml {
  return dataTable({
    columns: [
      { label: 'ID izin' },
      { label: 'Jenis' },
      { label: 'Nama izin' },
      { label: 'Status' },
      { label: 'Tanggal' },
    ],
    rows: licences.map((l) => [
      html`${l.id_izin}${l.no_izin ? html`<br><span class="hint">No. ${l.no_izin}</span>` : ''}`,
      codeLabel(JENIS_IZIN, l.jenis_izin),
      html`${l.nama_izin ?? '-'}${l.instansi ? html`<br><span class="hint">${l.instansi}</span>` : ''}`,
      l.kd_status
        ? codeLabel(STATUS_IZIN, l.kd_status) === l.kd_status && l.uraian_status
          ? `${l.kd_status} ${l.uraian_status}`
          : codeLabel(STATUS_IZIN, l.kd_status)
        : (l.uraian_status ?? '-'),
      dateText(l.tgl_izin),
    ]),
    empty,
  });
}

function projectsSection(f: BusinessFamilies): SafeHtml {
  const known = new Set(f.projects.map((p) => p.id_proyek));
  const loose = f.licences.filter((l) => !l.id_proyek || !known.has(l.id_proyek));
  return html`<section aria-labelledby="proyek"><h2 id="proyek">Proyek, lokasi dan perizinan</h2>
${f.projects.length === 0 ? html`<p class="empty">Tidak ada proyek.</p>` : f.projects.map((p) => projectCard(p, f))}
${loose.length > 0 ? html`<h3>Perizinan tanpa proyek tersimpan</h3>${licenceTable(loose, '')}` : ''}
</section>`;
}

function partnershipList(
  title: string,
  headingId: string,
  result: Counted<PartyPartnershipRow>,
  partnerLabel: string,
  allHref: string,
): SafeHtml {
  const count = result.atLeast ? `lebih dari ${fmtId(result.total)}` : fmtId(result.total);
  return html`<section aria-labelledby="${headingId}"><h2 id="${headingId}">${title} (${count})</h2>
${dataTable({
  columns: [
    { label: 'ID kemitraan' },
    { label: partnerLabel },
    { label: 'Pola' },
    { label: 'Status' },
    { label: 'Mulai' },
    { label: 'Nilai', numeric: true },
  ],
  rows: result.rows.map((k) => [
    html`<a href="/kemitraan/${encodeURIComponent(k.id_kemitraan)}">${k.id_kemitraan}</a>`,
    k.nib_mitra
      ? html`${k.nama_mitra ?? '-'}<br>${nibLink(k.nib_mitra)}`
      : html`${k.nama_mitra ?? '-'}<br><span class="hint">perorangan (tanpa NIB)</span>`,
    codeLabel(POLA_KEMITRAAN, k.pola_kemitraan),
    codeLabel(STATUS_KEMITRAAN, k.status_kemitraan),
    dateText(k.tgl_mulai),
    fmtRupiah(k.nilai_kemitraan),
  ]),
  empty: 'Tidak ada.',
})}
${
  result.total > result.rows.length ? html`<p><a href="${allHref}">Lihat semua di daftar kemitraan ›</a></p>` : ''
}</section>`;
}

/** The note of a NIB oss-sync knows without a stored document. */
function missingNote(nib: string, status: NibStatus, timeZone: string): SafeHtml {
  if (status.notFound) {
    return html`<div class="flash flash-error" role="status">OSS menjawab NIB ${nib} tidak ditemukan${
      status.notFound.keterangan ? html` ("${status.notFound.keterangan}")` : ''
    }: pertama kali ${timeText(status.notFound.first_seen_at, timeZone)}, terakhir diperiksa
      ${timeText(status.notFound.last_checked_at, timeZone)}. Tidak ada dokumen NIB yang dapat ditampilkan.</div>`;
  }
  if (status.queued) {
    return html`<div class="flash flash-info" role="status">Dokumen NIB ${nib} belum diambil dari OSS: NIB ini menunggu
      di antrean sejak ${timeText(status.queued.enqueued_at, timeZone)} (${status.queued.reason}${
        status.queued.attempts > 0 ? html`, ${fmtId(status.queued.attempts)} kali dicoba` : ''
      }). Dokumennya tampil di sini setelah sinkronisasi berikutnya.</div>`;
  }
  return html`<div class="flash flash-info" role="status">Dokumen NIB ${nib} belum tersimpan di oss-sync; NIB ini hanya
    dikenal dari kemitraan di bawah.</div>`;
}

export async function businessPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const tz = deps.config.sync.timezone;

  app.get('/pelaku-usaha', { preHandler: requireRole(deps, 'viewer') }, async (req, reply) => {
    const { values: v, ignored } = readQuery(LIST_QUERY, req.query);
    const page = pageNumber(v.halaman, MAX_PAGE);
    const result = await listBusinesses(deps.db, {
      q: v.q,
      skala: v.skala,
      statusNib: v.status,
      kdKecamatan: v.kecamatan,
      page,
      pageSize: PAGE_SIZE,
    });
    const params = { q: v.q, skala: v.skala, status: v.status, kecamatan: v.kecamatan };
    const body = html`
<form method="get" action="/pelaku-usaha" class="filters" role="search" aria-label="Cari dan saring pelaku usaha">
  ${textField({ name: 'q', label: 'Cari (NIB atau nama)', value: v.q, type: 'search' })}
  ${selectField({ name: 'skala', label: 'Skala usaha', options: optionsOf(SKALA_USAHA), selected: v.skala, any: 'Semua skala' })}
  ${selectField({ name: 'status', label: 'Status NIB', options: optionsOf(STATUS_NIB), selected: v.status, any: 'Semua status' })}
  ${selectField({ name: 'kecamatan', label: 'Kecamatan', options: kecamatanOptions(deps.config.oss.kdDaerah), selected: v.kecamatan, any: 'Semua kecamatan' })}
  <div class="actions"><button type="submit">Terapkan</button><a class="button secondary" href="/pelaku-usaha">Hapus filter</a></div>
</form>
<p id="jumlah"><strong>${result.atLeast ? `Lebih dari ${fmtId(result.total)}` : fmtId(result.total)}</strong> pelaku usaha cocok.</p>
${dataTable({
  columns: [
    { label: 'NIB' },
    { label: 'Nama' },
    { label: 'Jenis' },
    { label: 'Skala' },
    { label: 'Status NIB' },
    { label: 'Kecamatan' },
    { label: 'Kemitraan' },
  ],
  rows: listRows(result.rows),
  empty: 'Tidak ada pelaku usaha yang cocok dengan pencarian dan filter ini.',
})}
${pager({
  path: '/pelaku-usaha',
  params,
  page,
  pageSize: PAGE_SIZE,
  total: result.total,
  totalIsAtLeast: result.atLeast,
  shown: result.rows.length,
})}`;
    const flash = ignoredNote(ignored, LIST_LABELS);
    return sendPage(req, reply, deps, { title: 'Pelaku usaha', active: 'pelaku', body, ...(flash ? { flash } : {}) });
  });

  app.get<{ Params: { nib: string } }>(
    '/pelaku-usaha/:nib',
    { preHandler: requireRole(deps, 'viewer') },
    async (req, reply) => {
      const nib = req.params.nib;
      const notFound = () =>
        sendPage(req, reply, deps, {
          title: 'NIB tidak ditemukan',
          active: 'pelaku',
          status: 404,
          body: html`<p>oss-sync tidak mengenal NIB <code>${nib}</code>: tidak ada dokumen NIB, kemitraan, atau antrean
            dengan nomor itu. NIB terdiri dari 13 angka. Cari di <a href="${withQuery('/pelaku-usaha', {
              q: nib.slice(0, 100),
            })}">daftar pelaku usaha</a>.</p>`,
        });
      if (!NIB_RE.test(nib)) return notFound();
      const [business, asUb, asUmkm, findings] = await Promise.all([
        getBusiness(deps.db, nib),
        businessPartnerships(deps.db, nib, 'ub', PAGE_SIZE),
        businessPartnerships(deps.db, nib, 'umkm', PAGE_SIZE),
        businessFindings(deps.db, nib),
      ]);
      let head: SafeHtml;
      let families: BusinessFamilies | null = null;
      if (business) {
        families = await businessFamilies(deps.db, nib);
        head = html`${
          business.deleted_at
            ? html`<div class="flash flash-info" role="status">Dokumen NIB ini ditandai dihapus pada
                ${timeText(business.deleted_at, tz)}; datanya tetap disimpan.</div>`
            : ''
        }${identitySection(business, tz)}`;
      } else {
        const status = await nibStatus(deps.db, nib);
        if (!status.notFound && !status.queued && asUb.total === 0 && asUmkm.total === 0) return notFound();
        head = missingNote(nib, status, tz);
      }
      const partnershipLists = [
        asUb.total > 0 || business
          ? partnershipList(
              'Kemitraan sebagai UB',
              'sebagai-ub',
              asUb,
              'Mitra UMKM',
              withQuery('/kemitraan', { ub: nib }),
            )
          : '',
        asUmkm.total > 0 || business
          ? partnershipList(
              'Kemitraan sebagai UMKM',
              'sebagai-umkm',
              asUmkm,
              'Usaha besar (UB)',
              withQuery('/kemitraan', { q: nib }),
            )
          : '',
      ];
      const body = html`<p><a href="/pelaku-usaha">‹ Daftar pelaku usaha</a></p>
${head}
${families ? peopleSection(families) : ''}
${families ? projectsSection(families) : ''}
${partnershipLists}
<section aria-labelledby="temuan"><h2 id="temuan">Temuan</h2>
${findingsTable(findings, { type: 'pelaku_usaha', id: nib })}</section>`;
      const title = business?.nama_perseroan ? `${business.nama_perseroan} (NIB ${nib})` : `NIB ${nib}`;
      return sendPage(req, reply, deps, { title, active: 'pelaku', body });
    },
  );
}
