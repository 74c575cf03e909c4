/** Partnership (kemitraan) rules, catalogue section "Partnership". */
import { POLA_KEMITRAAN, SKALA_USAHA, STATUS_NIB } from '../domain/codes.js';
import { kbliTitle, parties, today, wibDate, ymd } from './fragments.js';
import { jsonb, labelled, lit, num, textArray } from './sql.js';
import type { Rule, RuleSqlContext } from './types.js';

const K_SCOPE = (ctx: RuleSqlContext, alias = 'k') =>
  `${alias}.deleted_at is null and ${ctx.inScope('kemitraan', `${alias}.id_kemitraan`)}`;

/** The two parties of `k` as rows (kolom, pihak, nib, nama) of a lateral VALUES list. */
const PARTY_ROWS = (k: string) =>
  `(values ('nib_ub', 'usaha besar', ${k}.nib_ub, ${k}.nama_ub), ('nib_umkm', 'mitra UMKM', ${k}.nib_umkm, ${k}.nama_umkm))`;

export const PARTNER_NIB_NOT_FOUND: Rule = {
  code: 'PARTNER_NIB_NOT_FOUND',
  severity: 'error',
  title: 'NIB pihak kemitraan tidak ditemukan di OSS',
  description: 'nib_ub atau nib_umkm tidak ada di OSS: inqueryNIB menjawab 400 "Data NIB tidak ditemukan".',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'nib_not_found'],
      message:
        'NIB {ringkasan} pada kemitraan {entity_id} tidak ditemukan di OSS (inqueryNIB: "Data NIB tidak ditemukan"); keberadaan pihak ini perlu diverifikasi.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('tidak_ditemukan', jsonb_agg(jsonb_build_object('kolom', v.kolom, 'nib', v.nib,
                 'nama_di_kesepakatan', v.nama, 'jawaban_oss', f.keterangan,
                 'sejak', ${ymd(wibDate('f.first_seen_at'))}) order by v.kolom)) as evidence,
               jsonb_build_object('ringkasan', string_agg(v.pihak || ' ' || v.nib || coalesce(' (' || v.nama || ')', ''), ' dan ' order by v.kolom)) as params,
               null::text[] as related
          from (select * from kemitraan k
                 where ${K_SCOPE(ctx)}
                   and (k.nib_ub in (select f.nib from nib_not_found f) or k.nib_umkm in (select f.nib from nib_not_found f))) k
          cross join lateral ${PARTY_ROWS('k')} v(kolom, pihak, nib, nama)
          join nib_not_found f on f.nib = v.nib
         group by k.id_kemitraan`,
    },
  ],
};

export const PARTNER_NIB_INACTIVE: Rule = {
  code: 'PARTNER_NIB_INACTIVE',
  severity: 'error',
  title: 'NIB pihak kemitraan dibekukan atau dicabut',
  description: 'status_nib usaha besar atau mitra UMKM di OSS adalah 05 Dibekukan atau 06 Dicabut.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha'],
      message:
        'Pada kemitraan {entity_id}, {ringkasan} di OSS; kemitraan dengan pelaku usaha yang NIB-nya dibekukan atau dicabut tidak dapat berjalan sah.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('pihak', jsonb_agg(jsonb_build_object('kolom', v.kolom, 'nib', v.nib, 'nama', p.nama_perseroan,
                 'status_nib', p.status_nib) order by v.kolom)) as evidence,
               jsonb_build_object('ringkasan', string_agg(v.pihak || ' ' || coalesce(p.nama_perseroan, v.nama, '-') || ' (NIB ' || v.nib
                 || ') berstatus ' || ${labelled(STATUS_NIB, 'p.status_nib')}, ' dan ' order by v.kolom)) as params,
               null::text[] as related
          from (select * from kemitraan k
                 where ${K_SCOPE(ctx)}
                   and (k.nib_ub in (select i.nib from pelaku_usaha i where i.status_nib in ('05', '06') and i.deleted_at is null)
                        or k.nib_umkm in (select i.nib from pelaku_usaha i where i.status_nib in ('05', '06') and i.deleted_at is null))) k
          cross join lateral ${PARTY_ROWS('k')} v(kolom, pihak, nib, nama)
          join pelaku_usaha p on p.nib = v.nib and p.deleted_at is null and p.status_nib in ('05', '06')
         group by k.id_kemitraan`,
    },
  ],
};

