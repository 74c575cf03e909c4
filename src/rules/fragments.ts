/** SQL fragments shared by several rules. Pure string building over a RuleSqlContext. */
import { lit, textArray } from './sql.js';
import type { RuleSqlContext } from './types.js';

/** The evaluation day as a SQL date. */
export const today = (ctx: RuleSqlContext): string => `${lit(ctx.today)}::date`;

/** A date as 'YYYY-MM-DD' text (independent of the session's DateStyle). */
export const ymd = (expr: string): string => `to_char(${expr}, 'YYYY-MM-DD')`;

/** The WIB calendar day of a timestamptz. */
export const wibDate = (expr: string): string => `(${expr} at time zone 'Asia/Jakarta')::date`;

/** "PT A – CV B": the two parties of a partnership alias, by name or NIB. */
export const parties = (k: string): string =>
  `coalesce(${k}.nama_ub, ${k}.nib_ub, '-') || ' – ' || coalesce(${k}.nama_umkm, ${k}.nib_umkm, ${k}.nik_umkm_masked, '-')`;

/** The KBLI 2020 title of a code, from ref_kbli (seeded from config/reference/kbli.json). */
export const kbliTitle = (expr: string): string =>
  `coalesce((select rk.judul from ref_kbli rk where rk.kbli = ${expr}), 'judul tidak dikenal')`;

/** Why a KBLI is invalid ('…' text), or null when it is a 5-digit KBLI 2020 code of the reference list. */
export function kbliProblem(ctx: RuleSqlContext, expr: string): string {
  return `case when ${expr} is null then null
    when ${expr} ~ '^[0-9]{4}$' then 'hanya 4 digit (angka 0 di depan kemungkinan hilang)'
    when ${expr} !~ '^[0-9]{5}$' then 'bukan kode 5 digit angka'
    when not (${expr} = any(${textArray(ctx.reference.kbli)})) then 'tidak terdapat dalam daftar KBLI 2020'
  end`;
}

/**
 * The problems of a Kemendagri region code as a text[] of keys: 'panjang' (not 10 digits), 'provinsi' (unknown
 * province), 'kabupaten' (unknown kabupaten/kota in a province whose list is complete), 'kecamatan' (unknown
 * kecamatan in a kabupaten whose list is complete), 'desa_kelurahan' (7th digit not 1 kelurahan / 2 desa).
 * `adminLevel`: zero-padded province or kabupaten codes ('3317000000') are valid (licences' kd_daerah).
 */
export function regionProblems(ctx: RuleSqlContext, code: string, adminLevel: boolean): string {
  const r = ctx.reference;
  const kabWithKecamatan = [...new Set(r.kecamatan.map((k) => k.slice(0, 4)))];
  const ten = `${code} ~ '^[0-9]{10}$'`;
  return `array_remove(array[
    case when ${code} !~ '^[0-9]{10}$' then 'panjang' end,
    case when ${ten} and not (left(${code}, 2) = any(${textArray(r.provinces)})) then 'provinsi' end,
    case when ${ten} and left(${code}, 2) = any(${textArray(r.kabupatenCompleteForProvinces)})
              and substr(${code}, 3, 2) <> '00' and not (left(${code}, 4) = any(${textArray(r.kabupaten)})) then 'kabupaten' end,
    case when ${ten} and left(${code}, 4) = any(${textArray(kabWithKecamatan)}) and substr(${code}, 5, 2) <> '00'
              and not (left(${code}, 6) = any(${textArray(r.kecamatan)})) then 'kecamatan' end,
    case when ${ten} and substr(${code}, 7, 1) not in ('1', '2')
              and not (${adminLevel ? 'true' : 'false'} and substr(${code}, 7, 4) = '0000') then 'desa_kelurahan' end
  ], null)`;
}

/**
 * True when `regionProblems` of `code` is empty, as a cheap condition evaluated first (most codes are valid, so the
 * problem array is only built for the rest).
 */
export function regionValid(ctx: RuleSqlContext, code: string, adminLevel: boolean): string {
  const r = ctx.reference;
  const kabWithKecamatan = [...new Set(r.kecamatan.map((k) => k.slice(0, 4)))];
  const shape = adminLevel
    ? `(${code} ~ '^[0-9]{6}[12][0-9]{3}$' or ${code} ~ '^[0-9]{6}0000$')`
    : `${code} ~ '^[0-9]{6}[12][0-9]{3}$'`;
  return `(${shape}
    and left(${code}, 2) = any(${textArray(r.provinces)})
    and (not (left(${code}, 2) = any(${textArray(r.kabupatenCompleteForProvinces)})) or substr(${code}, 3, 2) = '00'
         or left(${code}, 4) = any(${textArray(r.kabupaten)}))
    and (not (left(${code}, 4) = any(${textArray(kabWithKecamatan)})) or substr(${code}, 5, 2) = '00'
         or left(${code}, 6) = any(${textArray(r.kecamatan)})))`;
}

/** Indonesian text for the problem keys of `regionProblems` of `code`, joined with '; '. */
export function regionProblemText(problems: string, code: string): string {
  return `array_to_string(array(select case p
      when 'panjang' then 'bukan 10 digit angka'
      when 'provinsi' then 'kode provinsi ' || left(${code}, 2) || ' tidak dikenal'
      when 'kabupaten' then 'kode kabupaten/kota ' || left(${code}, 4) || ' tidak dikenal'
      when 'kecamatan' then 'kode kecamatan ' || left(${code}, 6) || ' tidak dikenal'
      when 'desa_kelurahan' then 'digit ke-7 (' || substr(${code}, 7, 1) || ') bukan 1 (kelurahan) atau 2 (desa)'
    end from unnest(${problems}) p), '; ')`;
}
