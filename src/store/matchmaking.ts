/*
 * The SQL of Peluang kemitraan (matchmaking): large businesses (UB) with a project in the region, the local UMKM
 * that could supply them or sell through them and are not their partners yet, and the office's readiness markings.
 * A UB is a pelaku_usaha of skala 04 or the UB side of a partnership, with a project location in the region. A
 * candidate UMKM has an active NIB (01, 03, 04), is micro or small (01, 02), is domiciled in the region or has a
 * project location in it, runs a project whose KBLI the supply-chain map pairs with one of the UB's KBLIs (its
 * projects' and its partnerships' kbli_ub), has no partnership with that UB (withdrawn ones aside), and has no
 * open, in-review or confirmed error-level finding on its NIB, its projects or its licences. Every value is a
 * binding; ranking and reasons are src/report/matchmaking.ts.
 */
import type { Knex } from 'knex';

/** NIB statuses under which a business may operate (L14: 01 Aktif, 03 Diizinkan Usaha, 04 Diizinkan Beroperasi). */
export const ACTIVE_STATUS_NIB = ['01', '03', '04'] as const;

/** Micro and small scales (L31): the UMKM a forum invites. */
export const CANDIDATE_SKALA = ['01', '02'] as const;

/** Finding statuses that still hold against a business. */
const STANDING_FINDING_STATUSES = ['open', 'in_review', 'confirmed'] as const;

export const READINESS_STATUSES = ['siap', 'belum_siap'] as const;
export type ReadinessStatus = (typeof READINESS_STATUSES)[number];

/** One pair of the supply-chain map: a UB KBLI prefix, a UMKM KBLI prefix, the index of its chain. */
export interface ChainPair {
  ubPrefix: string;
  mitraPrefix: string;
  chain: number;
}

/** One (UB KBLI, UMKM KBLI) pair of the map that a candidate matched. */
export interface CandidateMatch {
  kbli_ub: string;
  kbli_umkm: string;
  chain: number;
}

/** A UMKM that could partner with a UB: the pair, where they are, how far apart, and the office's judgement. */
export interface CandidateRow {
  nib_ub: string;
  nama_ub: string | null;
  kd_kecamatan_ub: string | null;
  kecamatan_ub: string | null;
  nib_umkm: string;
  nama_umkm: string | null;
  skala_usaha: string;
  kd_kecamatan: string | null;
  kecamatan: string | null;
  /** Every map pair the two match on, the lowest chain index first. */
  matches: CandidateMatch[];
  /** Haversine distance between the nearest project locations with coordinates; null when either has none. */
  jarak_km: number | null;
  /** A project location of the UB in the region lies in the UMKM's kecamatan (domicile or project). */
  sekecamatan: boolean;
  kesiapan: ReadinessStatus | null;
  catatan: string | null;
  dicatat_oleh: string | null;
  dicatat_pada: Date | null;
}

export interface CandidateQuery {
  /** OSS_KD_DAERAH: 2 (province) or 4 (kabupaten/kota) digits. */
  kdDaerah: string;
  pairs: readonly ChainPair[];
  /** Only this UB. */
  nibUb?: string | null;
}

/** The region's project locations (of projects not withdrawn) and the large businesses that have one. */
function regionSql(): string {
  return `
    region_loc as (
      select l.nib, l.kd_kecamatan, l.lat, l.lng
        from proyek_lokasi l
        join proyek pr on pr.id_proyek = l.id_proyek and pr.deleted_at is null
       where l.deleted_at is null and (l.proyek_daerah_id like :region or l.kd_kecamatan like :region)
    ),
    ub as (
      select n.nib,
             coalesce(p.nama_perseroan,
                      (select max(k.nama_ub) from kemitraan k where k.nib_ub = n.nib and k.deleted_at is null)) as nama
        from (select p.nib from pelaku_usaha p where p.deleted_at is null and p.skala_usaha = '04'
              union
              select k.nib_ub from kemitraan k where k.deleted_at is null and k.nib_ub is not null) n
        left join pelaku_usaha p on p.nib = n.nib and p.deleted_at is null
       where n.nib in (select l.nib from region_loc l)
         and (cast(:nibUb as text) is null or n.nib = :nibUb)
    )`;
}