export const PARTNER_NOT_UMKM: Rule = {
  code: 'PARTNER_NOT_UMKM',
  severity: 'error',
  title: 'Mitra UMKM bukan UMKM',
  description:
    'Mitra UMKM tercatat berskala 04 Besar di OSS (atau dinyatakan Besar dalam kesepakatan), atau skala yang dinyatakan dalam kesepakatan berbeda dengan skala di OSS.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha'],
      message: 'Mitra UMKM ({pihak}) {uraian}.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nib_umkm', k.nib_umkm, 'nik_umkm_masked', k.nik_umkm_masked,
                 'nama_umkm', coalesce(p.nama_perseroan, k.nama_umkm), 'skala_usaha_umkm', k.skala_usaha_umkm,
                 'skala_usaha_oss', p.skala_usaha) as evidence,
               jsonb_build_object(
                 'pihak', coalesce('NIB ' || k.nib_umkm, 'NIK ' || k.nik_umkm_masked, 'tanpa NIB') || ', ' || coalesce(p.nama_perseroan, k.nama_umkm, '-'),
                 'uraian', case
                   when p.skala_usaha = '04' then 'tercatat berskala Besar (04) di OSS'
                        || case when k.skala_usaha_umkm is not null and k.skala_usaha_umkm <> '04'
                                then ' (dalam kesepakatan dinyatakan ' || ${labelled(SKALA_USAHA, 'k.skala_usaha_umkm')} || ')' else '' end
                        || '; kemitraan ini tidak memenuhi syarat UMKM'
                   when k.skala_usaha_umkm = '04' then 'dinyatakan berskala Besar (04) dalam kesepakatan; kemitraan ini tidak memenuhi syarat UMKM'
                   else 'dinyatakan berskala ' || ${labelled(SKALA_USAHA, 'k.skala_usaha_umkm')} || ' dalam kesepakatan, tetapi di OSS tercatat '
                        || ${labelled(SKALA_USAHA, 'p.skala_usaha')} || '; skala dalam kesepakatan tidak sesuai dengan OSS'
                 end) as params,
               null::text[] as related
          from kemitraan k
          left join pelaku_usaha p on p.nib = k.nib_umkm and p.deleted_at is null
         where ${K_SCOPE(ctx)}
           and (p.skala_usaha = '04' or k.skala_usaha_umkm = '04' or k.skala_usaha_umkm <> p.skala_usaha)`,
    },
  ],
};

export const UB_NOT_LARGE: Rule = {
  code: 'UB_NOT_LARGE',
  severity: 'warning',
  title: 'Usaha besar bukan berskala Besar',
  description: 'Pihak usaha besar (nib_ub) tidak tercatat berskala 04 Besar di OSS.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha'],
      message:
        'Usaha besar pada kemitraan {entity_id} (NIB {nib_ub}, {nama_ub}) tercatat berskala {skala} di OSS, bukan Besar (04); kemitraan UMKM mensyaratkan mitra usaha besar.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nib_ub', k.nib_ub, 'nama_ub', coalesce(p.nama_perseroan, k.nama_ub), 'skala_usaha_oss', p.skala_usaha) as evidence,
               jsonb_build_object('skala', ${labelled(SKALA_USAHA, 'p.skala_usaha')}) as params,
               null::text[] as related
          from kemitraan k
          join pelaku_usaha p on p.nib = k.nib_ub and p.deleted_at is null
         where ${K_SCOPE(ctx)} and p.skala_usaha is not null and p.skala_usaha <> '04'`,
    },
  ],
};

export const UMKM_OUTSIDE_REGION: Rule = {
  code: 'UMKM_OUTSIDE_REGION',
  severity: 'warning',
  title: 'Mitra UMKM berdomisili di luar wilayah',
  description:
    'Domisili mitra UMKM (perseroan_daerah_id) berada di luar wilayah yang diverifikasi; yang dihitung wilayah adalah kemitraan dengan UMKM lokal.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha'],
      message:
        'Mitra UMKM (NIB {nib_umkm}, {nama_umkm}) pada kemitraan {entity_id} berdomisili di luar {wilayah_nama} (kode domisili {perseroan_daerah_id}, {domisili}); kemitraan ini tidak dihitung sebagai kemitraan dengan UMKM lokal.',
      sql: (ctx) => {
        const names = jsonb(ctx.reference.regionNames);
        return `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nib_umkm', k.nib_umkm, 'nama_umkm', coalesce(p.nama_perseroan, k.nama_umkm),
                 'perseroan_daerah_id', p.perseroan_daerah_id, 'wilayah', ${lit(ctx.region)}) as evidence,
               jsonb_build_object('wilayah_nama', ${lit(ctx.regionName)},
                 'domisili', coalesce((${names} ->> left(p.perseroan_daerah_id, 4)) || ', ' || (${names} ->> left(p.perseroan_daerah_id, 2)),
                                      ${names} ->> left(p.perseroan_daerah_id, 2), 'wilayah tidak dikenal')) as params,
               null::text[] as related
          from kemitraan k
          join pelaku_usaha p on p.nib = k.nib_umkm and p.deleted_at is null
         where ${K_SCOPE(ctx)} and p.perseroan_daerah_id is not null
           and left(p.perseroan_daerah_id, ${ctx.region.length}) <> ${lit(ctx.region)}`;
      },
    },
  ],
};

