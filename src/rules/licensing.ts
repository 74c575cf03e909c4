/** Licensing (perizinan) rules, catalogue section "Licensing", and the investment-status rule. */
import { JENIS_IZIN, STATUS_PENANAMAN_MODAL } from '../domain/codes.js';
import { labelled, lit, num, textArray } from './sql.js';
import type { Rule, RuleSqlContext } from './types.js';

export const RISK_LICENCE_MISSING: Rule = {
  code: 'RISK_LICENCE_MISSING',
  severity: 'warning',
  title: 'Perizinan wajib menurut tingkat risiko tidak ada',
  description:
    'Proyek berisiko Menengah Tinggi (MT) tidak memiliki Sertifikat Standar (jenis_izin 04), atau proyek berisiko Tinggi (T) tidak memiliki Izin (02), dalam daftar periksa (checklist) OSS.',
  timeBased: false,
  checks: [
    {
      entityType: 'proyek',
      reads: ['proyek', 'perizinan'],
      message:
        'Proyek {entity_id} (NIB {nib}, KBLI {kbli}) berisiko {risiko} tetapi tidak memiliki {izin_wajib} dalam daftar perizinannya; {checklist}.',
      sql: (ctx) => `
        select pr.id_proyek as entity_id,
               jsonb_build_object('nib', pr.nib, 'kbli', pr.kbli, 'skala_resiko', pr.skala_resiko, 'jenis_izin_wajib', w.jenis,
                 'checklist', coalesce(c.list, '[]'::jsonb)) as evidence,
               jsonb_build_object('risiko', case upper(pr.skala_resiko) when 'MT' then 'Menengah Tinggi (MT)' else 'Tinggi (T)' end,
                 'izin_wajib', ${labelled(JENIS_IZIN, 'w.jenis')},
                 'checklist', coalesce('yang tercatat hanya: ' || c.teks, 'tidak ada satu pun perizinan tercatat')) as params,
               null::text[] as related
          from proyek pr
          cross join lateral (select case upper(pr.skala_resiko) when 'MT' then '04' else '02' end as jenis) w
          left join lateral (
            select jsonb_agg(jsonb_build_object('id_izin', z.id_izin, 'jenis_izin', z.jenis_izin, 'nama_izin', z.nama_izin,
                     'kd_status', z.kd_status) order by z.id_izin) as list,
                   string_agg(coalesce(z.nama_izin, z.id_izin) || ' (jenis ' || coalesce(z.jenis_izin, '-') || ')', ', ' order by z.id_izin) as teks
              from perizinan z where z.id_proyek = pr.id_proyek and z.deleted_at is null
          ) c on true
         where pr.deleted_at is null and ${ctx.inScope('proyek', 'pr.id_proyek')} and upper(pr.skala_resiko) in ('MT', 'T')
           and not exists (select 1 from perizinan z where z.id_proyek = pr.id_proyek and z.deleted_at is null and z.jenis_izin = w.jenis)`,
    },
  ],
};

export const LICENCE_STATUS_UNKNOWN: Rule = {
  code: 'LICENCE_STATUS_UNKNOWN',
  severity: 'info',
  title: 'Status izin tidak dikenal',
  description: 'kd_status izin tidak terdapat dalam tabel status PIA (Lampiran 10), mis. "58".',
  timeBased: false,
  checks: [
    {
      entityType: 'perizinan',
      reads: ['perizinan'],
      message:
        'Izin {entity_id} ({nama_izin}, NIB {nib}) berstatus kode {kd_status} "{uraian_status}", yang tidak terdapat dalam tabel status PIA (Lampiran 10); pastikan status sebenarnya di OSS.',
      sql: (ctx) => `
        select z.id_izin as entity_id,
               jsonb_build_object('nib', z.nib, 'nama_izin', z.nama_izin, 'kd_status', z.kd_status, 'uraian_status', z.uraian_status) as evidence,
               '{}'::jsonb as params,
               null::text[] as related
          from perizinan z
         where z.deleted_at is null and ${ctx.inScope('perizinan', 'z.id_izin')} and z.kd_status is not null
           and not (z.kd_status = any(${textArray(ctx.reference.statusIzin)}))`,
    },
  ],
};