/** The large businesses with a project location in the region (by name), for --ub and for the summary line. */
export async function regionLargeBusinesses(
  db: Knex,
  opts: { kdDaerah: string; nibUb?: string | null },
): Promise<Array<{ nib: string; nama: string | null }>> {
  const r = await db.raw(`with ${regionSql()} select ub.nib, ub.nama from ub order by ub.nama nulls last, ub.nib`, {
    region: `${opts.kdDaerah}%`,
    nibUb: opts.nibUb ?? null,
  });
  return r.rows;
}

// Every step below is a set joined by hash: looked up row by row, the same query took 17 s at 10,000 partnerships.
/** Every eligible (UB, UMKM) pair of the region, unranked. */
export async function matchmakingCandidates(db: Knex, q: CandidateQuery): Promise<CandidateRow[]> {
  if (q.pairs.length === 0) return [];
  const haversine = `2 * 6371.0088 * asin(least(1, sqrt(
                       power(sin(radians(b.lat - a.lat) / 2), 2)
                       + cos(radians(a.lat)) * cos(radians(b.lat)) * power(sin(radians(b.lng - a.lng) / 2), 2))))`;
  // The planner cannot estimate the prefix joins of the map and the CTEs (millions of rows for a few thousand): at
  // that cost Postgres JIT-compiles the query, which took 13 of 14 s at 10,000 partnerships. Without JIT: under 1 s.
  const r = await db.transaction(async (trx): Promise<{ rows: unknown[] }> => {
    await trx.raw('set local jit = off');
    return trx.raw(
      `with chain (ub_prefix, mitra_prefix, chain) as (
       select * from unnest(cast(:ubPrefixes as text[]), cast(:mitraPrefixes as text[]), cast(:chains as int[]))
     ),
     ${regionSql()},
     ub_loc as (select l.* from region_loc l where l.nib in (select ub.nib from ub)),
     ub_kbli as (
       select pr.nib, pr.kbli from proyek pr join ub on ub.nib = pr.nib
        where pr.deleted_at is null and pr.kbli ~ '^[0-9]{5}$'
       union
       select k.nib_ub, k.kbli_ub from kemitraan k join ub on ub.nib = k.nib_ub
        where k.deleted_at is null and k.kbli_ub ~ '^[0-9]{5}$'
     ),
     -- NIBs with a standing error-level finding on the business, one of its projects or one of its licences.
     flagged as (
       select f.entity_id as nib from findings f
        where f.severity = 'error' and f.status = any(cast(:standing as text[])) and f.entity_type = 'pelaku_usaha'
       union
       select x.nib from findings f join proyek x on x.id_proyek = f.entity_id
        where f.severity = 'error' and f.status = any(cast(:standing as text[])) and f.entity_type = 'proyek'
       union
       select z.nib from findings f join perizinan z on z.id_izin = f.entity_id
        where f.severity = 'error' and f.status = any(cast(:standing as text[])) and f.entity_type = 'perizinan'
     ),
     umkm as (
       select p.nib, p.nama_perseroan as nama, p.skala_usaha, p.kd_kecamatan,
              coalesce(p.perseroan_daerah_id like :region or p.kd_kecamatan like :region, false) as berdomisili
         from pelaku_usaha p
        where p.deleted_at is null
          and p.status_nib = any(cast(:activeStatus as text[]))
          and p.skala_usaha = any(cast(:skala as text[]))
          and (p.perseroan_daerah_id like :region or p.kd_kecamatan like :region
               or p.nib in (select l.nib from region_loc l))
          and not exists (select 1 from flagged g where g.nib = p.nib)
     ),
     umkm_kbli as (
       select distinct pr.nib, pr.kbli from proyek pr join umkm u on u.nib = pr.nib
        where pr.deleted_at is null and pr.kbli ~ '^[0-9]{5}$'
     ),
     umkm_loc as (
       select l.nib, l.kd_kecamatan, l.lat, l.lng
         from proyek_lokasi l
         join umkm u on u.nib = l.nib
         join proyek pr on pr.id_proyek = l.id_proyek and pr.deleted_at is null
        where l.deleted_at is null
     ),
     partnered as (
       select distinct k.nib_ub, k.nib_umkm from kemitraan k
        where k.deleted_at is null and k.nib_ub is not null and k.nib_umkm is not null
     ),
     matched as (
       select uk.nib as nib_ub, mk.nib as nib_umkm, uk.kbli as kbli_ub, mk.kbli as kbli_umkm, min(c.chain) as chain
         from ub_kbli uk
         join chain c on uk.kbli like c.ub_prefix || '%'
         join umkm_kbli mk on mk.kbli like c.mitra_prefix || '%'
        where mk.nib <> uk.nib
          and not exists (select 1 from partnered pt where pt.nib_ub = uk.nib and pt.nib_umkm = mk.nib)
        group by 1, 2, 3, 4
     ),
     pair as (
       select m.nib_ub, m.nib_umkm,
              jsonb_agg(jsonb_build_object('kbli_ub', m.kbli_ub, 'kbli_umkm', m.kbli_umkm, 'chain', m.chain)
                        order by m.chain, m.kbli_umkm, m.kbli_ub) as matches
         from matched m group by 1, 2
     ),
     -- The nearest pair of locations with coordinates: the UB's in the region, the UMKM's anywhere.
     dist as (
       select distinct on (pa.nib_ub, pa.nib_umkm) pa.nib_ub, pa.nib_umkm, ${haversine} as km, a.kd_kecamatan as kec_ub
         from pair pa
         join ub_loc a on a.nib = pa.nib_ub
         join umkm_loc b on b.nib = pa.nib_umkm
        where a.lat is not null and a.lng is not null and b.lat is not null and b.lng is not null
        order by pa.nib_ub, pa.nib_umkm, km
     ),
     same_kec as (
       select distinct pa.nib_ub, pa.nib_umkm
         from pair pa
         join ub_loc a on a.nib = pa.nib_ub
         join (select u.nib, u.kd_kecamatan from umkm u union select l.nib, l.kd_kecamatan from umkm_loc l) b
           on b.nib = pa.nib_umkm and b.kd_kecamatan = a.kd_kecamatan
     ),
     ub_kec as (
       select distinct on (l.nib) l.nib, l.kd_kecamatan from ub_loc l
        where l.kd_kecamatan is not null order by l.nib, l.kd_kecamatan
     ),
     umkm_region_kec as (
       select distinct on (l.nib) l.nib, l.kd_kecamatan from region_loc l
        where l.kd_kecamatan is not null and l.nib in (select u.nib from umkm u) order by l.nib, l.kd_kecamatan
     )
     select pa.nib_ub, ub.nama as nama_ub, coalesce(d.kec_ub, ubk.kd_kecamatan) as kd_kecamatan_ub,
            kub.nama as kecamatan_ub, pa.nib_umkm, u.nama as nama_umkm, u.skala_usaha,
            kk.kd_kecamatan, kum.nama as kecamatan, pa.matches, d.km as jarak_km, (s.nib_ub is not null) as sekecamatan,
            rd.status as kesiapan, rd.note as catatan, rd.marked_by as dicatat_oleh, rd.marked_at as dicatat_pada
       from pair pa
       join ub on ub.nib = pa.nib_ub
       join umkm u on u.nib = pa.nib_umkm
       left join dist d on d.nib_ub = pa.nib_ub and d.nib_umkm = pa.nib_umkm
       left join same_kec s on s.nib_ub = pa.nib_ub and s.nib_umkm = pa.nib_umkm
       left join ub_kec ubk on ubk.nib = pa.nib_ub
       left join umkm_region_kec urk on urk.nib = pa.nib_umkm
       -- Where the UMKM is: its domicile when that is in the region, else its project location in the region.
       cross join lateral (
              select coalesce(case when u.berdomisili then u.kd_kecamatan end, urk.kd_kecamatan, u.kd_kecamatan)
                       as kd_kecamatan
            ) kk
       left join ref_kecamatan kub on kub.kd_kecamatan = coalesce(d.kec_ub, ubk.kd_kecamatan)
       left join ref_kecamatan kum on kum.kd_kecamatan = kk.kd_kecamatan
       left join umkm_readiness rd on rd.nib = pa.nib_umkm
      order by pa.nib_ub, pa.nib_umkm`,
      {
        ubPrefixes: q.pairs.map((p) => p.ubPrefix),
        mitraPrefixes: q.pairs.map((p) => p.mitraPrefix),
        chains: q.pairs.map((p) => p.chain),
        region: `${q.kdDaerah}%`,
        nibUb: q.nibUb ?? null,
        activeStatus: [...ACTIVE_STATUS_NIB],
        skala: [...CANDIDATE_SKALA],
        standing: [...STANDING_FINDING_STATUSES],
      },
    );
  });
  return (r.rows as Array<CandidateRow & { jarak_km: number | string | null }>).map((row) => ({
    ...row,
    jarak_km: row.jarak_km === null ? null : Number(row.jarak_km),
  }));
}

