/*
 * The scope of an incremental evaluation, derived from the change log and from what the rules read.
 *
 * Triggers log every change to the tables rules read (entity_changes: the table and the keys of the old and the new
 * version of each changed row). An evaluation takes the entries into eval_changes inside its own transaction
 * (delete … returning): a failed evaluation rolls the delete back, and entries committed after its snapshot stay
 * for the next one. Above INCREMENTAL_LIMIT entries, or when asked, it evaluates the whole region instead.
 *
 * Each rule check names the tables it reads. LINKS says, for an entity type E and a table T, which E ids a change
 * to T can affect: the one place that knows how the tables join. A rule's scope is the union, over its checks and
 * their reads (plus what placing a finding of that type reads), of those ids, plus the entities whose findings of
 * the rule were computed from a changed entity (findings.related). A new rule that reads linked tables needs
 * nothing here.
 */
import type { Knex } from 'knex';
import { ENTITY_TYPES, type EntityType } from '../domain/glossary.js';
import type { ReadTable, Rule, RuleCheck } from '../rules/index.js';
import { lit } from '../rules/sql.js';
import { PLACEMENT } from './placement.js';
import { rows } from './sql.js';

/** Above this many change-log entries one region-wide evaluation (set-based, no scope) is the cheaper one. */
export const INCREMENTAL_LIMIT = 20_000;

const key = (name: string) => `(c.keys ->> ${lit(name)})`;
/** A key of the changed rows of one table. */
const changed = (tbl: ReadTable, name: string) => `select ${key(name)} from eval_changes c where c.tbl = ${lit(tbl)}`;
/** The partnerships naming the NIB of a changed row (as UB or as UMKM). */
const partnershipsOf = (tbl: ReadTable) => `
  select k.id_kemitraan from eval_changes c join kemitraan k on k.nib_ub = ${key('nib')} where c.tbl = ${lit(tbl)}
  union all
  select k.id_kemitraan from eval_changes c join kemitraan k on k.nib_umkm = ${key('nib')} where c.tbl = ${lit(tbl)}`;

/** For an entity type E and a table T it may read: a select of the E ids a change to T (eval_changes) can affect. */
export const LINKS: Readonly<Record<EntityType, Partial<Record<ReadTable, string>>>> = {
  kemitraan: {
    // The agreement, and those with the same parties and pattern as its old or new version (duplicates' peers).
    kemitraan: `${changed('kemitraan', 'id_kemitraan')}
      union all
      select k.id_kemitraan from eval_changes c
        join kemitraan k on k.nib_ub = ${key('nib_ub')} and k.pola_kemitraan = ${key('pola')}
                        and coalesce(k.nib_umkm, 'nik:' || k.nik_umkm_hash) = ${key('umkm')}
       where c.tbl = 'kemitraan'`,
    kemitraan_realisasi: changed('kemitraan_realisasi', 'id_kemitraan'),
    pelaku_usaha: partnershipsOf('pelaku_usaha'),
    pemegang_saham: partnershipsOf('pemegang_saham'),
    penanggung_jawab: partnershipsOf('penanggung_jawab'),
    proyek: partnershipsOf('proyek'),
    nib_not_found: partnershipsOf('nib_not_found'),
  },
  pelaku_usaha: {
    // The business, those sharing its old or new NPWP, and the UBs it partners as UMKM (its scale counts for them).
    pelaku_usaha: `${changed('pelaku_usaha', 'nib')}
      union all
      select p.nib from eval_changes c join pelaku_usaha p on p.npwp_hash = ${key('npwp_hash')} where c.tbl = 'pelaku_usaha'
      union all
      select k.nib_ub from eval_changes c join kemitraan k on k.nib_umkm = ${key('nib')} where c.tbl = 'pelaku_usaha'`,
    pemegang_saham: changed('pemegang_saham', 'nib'),
    penanggung_jawab: changed('penanggung_jawab', 'nib'),
    proyek: changed('proyek', 'nib'),
    proyek_lokasi: changed('proyek_lokasi', 'nib'),
    // The old and the new UB of a changed agreement.
    kemitraan: changed('kemitraan', 'nib_ub'),
    // A partner's history (when it grew to a large business) counts for the UBs it partners.
    change_history: `
      select k.nib_ub from eval_changes c join kemitraan k on k.nib_umkm = ${key('entity_id')}
       where c.tbl = 'change_history' and ${key('entity_type')} = 'pelaku_usaha'`,
  },
  proyek: {
    proyek: changed('proyek', 'id_proyek'),
    proyek_lokasi: changed('proyek_lokasi', 'id_proyek'),
    proyek_produk: changed('proyek_produk', 'id_proyek'),
    // The old and the new project of a changed licence.
    perizinan: changed('perizinan', 'id_proyek'),
    pelaku_usaha: `select pr.id_proyek from eval_changes c join proyek pr on pr.nib = ${key('nib')} where c.tbl = 'pelaku_usaha'`,
  },
  perizinan: {
    perizinan: changed('perizinan', 'id_izin'),
    proyek_lokasi: `
      select z.id_izin from eval_changes c join perizinan z on z.id_proyek = ${key('id_proyek')}
       where c.tbl = 'proyek_lokasi'`,
  },
};

