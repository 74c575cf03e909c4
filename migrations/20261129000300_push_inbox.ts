import type { Knex } from 'knex';

/*
 * The OSS push inbox: every receiveNIB request is kept here before it is answered, accepted or rejected, so no
 * push is silently lost. Accepted items are applied to the OSS tables by `serve` (one 'push' run per batch) and
 * stay as the audit trail; failures stay pending with their error count and are retried with backoff.
 * No full NIK is stored: `payload` is the redacted body (redactRaw), `body_text` a digit-masked prefix of a body
 * that was not JSON, and `validated` the normalized records (hashes and masked identity numbers only).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table push_inbox (
      id bigserial primary key,
      method text not null default 'receiveNIB',
      received_at timestamptz not null default now(),
      remote_addr text,
      nib text,
      status text not null check (status in ('pending', 'applied', 'rejected')),
      reject_reason text,
      token_ok boolean not null,
      body_bytes integer not null default 0,
      payload jsonb,
      body_text text,
      validated jsonb,
      attempts integer not null default 0,
      last_error text,
      last_attempt_at timestamptz,
      next_attempt_at timestamptz not null default now(),
      applied_at timestamptz,
      run_id bigint references sync_runs (id),
      check (status <> 'pending' or validated is not null)
    );
    create index push_inbox_due on push_inbox (next_attempt_at, id) where status = 'pending';
    create index push_inbox_nib on push_inbox (nib);
    create index push_inbox_received on push_inbox (received_at);

    create view analytics.push_inbox as
      select id, method, received_at, nib, status, reject_reason, token_ok, body_bytes, attempts, last_error,
             last_attempt_at, next_attempt_at, applied_at, run_id
        from public.push_inbox;
    grant select on analytics.push_inbox to oss_analyst;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop view if exists analytics.push_inbox; drop table if exists push_inbox;');
}