/** The business a marking is about, as stored (null when the NIB is unknown or withdrawn). */
export async function businessForReadiness(
  db: Knex,
  nib: string,
): Promise<{ nib: string; nama: string | null; skala_usaha: string | null; status_nib: string | null } | null> {
  const row = await db('pelaku_usaha')
    .where({ nib })
    .whereNull('deleted_at')
    .first('nib', 'nama_perseroan as nama', 'skala_usaha', 'status_nib');
  return row ?? null;
}

export interface ReadinessRow {
  nib: string;
  status: ReadinessStatus;
  note: string | null;
  marked_by: string;
  marked_at: Date;
}

export interface ReadinessEventRow {
  id: number;
  nib: string;
  from_status: ReadinessStatus | null;
  to_status: ReadinessStatus;
  note: string | null;
  marked_by: string;
  marked_at: Date;
}

/**
 * Records the office's judgement of a UMKM: the current row (replaced) and an event (appended), in one
 * transaction. Returns the judgement it replaced (null for the first) and the new one.
 */
export async function markReadiness(
  db: Knex,
  mark: { nib: string; status: ReadinessStatus; note: string | null; by: string },
): Promise<{ previous: ReadinessRow | null; current: ReadinessRow }> {
  return db.transaction(async (trx) => {
    const previous: ReadinessRow | null =
      (await trx('umkm_readiness').where({ nib: mark.nib }).forUpdate().first()) ?? null;
    const [current] = (await trx('umkm_readiness')
      .insert({ nib: mark.nib, status: mark.status, note: mark.note, marked_by: mark.by, marked_at: trx.fn.now() })
      .onConflict('nib')
      .merge()
      .returning(['nib', 'status', 'note', 'marked_by', 'marked_at'])) as ReadinessRow[];
    await trx('umkm_readiness_events').insert({
      nib: mark.nib,
      from_status: previous?.status ?? null,
      to_status: mark.status,
      note: mark.note,
      marked_by: mark.by,
      marked_at: (current as ReadinessRow).marked_at,
    });
    return { previous, current: current as ReadinessRow };
  });
}

/** The markings of one NIB, oldest first. */
export async function readinessEvents(db: Knex, nib: string): Promise<ReadinessEventRow[]> {
  return db('umkm_readiness_events').where({ nib }).orderBy('id');
}

/** The markings of several NIBs (a page of the list), oldest first per NIB; NIBs without a marking are absent. */
export async function readinessEventsOf(db: Knex, nibs: readonly string[]): Promise<Map<string, ReadinessEventRow[]>> {
  const out = new Map<string, ReadinessEventRow[]>();
  if (nibs.length === 0) return out;
  const rows: ReadinessEventRow[] = await db('umkm_readiness_events')
    .whereIn('nib', [...new Set(nibs)])
    .orderBy([{ column: 'nib' }, { column: 'id' }]);
  for (const r of rows) out.set(r.nib, [...(out.get(r.nib) ?? []), { ...r, id: Number(r.id) }]);
  return out;
}
