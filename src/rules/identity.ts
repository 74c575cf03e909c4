/** Identity and format rules (catalogue section "Identity and format"). */
import { STATUS_NIB } from '../domain/codes.js';
import { kbliProblem, regionProblems, regionProblemText, regionValid, today, wibDate, ymd } from './fragments.js';
import { labelled, textArray } from './sql.js';
import type { Rule, RuleSqlContext } from './types.js';

const NIB_OK = `'^[0-9]{13}$'`;

/** Why a NIB value is not a NIB (text), or null when it is 13 digits. */
const nibProblem = (v: string) => `case when ${v} is null then null
  when ${v} ~ ${NIB_OK} then null
  when ${v} ~ '^[0-9]+$' then 'terdiri dari ' || length(${v}) || ' digit, bukan 13'
  else 'mengandung karakter selain angka' end`;

export const NIB_FORMAT: Rule = {
  code: 'NIB_FORMAT',
  severity: 'error',
  title: 'Format NIB tidak sah',
  description:
    'NIB pada kemitraan atau pelaku usaha tidak terdiri dari tepat 13 digit angka, kosong, atau berisi tanda "-" sebagai pengganti.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message:
        'NIB pada kemitraan {entity_id} tidak sah: {ringkasan}. NIB harus 13 digit angka; cocokkan dengan dokumen kesepakatan dan data OSS.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('masalah', jsonb_agg(jsonb_build_object('kolom', v.kolom, 'nilai', v.nilai, 'alasan', v.alasan) order by v.kolom)) as evidence,
               jsonb_build_object('ringkasan', string_agg(v.pihak || ' ' || coalesce('"' || v.nilai || '"', '(kosong)') || ' ' || v.alasan, '; ' order by v.kolom)) as params,
               null::text[] as related
          from (select * from kemitraan k
                 where k.deleted_at is null and ${ctx.inScope('kemitraan', 'k.id_kemitraan')}
                   and (k.nib_ub is null or k.nib_ub !~ ${NIB_OK} or k.nib_umkm !~ ${NIB_OK}
                        or (k.nib_umkm is null and k.nik_umkm_hash is null) or cardinality(k.placeholder_fields) > 0)) k
          cross join lateral (
            select x.kolom, x.pihak, x.nilai,
                   case when x.placeholder then 'berisi tanda "-", bukan NIB'
                        when x.nilai is null and x.kolom = 'nib_ub' then 'kosong'
                        when x.nilai is null and k.nik_umkm_hash is null then 'kosong, dan NIK mitra perorangan juga kosong'
                        else ${nibProblem('x.nilai')} end as alasan
              from (values ('nib_ub', 'NIB usaha besar', 'nib_ub' = any(k.placeholder_fields), k.nib_ub),
                           ('nib_umkm', 'NIB mitra UMKM', 'nib_umkm' = any(k.placeholder_fields), k.nib_umkm)
                   ) x0(kolom, pihak, placeholder, nilai0)
              cross join lateral (select x0.kolom, x0.pihak, x0.placeholder,
                                         case when x0.placeholder then '-' else x0.nilai0 end as nilai) x
          ) v
         where v.alasan is not null
         group by k.id_kemitraan`,
    },
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha'],
      message: 'NIB {nib} ({nama}) tidak sah: {alasan}. NIB harus 13 digit angka.',
      sql: (ctx) => `
        select p.nib as entity_id,
               jsonb_build_object('nib', p.nib, 'alasan', ${nibProblem('p.nib')}) as evidence,
               jsonb_build_object('nama', coalesce(p.nama_perseroan, '-')) as params,
               null::text[] as related
          from pelaku_usaha p
         where p.deleted_at is null and ${ctx.inScope('pelaku_usaha', 'p.nib')} and p.nib !~ ${NIB_OK}`,
    },
  ],
};

export const NPWP_FORMAT: Rule = {
  code: 'NPWP_FORMAT',
  severity: 'warning',
  title: 'Format NPWP tidak sah',
  description:
    'NPWP pelaku usaha, setelah tanda titik dan strip dihapus, bukan 15 atau 16 digit, atau NPWP 16 digit badan usaha bukan "0" + NPWP 15 digitnya.',
  timeBased: false,
  checks: [
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha'],
      message: 'NPWP pelaku usaha {nama} (NIB {entity_id}) tidak sah: "{npwp_perseroan_raw}" {alasan}.',
      sql: (ctx) => `
        select p.nib as entity_id,
               jsonb_build_object('npwp_perseroan_raw', p.npwp_perseroan_raw, 'npwp_perseroan', p.npwp_perseroan,
                                  'masalah', to_jsonb(p.npwp_issues), 'jenis_pelaku_usaha', p.jenis_pelaku_usaha) as evidence,
               jsonb_build_object('nama', coalesce(p.nama_perseroan, '-'), 'alasan', array_to_string(array(
                 select case i when 'length' then 'terdiri dari ' || length(coalesce(p.npwp_perseroan, '')) || ' digit, bukan 15 atau 16'
                               when 'entity_prefix' then 'berbentuk 16 digit yang bukan "0" + NPWP 15 digit badan usaha'
                               else i end
                   from unnest(p.npwp_issues) i), '; ')) as params,
               null::text[] as related
          from pelaku_usaha p
         where p.deleted_at is null and ${ctx.inScope('pelaku_usaha', 'p.nib')} and cardinality(p.npwp_issues) > 0`,
    },
  ],
};

export const NPWP_MULTI_NIB: Rule = {
  code: 'NPWP_MULTI_NIB',
  severity: 'warning',
  title: 'Satu NPWP memiliki lebih dari satu NIB aktif',
  description:
    'Satu NPWP yang sama dipakai oleh lebih dari satu NIB yang tidak dibekukan atau dicabut (kemungkinan NIB ganda atau sisa migrasi OSS).',
  timeBased: false,
  checks: [
    {
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha'],
      message:
        'NPWP {npwp} milik {nama} (NIB {entity_id}) juga dipakai oleh NIB aktif lain: {nib_lain}. Satu NPWP seharusnya memiliki satu NIB.',
      sql: (ctx) => `
        with active as (
          select p.nib, p.npwp_hash, p.npwp_perseroan, p.nama_perseroan, p.status_nib
            from pelaku_usaha p
           where p.deleted_at is null and p.npwp_hash is not null and coalesce(p.status_nib, '') not in ('05', '06')
             and p.npwp_hash in (select s.npwp_hash from pelaku_usaha s where ${ctx.inScope('pelaku_usaha', 's.nib')})
        ), shared as (
          select npwp_hash from active group by npwp_hash having count(*) > 1
        ), m as (
          select a.* from active a join shared using (npwp_hash)
        )
        select a.nib as entity_id,
               jsonb_build_object('npwp', a.npwp_perseroan,
                 'nib_dengan_npwp_sama', jsonb_agg(jsonb_build_object('nib', b.nib, 'nama', b.nama_perseroan, 'status_nib', b.status_nib) order by b.nib)) as evidence,
               jsonb_build_object('nama', coalesce(a.nama_perseroan, '-'),
                 'nib_lain', string_agg(b.nib || ' (' || coalesce(b.nama_perseroan, '-') || ', ' || ${labelled(STATUS_NIB, 'b.status_nib')} || ')', ', ' order by b.nib) filter (where b.nib <> a.nib)) as params,
               array_agg('pelaku_usaha:' || b.nib order by b.nib) filter (where b.nib <> a.nib) as related
          from m a join m b on b.npwp_hash = a.npwp_hash
         where ${ctx.inScope('pelaku_usaha', 'a.nib')}
         group by a.nib, a.npwp_perseroan, a.nama_perseroan`,
    },
  ],
};

/** The problems of a NIK as a text[]: its stored issues, plus 'province' when its province code is not known. */
const nikProblems = (ctx: RuleSqlContext, issues: string, province: string) =>
  `${issues} || case when ${province} is not null and not (${province} = any(${textArray(ctx.reference.provinces)}))
                     then array['province'] else '{}'::text[] end`;

/** Indonesian text of the problems of a NIK (`nikProblems`), joined with '; '. */
const nikProblemText = (problems: string, province: string) => `array_to_string(array(
  select case i when 'length' then 'bukan 16 digit angka'
                when 'month' then 'bulan lahir (digit 9–10) bukan 01–12'
                when 'day' then 'tanggal lahir (digit 7–8) bukan 01–31 atau 41–71'
                when 'serial' then 'nomor urut (4 digit terakhir) 0000'
                when 'province' then 'kode provinsi ' || ${province} || ' tidak dikenal'
                else i end
    from unnest(${problems}) i), '; ')`;

export const NIK_INVALID: Rule = {
  code: 'NIK_INVALID',
  severity: 'warning',
  title: 'NIK tidak sah',
  description:
    'NIK mitra perorangan, pemegang saham atau penanggung jawab (KTP) bukan 16 digit, bulan lahirnya bukan 01–12, tanggal lahirnya bukan 01–31 atau 41–71, nomor urutnya 0000, atau kode provinsinya tidak dikenal. NIK tidak pernah ditampilkan utuh.',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message: 'NIK mitra perorangan {nama_umkm} pada kemitraan {entity_id} ({nik_umkm_masked}) tidak sah: {alasan}.',
      sql: (ctx: RuleSqlContext) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('nik_umkm_masked', k.nik_umkm_masked, 'nama_umkm', k.nama_umkm, 'masalah', to_jsonb(x.masalah),
                                  'kode_provinsi', k.nik_umkm_province) as evidence,
               jsonb_build_object('alasan', ${nikProblemText('x.masalah', 'k.nik_umkm_province')}) as params,
               null::text[] as related
          from kemitraan k
          cross join lateral (select ${nikProblems(ctx, 'k.nik_umkm_issues', 'k.nik_umkm_province')} as masalah) x
         where k.deleted_at is null and ${ctx.inScope('kemitraan', 'k.id_kemitraan')} and cardinality(x.masalah) > 0`,
    },
    {
      // The KTP numbers of the NIB document's people: the finding is the business's, the evidence names each person.
      entityType: 'pelaku_usaha',
      reads: ['pelaku_usaha', 'pemegang_saham', 'penanggung_jawab'],
      message: 'NIK pada dokumen NIB {entity_id} ({nama}) tidak sah: {ringkasan}.',
      sql: (ctx: RuleSqlContext) => `
        with people as (
          select s.nib, 1 as urut, s.seq, 'pemegang saham' as peran, s.nama_pemegang_saham as nama,
                 s.no_identitas_masked as masked, s.no_identitas_province as provinsi, s.no_identitas_issues as issues
            from pemegang_saham s
           where s.deleted_at is null and ${ctx.inScope('pelaku_usaha', 's.nib')}
             and (cardinality(s.no_identitas_issues) > 0 or not (s.no_identitas_province = any(${textArray(ctx.reference.provinces)})))
          union all
          select j.nib, 2, j.seq, 'penanggung jawab', j.nama_penanggung_jwb, j.no_identitas_masked, j.no_identitas_province,
                 j.no_identitas_issues
            from penanggung_jawab j
           where j.deleted_at is null and ${ctx.inScope('pelaku_usaha', 'j.nib')}
             and (cardinality(j.no_identitas_issues) > 0 or not (j.no_identitas_province = any(${textArray(ctx.reference.provinces)})))
        ), bad as (
          select o.*, ${nikProblems(ctx, 'o.issues', 'o.provinsi')} as masalah from people o
        )
        select p.nib as entity_id,
               jsonb_build_object('orang', jsonb_agg(jsonb_build_object('peran', b.peran, 'nama', b.nama,
                 'no_identitas_masked', b.masked, 'kode_provinsi', b.provinsi, 'masalah', to_jsonb(b.masalah))
                 order by b.urut, b.seq)) as evidence,
               jsonb_build_object('nama', coalesce(p.nama_perseroan, '-'), 'ringkasan', string_agg(b.peran || ' '
                 || coalesce(b.nama, '-') || ' (' || coalesce(b.masked, '-') || '): ' || ${nikProblemText('b.masalah', 'b.provinsi')},
                 '; ' order by b.urut, b.seq)) as params,
               null::text[] as related
          from bad b
          join pelaku_usaha p on p.nib = b.nib and p.deleted_at is null
         group by p.nib, p.nama_perseroan`,
    },
  ],
};