export const PARTNER_AFFILIATED: Rule = {
  code: 'PARTNER_AFFILIATED',
  severity: 'error',
  title: 'Usaha besar dan mitra UMKM terafiliasi',
  description:
    'Usaha besar dan mitra UMKM berbagi pemegang saham atau penanggung jawab (nomor identitas yang sama), atau NPWP yang sama: UMKM tidak berdiri sendiri.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha', 'pemegang_saham', 'penanggung_jawab'],
      message:
        'Usaha besar dan mitra UMKM pada kemitraan {entity_id} ({pihak}) memiliki identitas yang sama: {ringkasan}. UMKM tidak berdiri sendiri, sehingga kemitraan ini tidak memenuhi syarat.',
      sql: (ctx) => {
        // Incremental: identities of the scoped partnerships' parties only; full: every identity (no filter).
        const partyFilter = ctx.scoped
          ? (col: string) => `and ${col} in (select k.nib_ub from kemitraan k where ${K_SCOPE(ctx)}
                                        union select k.nib_umkm from kemitraan k where ${K_SCOPE(ctx)})`
          : () => '';
        return `
        with ids as (
          select s.nib, s.no_identitas_hash as h, 'pemegang saham' as peran, s.nama_pemegang_saham as nama, s.no_identitas_masked as tampil
            from pemegang_saham s where s.deleted_at is null and s.no_identitas_hash is not null ${partyFilter('s.nib')}
          union all
          select s.nib, s.npwp_hash, 'pemegang saham (NPWP)', s.nama_pemegang_saham, null
            from pemegang_saham s where s.deleted_at is null and s.npwp_hash is not null ${partyFilter('s.nib')}
          union all
          select j.nib, j.no_identitas_hash, 'penanggung jawab', j.nama_penanggung_jwb, j.no_identitas_masked
            from penanggung_jawab j where j.deleted_at is null and j.no_identitas_hash is not null ${partyFilter('j.nib')}
          union all
          select j.nib, j.npwp_hash, 'penanggung jawab (NPWP)', j.nama_penanggung_jwb, null
            from penanggung_jawab j where j.deleted_at is null and j.npwp_hash is not null ${partyFilter('j.nib')}
          union all
          select p.nib, p.npwp_hash, 'NPWP badan/pelaku usaha', p.nama_perseroan, p.npwp_perseroan
            from pelaku_usaha p where p.deleted_at is null and p.npwp_hash is not null ${partyFilter('p.nib')}
        ), shared_ids as (
          -- Identities held in more than one business: the only ones that can link a UB to its UMKM (usually few).
          select i.* from ids i where i.h in (select h from ids group by h having count(distinct nib) > 1)
        ), shared as (
          select k.id_kemitraan, a.peran as peran_ub, a.nama as nama_ub, b.peran as peran_umkm, b.nama as nama_umkm,
                 coalesce(a.tampil, b.tampil, '(disamarkan)') as identitas
            from kemitraan k
            join shared_ids a on a.nib = k.nib_ub
            join shared_ids b on b.nib = k.nib_umkm and b.h = a.h
           where ${K_SCOPE(ctx)}
          union
          select k.id_kemitraan, a.peran, a.nama, 'mitra perorangan (NIK)', k.nama_umkm,
                 coalesce(a.tampil, k.nik_umkm_masked, '(disamarkan)')
            from kemitraan k join ids a on a.nib = k.nib_ub and a.h = k.nik_umkm_hash
           where ${K_SCOPE(ctx)} and k.nib_umkm is null
        )
        select s.id_kemitraan as entity_id,
               jsonb_build_object('nib_ub', min(k.nib_ub), 'nib_umkm', min(k.nib_umkm),
                 'identitas_sama', jsonb_agg(jsonb_build_object('di_ub', s.peran_ub || ' ' || coalesce(s.nama_ub, '-'),
                   'di_umkm', s.peran_umkm || ' ' || coalesce(s.nama_umkm, '-'), 'identitas', s.identitas)
                   order by s.peran_ub, s.nama_ub, s.peran_umkm, s.nama_umkm, s.identitas)) as evidence,
               jsonb_build_object('pihak', min(coalesce(k.nama_ub, k.nib_ub, '-') || ' – ' || coalesce(k.nama_umkm, k.nib_umkm, k.nik_umkm_masked, '-')),
                 'ringkasan', string_agg(s.peran_ub || ' ' || coalesce(s.nama_ub, '-') || ' di usaha besar = ' || s.peran_umkm || ' '
                   || coalesce(s.nama_umkm, '-') || ' di UMKM (' || s.identitas || ')', '; '
                   order by s.peran_ub, s.nama_ub, s.peran_umkm, s.nama_umkm, s.identitas)) as params,
               null::text[] as related
          from shared s join kemitraan k on k.id_kemitraan = s.id_kemitraan
         group by s.id_kemitraan`;
      },
    },
  ],
};

/** The skala usaha (01–04) a capital or sales amount falls in under the configured ceilings. */
const scaleOf = (amount: string, ceilings: { '01': number; '02': number; '03': number }) =>
  `case when ${amount} <= ${num(ceilings['01'])} then '01' when ${amount} <= ${num(ceilings['02'])} then '02'
        when ${amount} <= ${num(ceilings['03'])} then '03' else '04' end`;

export const SCALE_VS_CAPITAL: Rule = {
  code: 'SCALE_VS_CAPITAL',
  severity: 'warning',
  title: 'Skala usaha tidak sesuai modal usaha',
  description:
    'skala_usaha pelaku usaha bertentangan dengan batas modal usaha PP 7/2021 (mikro ≤ Rp1 M, kecil ≤ Rp5 M, menengah ≤ Rp10 M, besar di atasnya); modal = investasi proyek di luar tanah dan bangunan.',
  timeBased: false,
  checks: [
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha', 'proyek'],
      message:
        'Pelaku usaha {nama} (NIB {entity_id}) tercatat berskala {skala_oss}, tetapi modal usahanya {modal} (investasi {jumlah_proyek} proyek di luar tanah dan bangunan) termasuk skala {skala_hitung_label} menurut PP 7/2021.',
      sql: (ctx) => `
        with cap as (
          select pr.nib, count(*)::int as proyek, sum(pr.jumlah_investasi) as investasi,
                 sum(coalesce(pr.pembelian_pematang_tanah, 0)) as tanah, sum(coalesce(pr.bangunan_gedung, 0)) as bangunan,
                 sum(pr.jumlah_investasi - coalesce(pr.pembelian_pematang_tanah, 0) - coalesce(pr.bangunan_gedung, 0)) as modal
            from proyek pr
           where pr.deleted_at is null and pr.jumlah_investasi is not null and ${ctx.inScope('pelaku_usaha', 'pr.nib')}
           group by pr.nib
        )
        select p.nib as entity_id,
               jsonb_build_object('skala_usaha', p.skala_usaha, 'skala_menurut_modal', s.skala, 'modal_usaha', c.modal,
                 'jumlah_investasi', c.investasi, 'pembelian_pematang_tanah', c.tanah, 'bangunan_gedung', c.bangunan,
                 'jumlah_proyek', c.proyek) as evidence,
               jsonb_build_object('nama', coalesce(p.nama_perseroan, '-'), 'skala_oss', ${labelled(SKALA_USAHA, 'p.skala_usaha')},
                 'skala_hitung_label', ${labelled(SKALA_USAHA, 's.skala')}, 'modal', finding_rupiah(c.modal)) as params,
               null::text[] as related
          from pelaku_usaha p
          join cap c on c.nib = p.nib
          cross join lateral (select ${scaleOf('c.modal', ctx.config.scale_ceilings.capital)} as skala) s
         where p.deleted_at is null and p.skala_usaha in ('01', '02', '03', '04') and p.skala_usaha <> s.skala`,
    },
  ],
};