/** The entity key ('kemitraan:K-…', 'pelaku_usaha:<nib>', …) of a changed row, as findings.related holds them. */
const CHANGED_ENTITY = `case c.tbl
    when 'kemitraan' then 'kemitraan:' || ${key('id_kemitraan')}
    when 'kemitraan_realisasi' then 'kemitraan:' || ${key('id_kemitraan')}
    when 'proyek' then 'proyek:' || ${key('id_proyek')}
    when 'proyek_lokasi' then 'proyek:' || ${key('id_proyek')}
    when 'proyek_produk' then 'proyek:' || ${key('id_proyek')}
    when 'perizinan' then 'perizinan:' || ${key('id_izin')}
    when 'change_history' then ${key('entity_type')} || ':' || ${key('entity_id')}
    else 'pelaku_usaha:' || ${key('nib')} end`;

/** The tables whose changes can affect a check's findings: what it reads, and what placing its findings reads. */
export function scopeReads(check: RuleCheck): ReadTable[] {
  return [...new Set([...check.reads, ...PLACEMENT[check.entityType].reads])];
}

/** The temp tables of the scope (also created for a region-wide evaluation, whose merge reads eval_rule_scope). */
export async function createScopeTables(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`
    drop table if exists eval_changes, eval_reach, eval_related, eval_scope, eval_rule_scope;
    create temp table eval_changes (tbl text not null, keys jsonb not null) on commit drop;
    create temp table eval_reach (entity_type text not null, read_table text not null, entity_id text not null,
                                  primary key (entity_type, read_table, entity_id)) on commit drop;
    create temp table eval_related (rule_code text not null, entity_type text not null, entity_id text not null,
                                    primary key (rule_code, entity_type, entity_id)) on commit drop;
    -- The scope of the rule being evaluated: what RuleSqlContext.inScope reads.
    create temp table eval_scope (entity_type text not null, entity_id text not null,
                                  primary key (entity_type, entity_id)) on commit drop;
    create temp table eval_rule_scope (rule_code text not null, entity_type text not null, entity_id text not null,
                                       primary key (rule_code, entity_type, entity_id)) on commit drop;`);
}

/**
 * Takes the pending change-log entries. Incremental (at most `limit` entries, and not `all`): moved into
 * eval_changes. Otherwise deleted, and the evaluation is region-wide. Returns how many entries were taken.
 */