/** One KD_DAERAH_INVALID check: a region code column of a table whose rows are the finding's entity. */
function regionCheck(
  entityType: 'kemitraan' | 'pelaku_usaha' | 'perizinan',
  table: 'kemitraan' | 'pelaku_usaha' | 'perizinan',
  idColumn: string,
  codeColumn: string,
  adminLevel: boolean,
  what: string,
) {
  return {
    entityType,
    reads: [table],
    message: `Kode wilayah ${codeColumn} {kode} pada ${what} {entity_id} tidak sah: {alasan}.`,
    sql: (ctx: RuleSqlContext) => `
      select t.${idColumn} as entity_id,
             jsonb_build_object('kolom', '${codeColumn}', 'kode', t.${codeColumn}, 'masalah', to_jsonb(x.masalah)) as evidence,
             jsonb_build_object('alasan', ${regionProblemText('x.masalah', `t.${codeColumn}`)}) as params,
             null::text[] as related
        from ${table} t
        cross join lateral (select ${regionProblems(ctx, `t.${codeColumn}`, adminLevel)} as masalah) x
       where t.deleted_at is null and ${ctx.inScope(entityType, `t.${idColumn}`)} and t.${codeColumn} is not null
         and not ${regionValid(ctx, `t.${codeColumn}`, adminLevel)} and cardinality(x.masalah) > 0`,
  };
}

