/*
 * Who works a finding ("Ditugaskan ke"): findings.assigned_to / assigned_at, with a finding_events row of kind
 * 'assigned' in the same transaction. The status does not change (the event's from_status and to_status are both the
 * current one). Only an enabled account with the verifier or admin role can be given a finding.
 */
import type { Knex } from 'knex';
import { findUser, type Role } from '../store/users.js';
import { FindingNotFoundError } from './lifecycle.js';

/** Roles that may be given a finding. */
export const ASSIGNABLE_ROLES: readonly Role[] = ['verifier', 'admin'];

/** An assignment to someone who cannot take the finding; the message is for the verifier (Indonesian). */
export class AssignmentError extends Error {
  readonly code = 'ASSIGNMENT_REFUSED';
  constructor(
    readonly findingId: number,
    message: string,
  ) {
    super(message);
    this.name = 'AssignmentError';
  }
}

export interface AssignmentRequest {
  /** The user name to assign the finding to; null withdraws the assignment. */
  to: string | null;
  /** Who assigns it (the signed-in user). */
  by: string;
}

export interface AssignmentResult {
  id: number;
  /** The previous assignee. */
  from: string | null;
  /** The assignee now, as the account's name is stored. */
  to: string | null;
  /** False when the finding already had this assignee: nothing was written. */
  changed: boolean;
  eventId: number | null;
}

/**
 * Assigns finding `id` to `to` (or withdraws it) on behalf of `by`. Throws FindingNotFoundError for an unknown id and
 * AssignmentError when `to` is not an enabled verifier or admin.
 */
export async function assignFinding(db: Knex, id: number, req: AssignmentRequest): Promise<AssignmentResult> {
  const by = req.by.trim();
  if (by === '') throw new AssignmentError(id, 'Nama pengguna yang menugaskan wajib ada.');
  let to: string | null = null;
  if (req.to !== null) {
    const name = req.to.trim();
    const user = name === '' ? null : await findUser(db, name);
    if (!user) throw new AssignmentError(id, `Tidak ada pengguna "${name}" untuk ditugaskan.`);
    if (user.disabledAt) throw new AssignmentError(id, `Akun ${user.username} dinonaktifkan: tidak dapat ditugaskan.`);
    if (!ASSIGNABLE_ROLES.includes(user.role)) {
      throw new AssignmentError(
        id,
        `${user.username} bukan verifikator atau admin: temuan hanya dapat ditugaskan ke verifikator atau admin.`,
      );
    }
    to = user.username;
  }
  return db.transaction(async (trx) => {
    const row = (await trx('findings').where({ id }).forUpdate().first('status', 'assigned_to')) as
      | { status: string; assigned_to: string | null }
      | undefined;
    if (!row) throw new FindingNotFoundError(id);
    const from = row.assigned_to;
    if ((from ?? '').toLowerCase() === (to ?? '').toLowerCase()) {
      return { id, from, to: from, changed: false, eventId: null };
    }
    const [event] = await trx('finding_events')
      .insert({
        finding_id: id,
        kind: 'assigned',
        from_status: row.status,
        to_status: row.status,
        actor: by,
        note: to === null ? 'Penugasan dicabut' : `Ditugaskan ke ${to}`,
      })
      .returning(['id', 'at']);
    await trx('findings')
      .where({ id })
      .update({ assigned_to: to, assigned_at: to === null ? null : event.at });
    return { id, from, to, changed: true, eventId: Number(event.id) };
  });
}