export async function takePendingChanges(
  trx: Knex.Transaction,
  opts: { all: boolean; limit: number },
): Promise<{ changes: number; regionWide: boolean }> {
  if (!opts.all) {
    const [pending] = await rows<{ n: number }>(
      trx,
      `select count(*)::int as n from (select 1 from entity_changes limit ${Number(opts.limit) + 1}) x`,
    );
    if ((pending?.n ?? 0) <= opts.limit) {
      const [taken] = await rows<{ n: number }>(
        trx,
        `with taken as (delete from entity_changes returning tbl, keys),
              kept as (insert into eval_changes select distinct tbl, keys from taken)
         select count(*)::int as n from taken`,
      );
      await trx.raw('analyze eval_changes');
      const changes = taken?.n ?? 0;
      // Entries committed between the count and the delete can carry it over the limit.
      return { changes, regionWide: changes > opts.limit };
    }
  }
  const deleted = await trx.raw('delete from entity_changes');
  return { changes: deleted.rowCount ?? 0, regionWide: true };
}

/**
 * Fills eval_reach with the ids each (entity type, read table) pair of the rules reaches from the taken changes, and
 * eval_related with the findings computed from a changed entity.
 */
export async function deriveReach(trx: Knex.Transaction, rules: readonly Rule[]): Promise<void> {
  const tables = new Set((await rows<{ tbl: string }>(trx, 'select distinct tbl from eval_changes')).map((r) => r.tbl));
  if (tables.size === 0) return;
  const pairs = new Set<string>();
  for (const rule of rules) {
    for (const check of rule.checks) for (const t of scopeReads(check)) pairs.add(`${check.entityType} ${t}`);
  }
  for (const pair of pairs) {
    const [type, table] = pair.split(' ') as [EntityType, ReadTable];
    if (!tables.has(table)) continue;
    const link = LINKS[type][table];
    if (link === undefined) throw new Error(`no scope link for ${type} reading ${table} (src/verification/scope.ts)`);
    await trx.raw(
      `insert into eval_reach (entity_type, read_table, entity_id)
       select ${lit(type)}, ${lit(table)}, x.id from (${link}) x(id) where x.id is not null
       on conflict do nothing`,
    );
  }
  await trx.raw(`
    insert into eval_related (rule_code, entity_type, entity_id)
    select f.rule_code, f.entity_type, f.entity_id from findings f
     where f.related && (select coalesce(array_agg(distinct ${CHANGED_ENTITY}), '{}') from eval_changes c)
    on conflict do nothing`);
  await trx.raw('analyze eval_reach; analyze eval_related');
}

/** Fills eval_scope with the scope of one rule (and records it in eval_rule_scope); returns its size per type. */
export async function fillRuleScope(trx: Knex.Transaction, rule: Rule): Promise<Partial<Record<EntityType, number>>> {
  const pairs = rule.checks.flatMap((c) => scopeReads(c).map((t) => `(${lit(c.entityType)}, ${lit(t)})`));
  const types = rule.checks.map((c) => lit(c.entityType));
  await trx.raw('delete from eval_scope');
  await trx.raw(`
    insert into eval_scope (entity_type, entity_id)
    select r.entity_type, r.entity_id from eval_reach r where (r.entity_type, r.read_table) in (values ${pairs.join(', ')})
    union
    select r.entity_type, r.entity_id from eval_related r
     where r.rule_code = ${lit(rule.code)} and r.entity_type in (${types.join(', ')})`);
  const sizes = await rows<{ entity_type: EntityType; n: number }>(
    trx,
    `with recorded as (
       insert into eval_rule_scope select ${lit(rule.code)}, entity_type, entity_id from eval_scope returning entity_type
     )
     select entity_type, count(*)::int as n from recorded group by entity_type`,
  );
  return Object.fromEntries(sizes.map((r) => [r.entity_type, r.n]));
}

/** Per entity type: the entities the changes reach through any rule's reads, and the related findings' entities. */
export async function reachedSizes(trx: Knex.Transaction): Promise<Record<EntityType, number>> {
  const out = Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>;
  for (const r of await rows<{ entity_type: EntityType; n: number }>(
    trx,
    `select entity_type, count(*)::int as n from (
       select entity_type, entity_id from eval_reach union select entity_type, entity_id from eval_rule_scope
     ) x group by entity_type`,
  )) {
    out[r.entity_type] = r.n;
  }
  return out;
}