export const KD_DAERAH_INVALID: Rule = {
  code: 'KD_DAERAH_INVALID',
  severity: 'warning',
  title: 'Kode wilayah tidak sah',
  description:
    'Kode wilayah Kemendagri bukan 10 digit, kode provinsi/kabupaten/kecamatannya tidak dikenal, atau digit ke-7 bukan 1 (kelurahan) atau 2 (desa).',
  timeBased: false,
  checks: [
    regionCheck('kemitraan', 'kemitraan', 'id_kemitraan', 'kd_daerah_pelaksanaan', false, 'kemitraan'),
    regionCheck('pelaku_usaha', 'pelaku_usaha', 'nib', 'perseroan_daerah_id', false, 'domisili pelaku usaha NIB'),
    regionCheck('perizinan', 'perizinan', 'id_izin', 'kd_daerah', true, 'izin'),
    {
      entityType: 'proyek',
      reads: ['proyek_lokasi', 'proyek'],
      message: 'Kode wilayah lokasi proyek {entity_id} tidak sah: {alasan}.',
      sql: (ctx) => `
        select l.id_proyek as entity_id,
               jsonb_build_object('lokasi', jsonb_agg(jsonb_build_object('id_proyek_lokasi', l.id_proyek_lokasi,
                 'proyek_daerah_id', l.proyek_daerah_id, 'masalah', to_jsonb(x.masalah)) order by l.id_proyek_lokasi)) as evidence,
               jsonb_build_object('alasan', string_agg('lokasi ' || l.id_proyek_lokasi || ' kode ' || l.proyek_daerah_id || ': '
                 || ${regionProblemText('x.masalah', 'l.proyek_daerah_id')}, '; ' order by l.id_proyek_lokasi)) as params,
               null::text[] as related
          from proyek_lokasi l
          join proyek pr on pr.id_proyek = l.id_proyek and pr.deleted_at is null
          cross join lateral (select ${regionProblems(ctx, 'l.proyek_daerah_id', false)} as masalah) x
         where l.deleted_at is null and ${ctx.inScope('proyek', 'l.id_proyek')} and l.proyek_daerah_id is not null
           and not ${regionValid(ctx, 'l.proyek_daerah_id', false)} and cardinality(x.masalah) > 0
         group by l.id_proyek`,
    },
  ],
};

