/*
 * The verifier's side of a finding's lifecycle. A verifier moves a finding
 *   open → in_review → confirmed (a real problem) | dismissed (not a problem),
 * can hand an in_review finding back to the queue (→ open) and can take a confirmed or dismissed finding back into
 * review (→ in_review). `resolved` and the automatic moves (detected, resolved, reopened) belong to the evaluation
 * (evaluate.ts): a verifier can neither set nor leave `resolved`. Every move is one finding_events row with the
 * verifier's name and note, in the same transaction as the change; finding_events is append-only.
 */
import type { Knex } from 'knex';

export const FINDING_STATUSES = ['open', 'in_review', 'confirmed', 'dismissed', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Statuses a verifier may set. */
export const VERIFIER_STATUSES = ['open', 'in_review', 'confirmed', 'dismissed'] as const;
export type VerifierStatus = (typeof VERIFIER_STATUSES)[number];

/** The moves a verifier may make, as data: from → allowed targets. */
export const ALLOWED_TRANSITIONS: Readonly<Record<FindingStatus, readonly VerifierStatus[]>> = Object.freeze({
  open: ['in_review'],
  in_review: ['confirmed', 'dismissed', 'open'],
  confirmed: ['in_review'],
  dismissed: ['in_review'],
  resolved: [],
});

/** Statuses that need a note: a verdict must say why. */
export const NOTE_REQUIRED: readonly VerifierStatus[] = ['dismissed'];

/** A finding the verifier named does not exist. */
export class FindingNotFoundError extends Error {
  readonly code = 'FINDING_NOT_FOUND';
  constructor(readonly findingId: number) {
    super(`finding ${findingId} does not exist`);
    this.name = 'FindingNotFoundError';
  }
}

/** A move the lifecycle does not allow, or one missing its verifier name or note. */
export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly findingId: number,
    readonly from: FindingStatus | null,
    readonly to: string,
    message: string,
  ) {
    super(message);
    this.name = 'IllegalTransitionError';
  }
}

export function isFindingStatus(s: string): s is FindingStatus {
  return (FINDING_STATUSES as readonly string[]).includes(s);
}

/** Why moving a finding from `from` to `to` is not allowed, or null when it is. */
export function transitionProblem(from: FindingStatus, to: string): string | null {
  if (!(VERIFIER_STATUSES as readonly string[]).includes(to)) {
    return to === 'resolved'
      ? `"resolved" is set by the evaluation when the rule stops firing, not by a verifier`
      : `"${to}" is not a status a verifier can set (one of ${VERIFIER_STATUSES.join(', ')})`;
  }
  if (from === to) return `it is already ${from}`;
  const allowed = ALLOWED_TRANSITIONS[from];
  if (allowed.includes(to as VerifierStatus)) return null;
  if (from === 'resolved') {
    return 'it was resolved automatically (the rule no longer fires); it reopens by itself if the rule fires again';
  }
  const reachable = (Object.keys(ALLOWED_TRANSITIONS) as FindingStatus[]).filter((s) =>
    ALLOWED_TRANSITIONS[s].includes(to as VerifierStatus),
  );
  return `${from} → ${to} is not allowed (from ${from}: ${allowed.join(' or ')}; ${to} is reached from ${reachable.join(' or ')})`;
}

export interface TransitionRequest {
  to: string;
  /** The verifier's name. */
  by: string;
  note?: string | null;
}

export interface TransitionResult {
  id: number;
  from: FindingStatus;
  to: VerifierStatus;
  eventId: number;
}

/**
 * Moves a finding to `to` on behalf of verifier `by`, recording an event. Throws FindingNotFoundError, or
 * IllegalTransitionError with a message saying what is allowed.
 */
export async function transitionFinding(db: Knex, id: number, req: TransitionRequest): Promise<TransitionResult> {
  const by = req.by.trim();
  const note = req.note?.trim() ? req.note.trim() : null;
  return db.transaction(async (trx) => {
    const row = (await trx('findings').where({ id }).forUpdate().first('status', 'evidence_hash')) as
      | { status: FindingStatus; evidence_hash: string }
      | undefined;
    if (!row) throw new FindingNotFoundError(id);
    const problem = transitionProblem(row.status, req.to);
    if (problem) {
      throw new IllegalTransitionError(id, row.status, req.to, `cannot move finding ${id} to ${req.to}: ${problem}`);
    }
    const to = req.to as VerifierStatus;
    if (by === '')
      throw new IllegalTransitionError(
        id,
        row.status,
        to,
        `cannot move finding ${id}: the verifier's name is required`,
      );
    if (NOTE_REQUIRED.includes(to) && note === null) {
      throw new IllegalTransitionError(
        id,
        row.status,
        to,
        `cannot move finding ${id} to ${to}: a note saying why is required`,
      );
    }
    const [event] = await trx('finding_events')
      .insert({ finding_id: id, kind: 'transition', from_status: row.status, to_status: to, actor: by, note })
      .returning(['id', 'at']);
    await trx('findings')
      .where({ id })
      .update({
        status: to,
        status_changed_at: event.at,
        verified_by: by,
        verified_at: event.at,
        note,
        dismissed_evidence_hash: to === 'dismissed' ? row.evidence_hash : null,
      });
    return { id, from: row.status, to, eventId: Number(event.id) };
  });
}