export const FLAG_UMK_VS_SCALE: Rule = {
  code: 'FLAG_UMK_VS_SCALE',
  severity: 'warning',
  title: 'Penanda UMK tidak sesuai skala usaha',
  description: 'flag_umk = Y dengan skala 03/04, atau flag_umk = N dengan skala 01/02.',
  timeBased: false,
  checks: [
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha'],
      message:
        'Pelaku usaha {nama} (NIB {entity_id}) bertanda flag_umk = {flag_umk} tetapi berskala {skala}; penanda UMK dan skala usaha di OSS saling bertentangan.',
      sql: (ctx) => `
        select p.nib as entity_id,
               jsonb_build_object('flag_umk', p.flag_umk, 'skala_usaha', p.skala_usaha) as evidence,
               jsonb_build_object('nama', coalesce(p.nama_perseroan, '-'), 'skala', ${labelled(SKALA_USAHA, 'p.skala_usaha')}) as params,
               null::text[] as related
          from pelaku_usaha p
         where p.deleted_at is null and ${ctx.inScope('pelaku_usaha', 'p.nib')}
           and ((upper(p.flag_umk) = 'Y' and p.skala_usaha in ('03', '04')) or (upper(p.flag_umk) = 'N' and p.skala_usaha in ('01', '02')))`,
    },
  ],
};

export const VALUE_IMPLAUSIBLE: Rule = {
  code: 'VALUE_IMPLAUSIBLE',
  severity: 'warning',
  title: 'Nilai kemitraan tidak wajar',
  description:
    'nilai_kemitraan ≤ 0, atau nilai per tahunnya melebihi batas hasil penjualan tahunan skala mitra UMKM (mikro Rp2 M, kecil Rp15 M, menengah Rp50 M).',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha'],
      message: 'Nilai kemitraan {entity_id} ({pihak}) tidak wajar: {uraian}.',
      sql: (ctx) => {
        const sales = ctx.config.scale_ceilings.annual_sales;
        return `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nilai_kemitraan', k.nilai_kemitraan, 'tgl_mulai', k.tgl_mulai, 'tgl_berakhir', k.tgl_berakhir,
                 'skala_umkm', d.skala, 'sumber_skala', d.sumber, 'nilai_per_tahun', round(v.per_tahun),
                 'batas_penjualan_tahunan', v.batas) as evidence,
               jsonb_build_object('pihak', ${parties('k')},
                 'uraian', case when k.nilai_kemitraan <= 0
                   then 'nilainya ' || finding_rupiah(k.nilai_kemitraan) || ', padahal nilai kemitraan harus lebih dari nol'
                   else 'nilainya ' || finding_rupiah(k.nilai_kemitraan)
                        || coalesce(' untuk ' || round(d.tahun, 1) || ' tahun', ' (tanpa tanggal berakhir)')
                        || ', setara ' || finding_rupiah(v.per_tahun) || ' per tahun, melebihi batas hasil penjualan tahunan usaha '
                        || ${labelled(SKALA_USAHA, 'd.skala')} || ' sebesar ' || finding_rupiah(v.batas) end) as params,
               null::text[] as related
          from kemitraan k
          left join pelaku_usaha p on p.nib = k.nib_umkm and p.deleted_at is null
          cross join lateral (
            select coalesce(p.skala_usaha, k.skala_usaha_umkm) as skala,
                   case when p.skala_usaha is not null then 'OSS' when k.skala_usaha_umkm is not null then 'kesepakatan' end as sumber,
                   case when k.tgl_berakhir >= k.tgl_mulai then (k.tgl_berakhir - k.tgl_mulai + 1) / 365.25 end as tahun
          ) d
          cross join lateral (
            select k.nilai_kemitraan / greatest(coalesce(d.tahun, 1), 1) as per_tahun,
                   (${jsonb(sales)} ->> d.skala)::numeric as batas
          ) v
         where ${K_SCOPE(ctx)} and k.nilai_kemitraan is not null
           and (k.nilai_kemitraan <= 0 or (v.batas is not null and v.per_tahun > v.batas))`;
      },
    },
  ],
};

/** A regex matching codes that start with one of `prefixes` (digits only, validated by the config schema). */
const prefixRegex = (prefixes: readonly string[]) => lit(`^(${prefixes.join('|')})`);

/**
 * The pattern × KBLI matrix as SQL over `k`: per pattern, a CASE yielding the problem keys ('kbli_ub', 'kbli_umkm',
 * 'pasokan'). Prefix lists become regexes (compiled once per statement) instead of per-row lookups.
 */
function patternProblems(ctx: RuleSqlContext): string | null {
  const five = (e: string) => `${e} ~ '^[0-9]{5}$'`;
  const branches: string[] = [];
  for (const [pola, rule] of Object.entries(ctx.config.pattern_kbli)) {
    const parts: string[] = [];
    if (rule.ub?.length)
      parts.push(`case when ${five('k.kbli_ub')} and k.kbli_ub !~ ${prefixRegex(rule.ub)} then 'kbli_ub' end`);
    if (rule.umkm?.length)
      parts.push(`case when ${five('k.kbli_umkm')} and k.kbli_umkm !~ ${prefixRegex(rule.umkm)} then 'kbli_umkm' end`);
    const byUb = Object.entries(rule.umkm_by_ub ?? {});
    if (byUb.length) {
      const applies = byUb.map(([ub]) => `k.kbli_ub ~ ${prefixRegex([ub])}`).join(' or ');
      const allowed = byUb
        .map(([ub, list]) => `(k.kbli_ub ~ ${prefixRegex([ub])} and k.kbli_umkm ~ ${prefixRegex(list)})`)
        .join(' or ');
      parts.push(
        `case when ${five('k.kbli_ub')} and ${five('k.kbli_umkm')} and (${applies}) and not (${allowed}) then 'pasokan' end`,
      );
    }
    if (parts.length) branches.push(`when ${lit(pola)} then array_remove(array[${parts.join(', ')}], null)`);
  }
  return branches.length ? `case k.pola_kemitraan ${branches.join(' ')} else '{}'::text[] end` : null;
}

