import type { Knex } from 'knex';

/*
 * The web console (src/web): its accounts, sessions, failed logins (for the login rate limit) and an audit trail of
 * every console action, plus the assignment of a finding to a verifier ("Ditugaskan ke"), recorded as a finding
 * event of kind 'assigned'. Passwords are stored only as scrypt hashes; a session row holds the SHA-256 of the
 * cookie's token, never the token. None of these tables is visible to the analyst role.
 */

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table web_users (
      id bigserial primary key,
      username text not null,
      full_name text,
      role text not null check (role in ('viewer', 'verifier', 'admin')),
      -- null: the account signs in only through the single-sign-on proxy (AUTH_PROXY_HEADER).
      password_hash text,
      password_changed_at timestamptz,
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      created_by text not null,
      updated_at timestamptz not null default now(),
      last_login_at timestamptz
    );
    create unique index web_users_username on web_users (lower(username));

    create table web_sessions (
      token_hash text primary key,
      user_id bigint not null references web_users (id),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      ended_at timestamptz,
      address text,
      user_agent text
    );
    create index web_sessions_user on web_sessions (user_id) where ended_at is null;

    create table web_login_failures (
      id bigserial primary key,
      at timestamptz not null default now(),
      username text not null,
      address text not null
    );
    create index web_login_failures_username on web_login_failures (lower(username), at);
    create index web_login_failures_address on web_login_failures (address, at);

    create table web_audit (
      id bigserial primary key,
      at timestamptz not null default now(),
      username text not null,
      action text not null,
      target text,
      detail jsonb not null default '{}',
      address text
    );
    create index web_audit_at on web_audit (at desc);

    alter table findings add column assigned_to text, add column assigned_at timestamptz;
    create index findings_assigned on findings (assigned_to) where assigned_to is not null;
    alter table finding_events drop constraint finding_events_kind_check;
    alter table finding_events add constraint finding_events_kind_check
      check (kind in ('detected', 'transition', 'evidence_changed', 'resolved', 'reopened', 'assigned'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table finding_events drop constraint finding_events_kind_check;
    alter table finding_events disable trigger finding_events_append_only;
    delete from finding_events where kind = 'assigned';
    alter table finding_events enable trigger finding_events_append_only;
    alter table finding_events add constraint finding_events_kind_check
      check (kind in ('detected', 'transition', 'evidence_changed', 'resolved', 'reopened'));
    alter table findings drop column assigned_to, drop column assigned_at;
    drop table web_audit, web_login_failures, web_sessions, web_users;
  `);
}
