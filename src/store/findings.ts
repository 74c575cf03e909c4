/** Read side of the findings tables: the verifier's queue, one finding with its history, related records. */
import type { Knex } from 'knex';
import { ENTITY_TYPES, type EntityType } from '../domain/glossary.js';

/** A finding as the CLI, exports and HTTP read it. */
export interface FindingRow {
  id: number;
  rule_code: string;
  rule_title: string | null;
  severity: string;
  entity_type: EntityType;
  entity_id: string;
  kd_daerah: string | null;
  kd_kecamatan: string | null;
  kecamatan: string | null;
  status: string;
  message: string;
  evidence: Record<string, unknown>;
  first_seen_at: Date;
  last_seen_at: Date;
  first_run_id: number | null;
  last_run_id: number | null;
  verified_by: string | null;
  verified_at: Date | null;
  note: string | null;
  resolved_at: Date | null;
  resolved_run_id: number | null;
  reopen_count: number;
}

export interface FindingEventRow {
  id: number;
  at: Date;
  kind: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  note: string | null;
  run_id: number | null;
}

/** Filters of the queue; every list is OR-ed inside, and the filters are AND-ed. Empty or absent: no filter. */
export interface FindingFilter {
  rules?: readonly string[];
  severities?: readonly string[];
  /** Statuses to include; absent: every status. */
  statuses?: readonly string[];
  /** 6-digit kecamatan codes. */
  kecamatan?: readonly string[];
  entityTypes?: readonly EntityType[];
  entityIds?: readonly string[];
  /** At most this many rows (the total is still counted). */
  limit?: number;
}

const SELECT = `
  select f.id, f.rule_code, r.title as rule_title, f.severity, f.entity_type, f.entity_id, f.kd_daerah, f.kd_kecamatan,
         k.nama as kecamatan, f.status, f.message, f.evidence, f.first_seen_at, f.last_seen_at, f.first_run_id, f.last_run_id,
         f.verified_by, f.verified_at, f.note, f.resolved_at, f.resolved_run_id, f.reopen_count
    from findings f
    left join finding_rules r on r.rule_code = f.rule_code
    left join ref_kecamatan k on k.kd_kecamatan = f.kd_kecamatan`;

const ORDER = `order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, f.rule_code, f.kd_kecamatan nulls last, f.id`;

function where(filter: FindingFilter): { sql: string; bindings: Knex.RawBinding[] } {
  const parts: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  const any = (column: string, values: readonly string[] | undefined) => {
    if (values && values.length > 0) {
      parts.push(`${column} = any(?::text[])`);
      bindings.push([...values]);
    }
  };
  any('f.rule_code', filter.rules);
  any('f.severity', filter.severities);
  any('f.status', filter.statuses);
  any('f.kd_kecamatan', filter.kecamatan);
  any('f.entity_type', filter.entityTypes);
  any('f.entity_id', filter.entityIds);
  return { sql: parts.length ? `where ${parts.join(' and ')}` : '', bindings };
}

/** The findings matching `filter`, most severe first, and how many match in all. */
export async function listFindings(db: Knex, filter: FindingFilter): Promise<{ rows: FindingRow[]; total: number }> {
  const w = where(filter);
  const limit = filter.limit ?? null;
  const [list, total] = await Promise.all([
    db.raw(
      `${SELECT} ${w.sql} ${ORDER} ${limit === null ? '' : 'limit ?'}`,
      limit === null ? w.bindings : [...w.bindings, limit],
    ),
    db.raw(`select count(*)::int as n from findings f ${w.sql}`, w.bindings),
  ]);
  return { rows: list.rows as FindingRow[], total: total.rows[0].n as number };
}

export async function getFinding(db: Knex, id: number): Promise<FindingRow | null> {
  const r = await db.raw(`${SELECT} where f.id = ?`, [id]);
  return (r.rows[0] as FindingRow | undefined) ?? null;
}

/** The audit history of a finding, oldest first. */
export async function findingEvents(db: Knex, id: number): Promise<FindingEventRow[]> {
  return db('finding_events')
    .where({ finding_id: id })
    .orderBy('id')
    .select('id', 'at', 'kind', 'from_status', 'to_status', 'actor', 'note', 'run_id');
}

/** The sync runs that saw a finding, ascending. */
export async function findingRunIds(db: Knex, id: number): Promise<number[]> {
  const r = await db('finding_runs').where({ finding_id: id }).orderBy('run_id').pluck('run_id');
  return r.map(Number);
}