/** "45, 46, 47": the prefixes a side needs under each pattern, as a jsonb map pola → text (for messages). */
function prefixTexts(ctx: RuleSqlContext, side: 'ub' | 'umkm'): string {
  const out: Record<string, string> = {};
  for (const [pola, rule] of Object.entries(ctx.config.pattern_kbli)) {
    const list = rule[side];
    if (list?.length) out[pola] = [...list].sort().join(', ');
  }
  return jsonb(out);
}

export const PATTERN_KBLI_MISMATCH: Rule = {
  code: 'PATTERN_KBLI_MISMATCH',
  severity: 'warning',
  title: 'Pola kemitraan tidak sesuai KBLI para pihak',
  description:
    'Pola kemitraan tidak cocok dengan KBLI para pihak menurut matriks pola × KBLI (config/rules.json), mis. 04 Perdagangan Umum memerlukan KBLI perdagangan 45–47 di sisi usaha besar; 06 Rantai Pasok memerlukan KBLI UMKM yang memasok KBLI usaha besar.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message: 'Pola {pola} pada kemitraan {entity_id} ({pihak}) tidak sesuai dengan KBLI para pihak: {alasan}.',
      sql: (ctx) => {
        const problems = patternProblems(ctx);
        if (problems === null) {
          return `select null::text as entity_id, null::jsonb as evidence, null::jsonb as params, null::text[] as related where false`;
        }
        const polas = textArray(Object.keys(ctx.config.pattern_kbli));
        return `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('pola_kemitraan', k.pola_kemitraan, 'kbli_ub', k.kbli_ub, 'kbli_umkm', k.kbli_umkm,
                 'masalah', to_jsonb(x.masalah)) as evidence,
               jsonb_build_object('pola', ${labelled(POLA_KEMITRAAN, 'k.pola_kemitraan')}, 'pihak', ${parties('k')},
                 'alasan', array_to_string(array(select case i
                   when 'kbli_ub' then 'KBLI usaha besar ' || k.kbli_ub || ' (' || ${kbliTitle('k.kbli_ub')} || ') tidak termasuk awalan '
                        || (${prefixTexts(ctx, 'ub')} ->> k.pola_kemitraan) || ' yang disyaratkan pola ini'
                   when 'kbli_umkm' then 'KBLI mitra UMKM ' || k.kbli_umkm || ' (' || ${kbliTitle('k.kbli_umkm')} || ') tidak termasuk awalan '
                        || (${prefixTexts(ctx, 'umkm')} ->> k.pola_kemitraan) || ' yang disyaratkan pola ini'
                   when 'pasokan' then 'KBLI mitra UMKM ' || k.kbli_umkm || ' (' || ${kbliTitle('k.kbli_umkm')}
                        || ') bukan pemasok bagi KBLI usaha besar ' || k.kbli_ub || ' (' || ${kbliTitle('k.kbli_ub')} || ')'
                   end from unnest(x.masalah) i), '; ')) as params,
               null::text[] as related
          from (select * from kemitraan k where ${K_SCOPE(ctx)} and k.pola_kemitraan = any(${polas})) k
          cross join lateral (select ${problems} as masalah) x
         where cardinality(x.masalah) > 0`;
      },
    },
  ],
};

/** Quarter index (year * 4 + quarter) of a date, comparable with kemitraan_realisasi's tahun * 4 + triwulan. */
const quarterIndex = (d: string) => `(extract(year from ${d})::int * 4 + extract(quarter from ${d})::int)`;

export const NO_REALISATION: Rule = {
  code: 'NO_REALISATION',
  severity: 'warning',
  title: 'Kemitraan berjalan tanpa realisasi',
  description:
    'Kemitraan berstatus 03 Berjalan, dimulai lebih dari satu triwulan penuh sebelum tanggal sinkronisasi, dan tidak ada realisasi (LKPM) bernilai untuk triwulan mana pun sejak dimulai.',
  timeBased: true,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'kemitraan_realisasi'],
      message:
        'Kemitraan {entity_id} ({pihak}) berstatus Berjalan sejak {tgl_mulai}, tetapi belum ada realisasi (LKPM) yang dilaporkan untuk triwulan mana pun sejak itu, padahal triwulan penuh pertamanya ({triwulan_penuh_pertama}) sudah berakhir.',
      // The anti-join finds the few partnerships without a valued realisation first; only those get the list of the
      // quarters they did report (zero or empty rows) as evidence.
      sql: (ctx) => `
        with ks as (
          select k.*, ${quarterIndex("date_trunc('quarter', k.tgl_mulai)")} as q0,
                 case when k.tgl_mulai = date_trunc('quarter', k.tgl_mulai)::date then k.tgl_mulai
                      else (date_trunc('quarter', k.tgl_mulai) + interval '3 months')::date end as full_start
            from kemitraan k
           where ${K_SCOPE(ctx)} and k.status_kemitraan = '03' and k.tgl_mulai is not null
        ), none as (
          select ks.* from ks
           where (ks.full_start + interval '3 months')::date <= ${today(ctx)}
             and not exists (select 1 from kemitraan_realisasi r
                              where r.id_kemitraan = ks.id_kemitraan and r.deleted_at is null and r.tahun * 4 + r.triwulan >= ks.q0
                                and (coalesce(r.nilai_realisasi, 0) > 0 or coalesce(r.volume_realisasi, 0) > 0))
        )
        select k.id_kemitraan as entity_id,
               jsonb_build_object('status_kemitraan', k.status_kemitraan, 'tgl_mulai', k.tgl_mulai,
                 'triwulan_dilaporkan', coalesce((
                   select jsonb_agg(jsonb_build_object('tahun', r.tahun, 'triwulan', r.triwulan, 'nilai_realisasi', r.nilai_realisasi,
                            'volume_realisasi', r.volume_realisasi) order by r.tahun, r.triwulan)
                     from kemitraan_realisasi r
                    where r.id_kemitraan = k.id_kemitraan and r.deleted_at is null and r.tahun * 4 + r.triwulan >= k.q0), '[]'::jsonb)) as evidence,
               jsonb_build_object('pihak', ${parties('k')},
                 'triwulan_penuh_pertama', 'triwulan ' || extract(quarter from k.full_start) || ' ' || extract(year from k.full_start)) as params,
               null::text[] as related
          from none k`,
    },
  ],
};