export const LOCATION_OUTSIDE_REGION: Rule = {
  code: 'LOCATION_OUTSIDE_REGION',
  severity: 'warning',
  title: 'Koordinat lokasi proyek di luar wilayah',
  description:
    'Lokasi proyek yang berkode wilayah di dalam daerah memiliki koordinat di luar kotak batas wilayah (config), atau lintang dan bujurnya tertukar.',
  timeBased: false,
  checks: [
    {
      entityType: 'proyek',
      reads: ['proyek_lokasi', 'proyek'],
      message:
        'Koordinat lokasi proyek {entity_id} tidak berada di {wilayah_nama} walaupun kode wilayahnya di sana: {alasan}.',
      sql: (ctx: RuleSqlContext) => {
        const box = ctx.config.bounding_boxes[ctx.region];
        if (!box)
          return `select null::text as entity_id, null::jsonb as evidence, null::jsonb as params, null::text[] as related where false`;
        const inBox = (lat: string, lng: string) =>
          `(${lat} between ${num(box.lat_min)} and ${num(box.lat_max)} and ${lng} between ${num(box.lng_min)} and ${num(box.lng_max)})`;
        return `
        select l.id_proyek as entity_id,
               jsonb_build_object('lokasi', jsonb_agg(jsonb_build_object('id_proyek_lokasi', l.id_proyek_lokasi,
                 'proyek_daerah_id', l.proyek_daerah_id, 'lat_lng', l.lat_lng, 'masalah', x.masalah) order by l.id_proyek_lokasi),
                 'kotak_batas', jsonb_build_object('lat_min', ${num(box.lat_min)}, 'lat_max', ${num(box.lat_max)},
                   'lng_min', ${num(box.lng_min)}, 'lng_max', ${num(box.lng_max)})) as evidence,
               jsonb_build_object('wilayah_nama', ${lit(ctx.regionName)}, 'alasan', string_agg('lokasi ' || l.id_proyek_lokasi
                 || ' (kode ' || l.proyek_daerah_id || ') berkoordinat ' || coalesce(l.lat_lng, l.lat || ',' || l.lng)
                 || case x.masalah when 'tertukar' then ', lintang dan bujur tampaknya tertukar' else ', di luar kotak batas wilayah' end,
                 '; ' order by l.id_proyek_lokasi)) as params,
               null::text[] as related
          from proyek_lokasi l
          join proyek pr on pr.id_proyek = l.id_proyek and pr.deleted_at is null
          cross join lateral (select case when ${inBox('l.lng', 'l.lat')} then 'tertukar' else 'di_luar_kotak' end as masalah) x
         where l.deleted_at is null and ${ctx.inScope('proyek', 'l.id_proyek')}
           and left(l.proyek_daerah_id, ${ctx.region.length}) = ${lit(ctx.region)}
           and l.lat is not null and l.lng is not null and not ${inBox('l.lat', 'l.lng')}
         group by l.id_proyek`;
      },
    },
  ],
};

export const INVESTMENT_STATUS_INCONSISTENT: Rule = {
  code: 'INVESTMENT_STATUS_INCONSISTENT',
  severity: 'warning',
  title: 'Status penanaman modal tidak sesuai kepemilikan asing',
  description:
    'status_penanaman_modal 01 PMA tanpa modal asing (persen_pma 0 dan tidak ada pemegang saham flag_asing Y), atau 02 PMDN dengan modal asing.',
  timeBased: false,
  checks: [
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha', 'pemegang_saham'],
      message: 'Pelaku usaha {nama} (NIB {entity_id}) berstatus {status} tetapi {uraian}.',
      sql: (ctx) => `
        with f as (
          select s.nib, count(*)::int as n,
                 jsonb_agg(jsonb_build_object('nama', s.nama_pemegang_saham, 'negara', s.negara_asal_pemegang_saham) order by s.seq) as list,
                 string_agg(coalesce(s.nama_pemegang_saham, '-') || coalesce(' (' || s.negara_asal_pemegang_saham || ')', ''), ', ' order by s.seq) as teks
            from pemegang_saham s
           where s.deleted_at is null and upper(s.flag_asing) = 'Y' and ${ctx.inScope('pelaku_usaha', 's.nib')}
           group by s.nib
        )
        select p.nib as entity_id,
               jsonb_build_object('status_penanaman_modal', p.status_penanaman_modal, 'persen_pma', p.persen_pma,
                 'pemegang_saham_asing', coalesce(f.list, '[]'::jsonb)) as evidence,
               jsonb_build_object('nama', coalesce(p.nama_perseroan, '-'),
                 'status', ${labelled(STATUS_PENANAMAN_MODAL, 'p.status_penanaman_modal')},
                 'uraian', case when p.status_penanaman_modal = '01'
                   then 'tidak memiliki modal asing (persen_pma ' || coalesce(p.persen_pma::text, 'kosong') || ', tidak ada pemegang saham asing)'
                   else 'memiliki modal asing (persen_pma ' || coalesce(p.persen_pma::text, 'kosong') || ', '
                        || coalesce(f.n, 0) || ' pemegang saham asing' || coalesce(': ' || f.teks, '') || ')' end) as params,
               null::text[] as related
          from pelaku_usaha p
          left join f on f.nib = p.nib
         where p.deleted_at is null and ${ctx.inScope('pelaku_usaha', 'p.nib')}
           and ((p.status_penanaman_modal = '01' and coalesce(p.persen_pma, 0) = 0 and coalesce(f.n, 0) = 0)
             or (p.status_penanaman_modal = '02' and (coalesce(p.persen_pma, 0) > 0 or coalesce(f.n, 0) > 0)))`,
    },
  ],
};

/** The Licensing (perizinan) rules, in catalogue order. A new rule of this family is added here. */
export const LICENSING_RULES: readonly Rule[] = [
  RISK_LICENCE_MISSING,
  LICENCE_STATUS_UNKNOWN,
  LOCATION_OUTSIDE_REGION,
  INVESTMENT_STATUS_INCONSISTENT,
];