export const KBLI_INVALID: Rule = {
  code: 'KBLI_INVALID',
  severity: 'warning',
  title: 'Kode KBLI tidak sah',
  description:
    'KBLI bukan string 5 digit (termasuk yang kehilangan angka 0 di depan) atau tidak terdapat dalam daftar KBLI 2020 (config/reference/kbli.json).',
  timeBased: false,
  checks: [
    {
      entityType: 'kemitraan',
      reads: ['kemitraan'],
      message: 'KBLI pada kemitraan {entity_id} tidak sah: {alasan}.',
      sql: (ctx) => `
        select k.id_kemitraan as entity_id,
               jsonb_build_object('masalah', jsonb_agg(jsonb_build_object('kolom', v.kolom, 'kbli', v.kbli, 'alasan', v.alasan) order by v.kolom)) as evidence,
               jsonb_build_object('alasan', string_agg(v.kolom || ' "' || v.kbli || '" ' || v.alasan, '; ' order by v.kolom)) as params,
               null::text[] as related
          from (select * from kemitraan k
                 where k.deleted_at is null and ${ctx.inScope('kemitraan', 'k.id_kemitraan')}
                   and (not (k.kbli_ub = any(${textArray(ctx.reference.kbli)})) or not (k.kbli_umkm = any(${textArray(ctx.reference.kbli)})))) k
          cross join lateral (
            select x.kolom, x.kbli, ${kbliProblem(ctx, 'x.kbli')} as alasan
              from (values ('kbli_ub', k.kbli_ub), ('kbli_umkm', k.kbli_umkm)) x(kolom, kbli)
          ) v
         where v.alasan is not null
         group by k.id_kemitraan`,
    },
    {
      entityType: 'proyek',
      reads: ['proyek', 'proyek_produk'],
      message: 'KBLI pada proyek {entity_id} (NIB {nib}) tidak sah: {alasan}.',
      sql: (ctx) => `
        select pr.id_proyek as entity_id,
               jsonb_build_object('nib', pr.nib, 'masalah', jsonb_agg(jsonb_build_object('kolom', v.kolom, 'kbli', v.kbli, 'alasan', v.alasan) order by v.kolom)) as evidence,
               jsonb_build_object('alasan', string_agg(v.kolom || ' "' || v.kbli || '" ' || v.alasan, '; ' order by v.kolom)) as params,
               null::text[] as related
          from proyek pr
          cross join lateral (
            select x.kolom, x.kbli, ${kbliProblem(ctx, 'x.kbli')} as alasan
              from (select 'kbli' as kolom, pr.kbli as kbli
                    union all
                    select 'produk ' || d.id_produk, d.kbli from proyek_produk d
                     where d.id_proyek = pr.id_proyek and d.deleted_at is null) x
          ) v
         where pr.deleted_at is null and ${ctx.inScope('proyek', 'pr.id_proyek')} and v.alasan is not null
         group by pr.id_proyek, pr.nib`,
    },
  ],
};