export const REALISATION_EXCEEDS: Rule = {
  code: 'REALISATION_EXCEEDS',
  severity: 'warning',
  title: 'Realisasi melebihi kesepakatan',
  description:
    'Jumlah nilai realisasi melebihi nilai_kemitraan, atau volume realisasi melebihi volume yang disepakati untuk periode yang telah berjalan.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'kemitraan_realisasi'],
      message: 'Realisasi kemitraan {entity_id} ({pihak}) melebihi kesepakatan: {alasan}.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nilai_kemitraan', k.nilai_kemitraan, 'nilai_realisasi_total', r.nilai,
                 'volume', k.volume, 'satuan', k.satuan, 'periode_volume', k.periode_volume, 'tgl_mulai', k.tgl_mulai,
                 'bulan_berjalan', e.bulan, 'volume_disepakati_untuk_periode', v.batas, 'volume_realisasi_total', r.volume,
                 'triwulan_terakhir', (r.last_q / 4) || '-T' || (r.last_q % 4 + 1)) as evidence,
               jsonb_build_object('pihak', ${parties('k')}, 'alasan', concat_ws('; ',
                 case when r.nilai > k.nilai_kemitraan then 'nilai realisasi ' || finding_rupiah(r.nilai) || ' melebihi nilai kemitraan '
                      || finding_rupiah(k.nilai_kemitraan) end,
                 case when r.volume > v.batas then 'volume realisasi ' || r.volume || ' ' || coalesce(k.satuan, '') || ' melebihi '
                      || v.batas || ' ' || coalesce(k.satuan, '') || ' yang disepakati untuk ' || e.bulan || ' bulan berjalan' end)) as params,
               null::text[] as related
          from kemitraan k
          join (
            select r.id_kemitraan, sum(r.nilai_realisasi) as nilai,
                   sum(r.volume_realisasi) filter (where r.satuan is null or k2.satuan is null or lower(r.satuan) = lower(k2.satuan)) as volume,
                   max(r.tahun * 4 + r.triwulan - 1) as last_q
              from kemitraan_realisasi r join kemitraan k2 on k2.id_kemitraan = r.id_kemitraan
             where r.deleted_at is null and ${K_SCOPE(ctx, 'k2')}
             group by r.id_kemitraan
          ) r on r.id_kemitraan = k.id_kemitraan
          cross join lateral (
            select case when k.tgl_mulai is not null then greatest(1,
                     (r.last_q / 4) * 12 + (r.last_q % 4) * 3 + 3
                     - (extract(year from k.tgl_mulai)::int * 12 + extract(month from k.tgl_mulai)::int) + 1) end as bulan
          ) e
          cross join lateral (
            select case when k.volume is null then null
                        when lower(coalesce(k.periode_volume, '')) in ('bulan', 'bulanan', 'per bulan') then k.volume * e.bulan
                        when lower(coalesce(k.periode_volume, '')) in ('tahun', 'tahunan', 'per tahun') then k.volume * ceil(e.bulan / 12.0)
                        when k.periode_volume is null then k.volume
                   end as batas
          ) v
         where ${K_SCOPE(ctx)} and (r.nilai > k.nilai_kemitraan or r.volume > v.batas)`,
    },
  ],
};

export const DUPLICATE_PARTNERSHIP: Rule = {
  code: 'DUPLICATE_PARTNERSHIP',
  severity: 'warning',
  title: 'Kemitraan tercatat ganda',
  description:
    'Dua kesepakatan dengan usaha besar, mitra UMKM dan pola yang sama berlaku pada waktu yang tumpang tindih (kesepakatan yang ditolak 04 atau dibatalkan 06 tidak dihitung).',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message:
        'Kemitraan {entity_id} ({pihak}, pola {pola}, {periode}) tumpang tindih dengan kesepakatan lain untuk pihak dan pola yang sama: {ringkasan}. Kemungkinan tercatat ganda.',
      sql: (ctx) => `
        with ks as (
          select k.id_kemitraan, k.nib_ub, coalesce(k.nib_umkm, 'nik:' || k.nik_umkm_hash) as umkm, k.pola_kemitraan,
                 k.tgl_mulai, k.tgl_berakhir, daterange(k.tgl_mulai, k.tgl_berakhir, '[]') as masa
            from kemitraan k
           where k.deleted_at is null and coalesce(k.status_kemitraan, '') not in ('04', '06') and k.nib_ub is not null
             and coalesce(k.nib_umkm, k.nik_umkm_hash) is not null and k.tgl_mulai is not null
             and (k.tgl_berakhir is null or k.tgl_berakhir >= k.tgl_mulai)
             -- Only parties and patterns with more than one agreement can overlap: found by a grouping, not a self-join.
             and (k.nib_ub, coalesce(k.nib_umkm, 'nik:' || k.nik_umkm_hash), k.pola_kemitraan) in (
                   select g.nib_ub, coalesce(g.nib_umkm, 'nik:' || g.nik_umkm_hash), g.pola_kemitraan from kemitraan g
                    where g.deleted_at is null and coalesce(g.status_kemitraan, '') not in ('04', '06') and g.tgl_mulai is not null
                      ${ctx.scoped ? `and g.nib_ub in (select s.nib_ub from kemitraan s where ${K_SCOPE(ctx, 's')})` : ''}
                    group by 1, 2, 3 having count(*) > 1)
        )
        select a.id_kemitraan as entity_id,
               jsonb_build_object('nib_ub', a.nib_ub, 'nib_umkm', min(k.nib_umkm), 'nik_umkm_masked', min(k.nik_umkm_masked),
                 'pola_kemitraan', a.pola_kemitraan, 'tgl_mulai', a.tgl_mulai, 'tgl_berakhir', a.tgl_berakhir,
                 'tumpang_tindih_dengan', jsonb_agg(jsonb_build_object('id_kemitraan', b.id_kemitraan, 'tgl_mulai', b.tgl_mulai,
                   'tgl_berakhir', b.tgl_berakhir) order by b.id_kemitraan)) as evidence,
               jsonb_build_object('pihak', min(${parties('k')}), 'pola', min(${labelled(POLA_KEMITRAAN, 'a.pola_kemitraan')}),
                 'periode', ${ymd('a.tgl_mulai')} || ' s.d. ' || coalesce(${ymd('a.tgl_berakhir')}, 'tanpa batas'),
                 'ringkasan', string_agg(b.id_kemitraan || ' (' || ${ymd('b.tgl_mulai')} || ' s.d. '
                   || coalesce(${ymd('b.tgl_berakhir')}, 'tanpa batas') || ')', ', ' order by b.id_kemitraan)) as params,
               array_agg('kemitraan:' || b.id_kemitraan order by b.id_kemitraan) as related
          from ks a
          join ks b on b.nib_ub = a.nib_ub and b.umkm = a.umkm and b.pola_kemitraan = a.pola_kemitraan
                   and b.id_kemitraan <> a.id_kemitraan and b.masa && a.masa
          join kemitraan k on k.id_kemitraan = a.id_kemitraan
         where ${ctx.inScope('kemitraan', 'a.id_kemitraan')}
         group by a.id_kemitraan, a.nib_ub, a.pola_kemitraan, a.tgl_mulai, a.tgl_berakhir`,
    },
  ],
};

export const AWAITING_APPROVAL_STALE: Rule = {
  code: 'AWAITING_APPROVAL_STALE',
  severity: 'info',
  title: 'Kemitraan terlalu lama menunggu persetujuan mitra',
  description: 'Kemitraan berstatus 02 Menunggu Persetujuan Mitra lebih lama dari batas hari (config, bawaan 30 hari).',
  timeBased: true,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message:
        'Kemitraan {entity_id} ({pihak}) menunggu persetujuan mitra sejak {tgl_pengajuan}, sudah {hari_menunggu} hari (batas {batas_hari} hari); tindak lanjuti dengan kedua pihak.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('status_kemitraan', k.status_kemitraan, 'tgl_pengajuan', d.diajukan,
                 'batas_hari', ${num(ctx.config.awaiting_approval_stale_days)}) as evidence,
               jsonb_build_object('pihak', ${parties('k')}, 'hari_menunggu', ${today(ctx)} - d.diajukan) as params,
               null::text[] as related
          from kemitraan k
          cross join lateral (
            select coalesce(${wibDate('k.tgl_pengajuan')}, finding_id_date(k.id_kemitraan), k.tgl_kesepakatan) as diajukan
          ) d
         where ${K_SCOPE(ctx)} and k.status_kemitraan = '02'
           and ${today(ctx)} - d.diajukan > ${num(ctx.config.awaiting_approval_stale_days)}`,
    },
  ],
};