/** The 6-digit codes of kecamatan matching a code or a name (case-insensitive, exact name or code prefix). */
export async function resolveKecamatan(db: Knex, value: string): Promise<string[]> {
  const v = value.trim();
  if (/^\d{6}$/.test(v)) return [v];
  return db('ref_kecamatan')
    .whereRaw('lower(nama) = lower(?)', [v.replace(/^kec(amatan)?\.?\s+/i, '')])
    .pluck('kd_kecamatan');
}

export async function kecamatanNames(db: Knex): Promise<string[]> {
  return db('ref_kecamatan').orderBy('kd_kecamatan').pluck('nama');
}

/** The analyst view of an entity (no full identity numbers), for `show`. */
export async function relatedRecord(
  db: Knex,
  entityType: EntityType,
  entityId: string,
): Promise<Record<string, unknown> | null> {
  const keys: Record<EntityType, string> = {
    pelaku_usaha: 'nib',
    proyek: 'id_proyek',
    perizinan: 'id_izin',
    kemitraan: 'id_kemitraan',
  };
  if (!ENTITY_TYPES.includes(entityType)) return null;
  const row = await db.withSchema('analytics').table(entityType).where(keys[entityType], entityId).first();
  return (row as Record<string, unknown> | undefined) ?? null;
}

/** Realisation rows of a partnership (for `show`). */
export async function partnershipRealisations(db: Knex, idKemitraan: string): Promise<Array<Record<string, unknown>>> {
  return db
    .withSchema('analytics')
    .table('kemitraan_realisasi')
    .where({ id_kemitraan: idKemitraan })
    .whereNull('deleted_at')
    .orderBy(['tahun', 'triwulan'])
    .select('tahun', 'triwulan', 'nilai_realisasi', 'volume_realisasi', 'satuan', 'sumber');
}

/** Active findings (open, in_review, confirmed) per rule, for `status`. */
export async function activeFindingsByRule(
  db: Knex,
): Promise<Array<{ rule_code: string; severity: string; n: number }>> {
  const r = await db.raw(
    `select rule_code, min(severity) as severity, count(*)::int as n from findings
      where status in ('open', 'in_review', 'confirmed') group by rule_code order by n desc, rule_code`,
  );
  return r.rows;
}

/** Where a verifier goes for a finding: the businesses' names, the address, the desa code and coordinates. */
export interface FindingVisitRow {
  finding_id: number;
  nama_ub: string | null;
  nama_umkm: string | null;
  nama_usaha: string | null;
  alamat: string | null;
  kd_desa: string | null;
  lat: number | null;
  lng: number | null;
}

/**
 * The field-visit details of findings: for a partnership the UB and UMKM names and the UB project's location
 * (else the UB's registered address); for a NIB, project or licence the business and its (project) location.
 */
export async function findingVisitDetails(db: Knex, ids: readonly number[]): Promise<FindingVisitRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw(
    `select f.id as finding_id, m.nama_ub, m.nama_umkm, pu.nama_perseroan as nama_usaha,
            coalesce(loc.alamat_usaha, pu.alamat_perseroan) as alamat,
            coalesce(loc.proyek_daerah_id,
                     case when length(m.kd_daerah_pelaksanaan) = 10 then m.kd_daerah_pelaksanaan end,
                     pu.perseroan_daerah_id) as kd_desa,
            loc.lat, loc.lng
       from findings f
       left join kemitraan m on f.entity_type = 'kemitraan' and m.id_kemitraan = f.entity_id
       left join proyek pr on f.entity_type = 'proyek' and pr.id_proyek = f.entity_id
       left join perizinan z on f.entity_type = 'perizinan' and z.id_izin = f.entity_id
       left join lateral (
         select case f.entity_type when 'kemitraan' then m.nib_ub when 'pelaku_usaha' then f.entity_id
                                   when 'proyek' then pr.nib when 'perizinan' then z.nib end as nib,
                case f.entity_type when 'kemitraan' then m.id_proyek_ub when 'proyek' then pr.id_proyek
                                   when 'perizinan' then z.id_proyek end as id_proyek
       ) e on true
       left join pelaku_usaha pu on pu.nib = e.nib
       left join lateral (
         select l.alamat_usaha, l.proyek_daerah_id, l.lat, l.lng from proyek_lokasi l
          where l.deleted_at is null and (l.id_proyek = e.id_proyek or (e.id_proyek is null and l.nib = e.nib))
          order by (l.status_lokasi = '01') desc, l.id_proyek_lokasi limit 1
       ) loc on true
      where f.id = any(?::bigint[])`,
    [[...ids]],
  );
  return rows as FindingVisitRow[];
}