/** One problem of a DATE_INCONSISTENT check: when it fires (SQL over `t`), its evidence (jsonb) and its text. */
interface DateProblem {
  when: string;
  evidence: string;
  text: string;
}

/**
 * One DATE_INCONSISTENT check. The rows are first filtered by the OR of the problems' conditions (cheap date
 * comparisons), then each firing problem becomes one evidence item.
 */
function dateCheck(
  entityType: 'kemitraan' | 'pelaku_usaha' | 'proyek' | 'perizinan',
  table: 'kemitraan' | 'pelaku_usaha' | 'proyek' | 'perizinan',
  idColumn: string,
  message: string,
  problems: (ctx: RuleSqlContext) => DateProblem[],
) {
  return {
    entityType,
    reads: [table],
    message,
    sql: (ctx: RuleSqlContext) => {
      const list = problems(ctx);
      const values = list.map((p, i) => `(${i + 1}, ${p.when}, ${p.evidence}, ${p.text})`).join(',\n');
      return `
      select t.${idColumn} as entity_id,
             jsonb_build_object('masalah', jsonb_agg(v.bukti order by v.urut)) as evidence,
             jsonb_build_object('alasan', string_agg(v.teks, '; ' order by v.urut)) as params,
             null::text[] as related
        from (select * from ${table} t
               where t.deleted_at is null and ${ctx.inScope(entityType, `t.${idColumn}`)}
                 and (${list.map((p) => `(${p.when})`).join(' or ')})) t
        cross join lateral (values ${values}) v(urut, kena, bukti, teks)
       where v.kena
       group by t.${idColumn}`;
    },
  };
}

const future = (ctx: RuleSqlContext, column: string, expr = `t.${column}`): DateProblem => ({
  when: `${expr} > ${today(ctx)}`,
  evidence: `jsonb_build_object('jenis', 'masa_depan', 'kolom', '${column}', 'tanggal', ${expr})`,
  text: `'${column} ' || ${ymd(expr)} || ' berada di masa depan'`,
});

/**
 * The yyyyMMdd embedded in an OSS id, as text: a cheap pre-check before finding_id_date. One-letter prefixes (K-, I-,
 * R-: nearly every id) take a substr; only the others pay for the regex.
 */
const idDigits = (id: string) =>
  `case when substr(${id}, 2, 1) = '-' then substr(${id}, 3, 8) else substring(${id} from '^[A-Z][A-Z0-9]{0,3}-([0-9]{8})') end`;