export const EXPIRED_STILL_ACTIVE: Rule = {
  code: 'EXPIRED_STILL_ACTIVE',
  severity: 'warning',
  title: 'Kemitraan kedaluwarsa masih berstatus Berjalan',
  description: 'Kemitraan berstatus 03 Berjalan tetapi tgl_berakhir sudah lewat.',
  timeBased: true,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message:
        'Kemitraan {entity_id} ({pihak}) masih berstatus Berjalan (03), padahal berakhir pada {tgl_berakhir} ({hari_lewat} hari yang lalu); perpanjangan atau penutupan belum dicatat di OSS.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('status_kemitraan', k.status_kemitraan, 'tgl_berakhir', k.tgl_berakhir) as evidence,
               jsonb_build_object('pihak', ${parties('k')}, 'hari_lewat', ${today(ctx)} - k.tgl_berakhir) as params,
               null::text[] as related
          from kemitraan k
         where ${K_SCOPE(ctx)} and k.status_kemitraan = '03' and k.tgl_berakhir < ${today(ctx)}`,
    },
  ],
};

export const PARTNER_NAME_MISMATCH: Rule = {
  code: 'PARTNER_NAME_MISMATCH',
  severity: 'info',
  title: 'Nama pihak berbeda dengan nama di OSS',
  description:
    'Nama pihak dalam kesepakatan berbeda dengan namanya di OSS (nama perseroan, singkatan, atau nama kegiatan usaha), di luar perbedaan bentuk badan usaha, huruf besar/kecil dan tanda baca.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan', 'pelaku_usaha', 'proyek'],
      message: 'Nama pihak pada kemitraan {entity_id} berbeda dengan nama di OSS: {ringkasan}.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nama_berbeda', jsonb_agg(jsonb_build_object('kolom', v.kolom, 'nib', v.nib,
                 'nama_di_kesepakatan', v.nama, 'nama_di_oss', p.nama_perseroan) order by v.kolom)) as evidence,
               jsonb_build_object('ringkasan', string_agg(v.pihak || ' (NIB ' || v.nib || ') tertulis "' || v.nama
                 || '" di kesepakatan, tetapi "' || p.nama_perseroan || '" di OSS', '; ' order by v.kolom)) as params,
               null::text[] as related
          from kemitraan k
          cross join lateral ${PARTY_ROWS('k')} v(kolom, pihak, nib, nama)
          join pelaku_usaha p on p.nib = v.nib and p.deleted_at is null
         where ${K_SCOPE(ctx)} and p.nama_perseroan is not null
           -- One CASE, so the cheap comparison runs first (the planner may reorder separate conditions) and the
           -- regex name keys are computed only for names that differ.
           and case when upper(v.nama) = upper(p.nama_perseroan) then false
                    when finding_name_key(v.nama) is null then false
                    when finding_name_key(v.nama) = finding_name_key(p.nama_perseroan) then false
                    when finding_name_key(v.nama) = finding_name_key(p.nama_singkatan) then false
                    -- A count, not NOT EXISTS: the planner would hash every project's name key up front.
                    else (select count(*) from proyek pr where pr.nib = p.nib and pr.deleted_at is null
                            and finding_name_key(pr.nama_kegiatan) = finding_name_key(v.nama)) = 0 end
         group by k.id_kemitraan`,
    },
  ],
};

