/*
 * The explicit part of a world: story partnerships (every UB has at least one running partnership in the region),
 * one or more planted case per discrepancy rule, near-miss controls, structurally invalid records, and a couple of
 * partnerships outside the region. Also the "fixables": how mutate() can fix a planted case or change its evidence.
 */
import type { BuiltUb, ExplicitBuilder } from '../explicit.js';
import type { UbKind } from '../plan.js';
import { addControls } from './controls.js';
import { plantIdentityCases } from './identity.js';
import { addInvalidRecords } from './invalid.js';
import { plantLicensingCases } from './licensing.js';
import { plantPartnershipCases } from './partnership.js';
import { type Specials, specialsContext } from './shared.js';
import { addOutsideRegion, buildStory } from './story.js';

export type { ChangeSet, Fixable, Specials, WorldMutator } from './shared.js';

export function buildSpecials(b: ExplicitBuilder, ubs: Record<UbKind, BuiltUb[]>): Specials {
  const ctx = specialsContext(b, ubs);
  // The order is part of the world: every builder call takes the next ids, people and random draws.
  const story = buildStory(ctx);
  plantIdentityCases(ctx);
  plantPartnershipCases(ctx);
  plantLicensingCases(ctx);
  addControls(ctx, story);
  addInvalidRecords(ctx);
  addOutsideRegion(ctx);
  const { planted, controls, invalid, fixables, reservedIds } = ctx;
  return { planted, controls, invalid, fixables, reservedIds };
}