export const DATE_INCONSISTENT: Rule = {
  code: 'DATE_INCONSISTENT',
  severity: 'warning',
  title: 'Tanggal tidak konsisten',
  description:
    'Tanggal berakhir mendahului tanggal mulai, tanggal terbit NIB mendahului pengajuannya, tanggal pengajuan/terbit berada di masa depan, atau tanggal yang tertanam di ID (K-, R-, I- + yyyyMMdd) berbeda dengan tanggal pengajuan.',
  timeBased: true,
  checks: [
    dateCheck(
      'kemitraan',
      'kemitraan',
      'id_kemitraan',
      'Tanggal pada kemitraan {entity_id} tidak konsisten: {alasan}.',
      (ctx) => {
        const submitted = wibDate('t.tgl_pengajuan');
        return [
          {
            when: 't.tgl_berakhir < t.tgl_mulai',
            evidence: `jsonb_build_object('jenis', 'berakhir_sebelum_mulai', 'tgl_mulai', t.tgl_mulai, 'tgl_berakhir', t.tgl_berakhir)`,
            text: `'tgl_berakhir ' || ${ymd('t.tgl_berakhir')} || ' lebih awal dari tgl_mulai ' || ${ymd('t.tgl_mulai')}`,
          },
          future(ctx, 'tgl_kesepakatan'),
          future(ctx, 'tgl_pengajuan', submitted),
          {
            // The cheap text comparison first; finding_id_date (calendar check) only for the rows that differ.
            when: `case when ${idDigits('t.id_kemitraan')} <> to_char(${submitted}, 'YYYYMMDD') then finding_id_date(t.id_kemitraan) <> ${submitted} end`,
            evidence: `jsonb_build_object('jenis', 'tanggal_id_berbeda', 'tanggal_di_id', finding_id_date(t.id_kemitraan), 'tgl_pengajuan', ${submitted})`,
            text: `'tanggal pada ID (' || ${ymd('finding_id_date(t.id_kemitraan)')} || ') berbeda dengan tgl_pengajuan (' || ${ymd(submitted)} || ')'`,
          },
        ];
      },
    ),
    dateCheck('pelaku_usaha', 'pelaku_usaha', 'nib', 'Tanggal NIB {entity_id} tidak konsisten: {alasan}.', (ctx) => [
      {
        when: 't.tgl_terbit_nib < t.tgl_pengajuan_nib',
        evidence: `jsonb_build_object('jenis', 'terbit_sebelum_pengajuan', 'tgl_pengajuan_nib', t.tgl_pengajuan_nib, 'tgl_terbit_nib', t.tgl_terbit_nib)`,
        text: `'tgl_terbit_nib ' || ${ymd('t.tgl_terbit_nib')} || ' lebih awal dari tgl_pengajuan_nib ' || ${ymd('t.tgl_pengajuan_nib')}`,
      },
      future(ctx, 'tgl_pengajuan_nib'),
      future(ctx, 'tgl_terbit_nib'),
      future(ctx, 'tgl_perubahan_nib'),
    ]),
    dateCheck('proyek', 'proyek', 'id_proyek', 'Tanggal proyek {entity_id} tidak konsisten: {alasan}.', (ctx) => [
      future(ctx, 'tgl_pengajuan_proyek'),
    ]),
    dateCheck('perizinan', 'perizinan', 'id_izin', 'Tanggal izin {entity_id} tidak konsisten: {alasan}.', (ctx) => [
      future(ctx, 'tgl_izin'),
      {
        when: `case when to_char(t.tgl_izin, 'YYYYMMDD') < ${idDigits('t.id_izin')} then t.tgl_izin < finding_id_date(t.id_izin) end`,
        evidence: `jsonb_build_object('jenis', 'terbit_sebelum_pengajuan', 'tanggal_di_id', finding_id_date(t.id_izin), 'tgl_izin', t.tgl_izin)`,
        text: `'tgl_izin ' || ${ymd('t.tgl_izin')} || ' lebih awal dari tanggal pengajuan pada ID (' || ${ymd('finding_id_date(t.id_izin)')} || ')'`,
      },
    ]),
  ],
};

/** The Identity and format rules, in catalogue order. A new rule of this family is added here. */
export const IDENTITY_RULES: readonly Rule[] = [
  NIB_FORMAT,
  NPWP_FORMAT,
  NPWP_MULTI_NIB,
  NIK_INVALID,
  KD_DAERAH_INVALID,
  KBLI_INVALID,
  DATE_INCONSISTENT,
];