export const REQUIRED_PARTNERSHIP_MISSING: Rule = {
  code: 'REQUIRED_PARTNERSHIP_MISSING',
  severity: 'warning',
  title: 'Usaha besar wajib bermitra tanpa kemitraan berjalan',
  description:
    'Usaha besar yang data_dni-nya memuat persyaratan kemitraan (kd_dni 65, 111, 115; config) tidak memiliki kemitraan 03 Berjalan di wilayah, atau satu-satunya mitranya telah menjadi usaha Besar lebih dari 12 bulan tanpa pengganti (Peraturan BKPM 3/2025 Pasal 22).',
  timeBased: true,
  checks: [
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha', 'kemitraan', 'change_history'],
      message: 'Usaha besar {nama} (NIB {entity_id}) wajib bermitra (BUPM kd_dni {kd_dni_teks}), tetapi {uraian}.',
      sql: (ctx) => {
        const req = ctx.config.required_partnership;
        return `
        with ub as (
          select p.nib, p.nama_perseroan, p.kd_dni from pelaku_usaha p
           where p.deleted_at is null and p.kd_dni && ${textArray(req.kd_dni)} and ${ctx.inScope('pelaku_usaha', 'p.nib')}
        ), ks as (
          select k.id_kemitraan, k.nib_ub, k.nib_umkm, coalesce(m.nama_perseroan, k.nama_umkm) as nama_umkm, m.skala_usaha,
                 case when m.skala_usaha = '04' then coalesce(
                   (select max(h.changed_at)::date from change_history h
                     where h.entity_type = 'pelaku_usaha' and h.entity_id = m.nib and h.field = 'skala_usaha' and h.new_value = '"04"'::jsonb),
                   m.tgl_perubahan_nib, m.created_at::date) end as besar_sejak
            from kemitraan k
            left join pelaku_usaha m on m.nib = k.nib_umkm and m.deleted_at is null
           where k.deleted_at is null and k.status_kemitraan = '03' and k.nib_ub in (select nib from ub)
             and left(k.kd_daerah_pelaksanaan, ${ctx.region.length}) = ${lit(ctx.region)}
        ), agg as (
          select u.nib, u.nama_perseroan, array(select unnest(u.kd_dni) intersect select unnest(${textArray(req.kd_dni)}) order by 1) as wajib,
                 count(ks.id_kemitraan) as berjalan,
                 count(ks.id_kemitraan) filter (where coalesce(ks.skala_usaha, '') <> '04') as dengan_umkm,
                 max(ks.besar_sejak) as terakhir_besar,
                 coalesce(jsonb_agg(jsonb_build_object('id_kemitraan', ks.id_kemitraan, 'nib_umkm', ks.nib_umkm,
                   'skala_mitra', ks.skala_usaha, 'besar_sejak', ks.besar_sejak) order by ks.id_kemitraan)
                   filter (where ks.id_kemitraan is not null), '[]'::jsonb) as daftar,
                 string_agg(coalesce(ks.nama_umkm, ks.nib_umkm, '-') || ' (NIB ' || coalesce(ks.nib_umkm, '-') || ')', ', '
                   order by ks.id_kemitraan) as mitra
            from ub u left join ks on ks.nib_ub = u.nib
           group by u.nib, u.nama_perseroan, u.kd_dni
        )
        select a.nib as entity_id,
               jsonb_build_object('kd_dni_wajib_bermitra', to_jsonb(a.wajib), 'wilayah', ${lit(ctx.region)},
                 'kemitraan_berjalan', a.daftar,
                 'alasan', case when a.berjalan = 0 then 'tidak_ada_kemitraan_berjalan' else 'mitra_menjadi_besar' end) as evidence,
               jsonb_build_object('nama', coalesce(a.nama_perseroan, '-'), 'kd_dni_teks', array_to_string(a.wajib, ', '),
                 'uraian', case when a.berjalan = 0
                   then 'tidak memiliki kemitraan berstatus Berjalan (03) di ' || ${lit(ctx.regionName)}
                   else 'mitranya (' || a.mitra || ') telah menjadi usaha Besar sejak ' || ${ymd('a.terakhir_besar')}
                        || ', lebih dari ${num(req.replacement_grace_months)} bulan, tanpa mitra UMKM pengganti (Peraturan BKPM 3/2025 Pasal 22)' end) as params,
               null::text[] as related
          from agg a
         where a.berjalan = 0
            or (a.dengan_umkm = 0 and a.terakhir_besar < (${today(ctx)} - interval '${num(req.replacement_grace_months)} months')::date)`;
      },
    },
  ],
};

/** The Partnership (kemitraan) rules, in catalogue order. A new rule of this family is added here. */
export const PARTNERSHIP_RULES: readonly Rule[] = [
  PARTNER_NIB_NOT_FOUND,
  PARTNER_NIB_INACTIVE,
  PARTNER_NOT_UMKM,
  UB_NOT_LARGE,
  UMKM_OUTSIDE_REGION,
  PARTNER_AFFILIATED,
  SCALE_VS_CAPITAL,
  FLAG_UMK_VS_SCALE,
  VALUE_IMPLAUSIBLE,
  PATTERN_KBLI_MISMATCH,
  NO_REALISATION,
  REALISATION_EXCEEDS,
  DUPLICATE_PARTNERSHIP,
  AWAITING_APPROVAL_STALE,
  EXPIRED_STILL_ACTIVE,
  PARTNER_NAME_MISMATCH,
  REQUIRED_PARTNERSHIP_MISSING,
];
