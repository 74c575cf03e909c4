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
  /** Keys ('kemitraan:K-…', 'pelaku_usaha:<nib>') of the other records the finding was computed from. */
  related: string[];
  /** The verifier the finding is assigned to ("Ditugaskan ke"), and since when. */
  assigned_to: string | null;
  assigned_at: Date | null;
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

/** Orders of the queue; absent: severity, rule, kecamatan (the CLI's order). */
export const FINDING_ORDERS = ['severity', 'newest', 'oldest', 'rule'] as const;
export type FindingOrder = (typeof FINDING_ORDERS)[number];

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
  /** Assigned to this user (user names compare case-insensitively); null: assigned to nobody. */
  assignedTo?: string | null;
  /**
   * Text search: part of the entity id or of the message (case-insensitive), or an exact NIB, id_kemitraan,
   * id_proyek or id_izin the finding is about (for a partnership, either party's NIB; for a licence, its project).
   */
  search?: string;
  /** At most this many rows (the total is still counted). */
  limit?: number;
  /** Rows to skip before the first one returned (paging). */
  offset?: number;
  order?: FindingOrder;
  /** Count at most this many matches (then `totalIsAtLeast`): a count that never scans a whole large table. */
  countCap?: number;
}

const COLUMNS = `
  f.id, f.rule_code, r.title as rule_title, f.severity, f.entity_type, f.entity_id, f.kd_daerah, f.kd_kecamatan,
  k.nama as kecamatan, f.status, f.message, f.evidence, f.first_seen_at, f.last_seen_at, f.first_run_id, f.last_run_id,
  f.verified_by, f.verified_at, f.note, f.resolved_at, f.resolved_run_id, f.reopen_count, f.related,
  f.assigned_to, f.assigned_at`;
const JOINS = `
    left join finding_rules r on r.rule_code = f.rule_code
    left join ref_kecamatan k on k.kd_kecamatan = f.kd_kecamatan`;
const SELECT = `select ${COLUMNS} from findings f ${JOINS}`;

const SEVERITY_RANK = `case f.severity when 'error' then 0 when 'warning' then 1 else 2 end`;
const ORDER = `order by ${SEVERITY_RANK}, f.rule_code, f.kd_kecamatan nulls last, f.id`;
const ORDERS: Readonly<Record<FindingOrder, string>> = {
  severity: `order by ${SEVERITY_RANK}, f.first_seen_at desc, f.id desc`,
  newest: 'order by f.first_seen_at desc, f.id desc',
  oldest: 'order by f.first_seen_at, f.id',
  rule: `order by f.rule_code, ${SEVERITY_RANK}, f.first_seen_at desc, f.id desc`,
};

/** `s` as a LIKE pattern that matches it literally anywhere. */
const containing = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

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
  if (filter.assignedTo === null) parts.push('f.assigned_to is null');
  else if (filter.assignedTo !== undefined) {
    parts.push('lower(f.assigned_to) = lower(?)');
    bindings.push(filter.assignedTo);
  }
  const term = filter.search?.trim();
  if (term) {
    // Exact ids go through indexes (the parties of a partnership, a project's or licence's NIB); the rest is a
    // substring match on the entity id and the message.
    // Without letters case does not matter, and LIKE is cheaper than ILIKE on every message.
    const like = /\p{L}/u.test(term) ? 'ilike' : 'like';
    parts.push(`(f.entity_id ${like} ? or f.message ${like} ? or f.related && ?::text[]
      or (f.entity_type = 'kemitraan' and f.entity_id in (select id_kemitraan from kemitraan where nib_ub = ? or nib_umkm = ?))
      or (f.entity_type = 'proyek' and f.entity_id in (select id_proyek from proyek where nib = ?))
      or (f.entity_type = 'perizinan' and f.entity_id in (select id_izin from perizinan where nib = ? or id_proyek = ?)))`);
    bindings.push(
      containing(term),
      containing(term),
      ENTITY_TYPES.map((t) => `${t}:${term}`),
      term,
      term,
      term,
      term,
      term,
    );
  }
  return { sql: parts.length ? `where ${parts.join(' and ')}` : '', bindings };
}

/**
 * The findings matching `filter` in its order (most severe first by default), and how many match in all: with
 * `countCap`, at most that many are counted and `totalIsAtLeast` says the count stopped there.
 */
export async function listFindings(
  db: Knex,
  filter: FindingFilter,
): Promise<{ rows: FindingRow[]; total: number; totalIsAtLeast: boolean }> {
  const w = where(filter);
  const page: string[] = [];
  const pageBindings: Knex.RawBinding[] = [];
  if (filter.limit !== undefined) {
    page.push('limit ?');
    pageBindings.push(filter.limit);
  }
  if (filter.offset) {
    page.push('offset ?');
    pageBindings.push(filter.offset);
  }
  const cap = filter.countCap ?? null;
  const order = filter.order ? ORDERS[filter.order] : ORDER;
  // A page is chosen on the narrow rows (id and the sort keys), then only its rows are read whole: sorting every
  // match with its evidence and message is what made a page slow.
  const rows =
    page.length === 0
      ? `${SELECT} ${w.sql} ${order}`
      : `select ${COLUMNS} from (select f.id from findings f ${w.sql} ${order} ${page.join(' ')}) p
           join findings f on f.id = p.id ${JOINS} ${order}`;
  const [list, total] = await Promise.all([
    db.raw(rows, [...w.bindings, ...pageBindings]),
    cap === null
      ? db.raw(`select count(*)::int as n from findings f ${w.sql}`, w.bindings)
      : db.raw(`select count(*)::int as n from (select 1 from findings f ${w.sql} limit ?) c`, [
          ...w.bindings,
          cap + 1,
        ]),
  ]);
  const n = total.rows[0].n as number;
  const capped = cap !== null && n > cap;
  return { rows: list.rows as FindingRow[], total: capped ? cap : n, totalIsAtLeast: capped };
}

/**
 * The NIB of each project or licence finding's entity (their pages live under the NIB), keyed 'proyek:<id>' and
 * 'perizinan:<id>'; a record no longer synced has none.
 */
export async function entityNibs(
  db: Knex,
  entities: ReadonlyArray<{ entity_type: string; entity_id: string }>,
): Promise<Map<string, string>> {
  const ids = (type: string) => [...new Set(entities.filter((e) => e.entity_type === type).map((e) => e.entity_id))];
  const proyek = ids('proyek');
  const izin = ids('perizinan');
  const out = new Map<string, string>();
  if (proyek.length === 0 && izin.length === 0) return out;
  const { rows } = await db.raw(
    `select 'proyek:' || id_proyek as key, nib from proyek where id_proyek = any(?::text[]) and nib is not null
     union all
     select 'perizinan:' || id_izin, nib from perizinan where id_izin = any(?::text[]) and nib is not null`,
    [proyek, izin],
  );
  for (const r of rows as Array<{ key: string; nib: string }>) out.set(r.key, r.nib);
  return out;
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
