/*
 * What the planting functions share: the builder and the world's usaha besar, the lists they fill (planted cases,
 * controls, invalid records, fixables, reserved ids), and the small edits that fix a case or change its evidence.
 */
import type { PartyUb } from '../docs.js';
import type { BuiltBusiness, BuiltUb, ExplicitBuilder } from '../explicit.js';
import { ubParty } from '../explicit.js';
import type { UbKind } from '../plan.js';
import type { ControlCase, InvalidRecord, PlantedCase, SimDataNib, SimKemitraan, SimRealisasi } from '../types.js';

/** What a mutation changed, by entity. */
export interface ChangeSet {
  partnerships: string[];
  nibs: string[];
  licences: string[];
}

/** The operations mutate() uses; implemented by the world. */
export interface WorldMutator {
  readonly nowDay: number;
  updatePartnership(id: string, apply: (rec: SimKemitraan) => void): boolean;
  updateBusiness(nib: string, apply: (doc: SimDataNib) => void): boolean;
  setLicenceStatus(idIzin: string, kdStatus: string, uraian: string): boolean;
}

/** A planted case that mutate() can fix (the rule stops firing) or whose evidence it can change (still firing). */
export interface Fixable {
  planted: PlantedCase;
  fix?: (m: WorldMutator) => ChangeSet;
  change?: (m: WorldMutator) => ChangeSet;
}

export interface Specials {
  planted: PlantedCase[];
  controls: ControlCase[];
  invalid: InvalidRecord[];
  fixables: Fixable[];
  /** Ids of explicit records that random mutations must leave alone. */
  reservedIds: Set<string>;
}

type StoreRef = BuiltUb['ref']['stores'][number];

/** The builder, the UBs the cases are planted around, and the lists the cases go to. */
export interface SpecialsContext extends Specials {
  b: ExplicitBuilder;
  ubs: Record<UbKind, BuiltUb[]>;
  /** The day number `ago` days before the world's present. */
  d(ago: number): number;
  R0: BuiltUb;
  R1: BuiltUb;
  F0: BuiltUb;
  F1: BuiltUb;
  S0: BuiltUb;
  C0: BuiltUb;
  store0: StoreRef;
  store1: StoreRef;
  /** The first retailer, at its first store (or the given project). */
  retail0(id?: string): PartyUb;
  /** The second retailer (the first in a world with one), at its first store. */
  retail1(): PartyUb;
  /** Records a planted case; its entity is reserved. */
  plant(p: PlantedCase): PlantedCase;
  /** Records a near-miss control; its entity is reserved. */
  control(c: ControlCase): void;
}

/** The story partnerships by UB kind, and the story's individual UMKM (a control refers to her). */
export interface Story {
  partnerships: Record<UbKind, SimKemitraan[]>;
  buSiti: BuiltBusiness;
}

export function specialsContext(b: ExplicitBuilder, ubs: Record<UbKind, BuiltUb[]>): SpecialsContext {
  const planted: PlantedCase[] = [];
  const controls: ControlCase[] = [];
  const reservedIds = new Set<string>();
  const R0 = ubs.retail[0]!;
  const R1 = ubs.retail[1] ?? R0;
  const F0 = ubs.fish[0]!;
  const store0 = R0.ref.stores[0]!;
  const store1 = R1.ref.stores[0]!;
  return {
    planted,
    controls,
    invalid: [],
    fixables: [],
    reservedIds,
    b,
    ubs,
    d: (ago) => b.day(ago),
    R0,
    R1,
    F0,
    F1: ubs.fish[1] ?? F0,
    S0: ubs.salt[0]!,
    C0: ubs.cement[0]!,
    store0,
    store1,
    retail0: (id) => ubParty(R0.ref, id ?? store0.id),
    retail1: () => ubParty(R1.ref, store1.id),
    plant: (p) => {
      planted.push(p);
      reservedIds.add(p.entity_id);
      return p;
    },
    control: (c) => {
      controls.push(c);
      reservedIds.add(c.entity_id);
    },
  };
}

export const sumValue = (r: readonly SimRealisasi[]) => r.reduce((s, x) => s + Number(x.nilai_realisasi), 0);

export function scaleRealisation(r: SimRealisasi[], factor: number): SimRealisasi[] {
  return r.map((x) => ({
    ...x,
    nilai_realisasi: String(Math.round((Number(x.nilai_realisasi) * factor) / 1000) * 1000),
  }));
}

const onlyPartnership = (id: string): ChangeSet => ({ partnerships: [id], nibs: [], licences: [] });
const onlyNib = (nib: string): ChangeSet => ({ partnerships: [], nibs: [nib], licences: [] });

/** A fix/change that edits a partnership. */
export const editK =
  (id: string, apply: (rec: SimKemitraan) => void) =>
  (m: WorldMutator): ChangeSet => {
    m.updatePartnership(id, apply);
    return onlyPartnership(id);
  };

/** A fix/change that edits a NIB document. */
export const editNib =
  (nib: string, apply: (doc: SimDataNib) => void) =>
  (m: WorldMutator): ChangeSet => {
    m.updateBusiness(nib, apply);
    return onlyNib(nib);
  };

/** Sets a business's capital (excluding land and buildings) on its first project, keeping the sums consistent. */
export function setCapital(doc: SimDataNib, capital: number): void {
  const p = doc.data_proyek[0];
  if (!p) return;
  const lain = Math.round(capital * 0.1);
  const mesin = Math.round(capital * 0.4);
  const kerja = capital - lain - mesin;
  const sub = Number(p.pembelian_pematang_tanah) + Number(p.bangunan_gedung) + mesin + lain;
  p.mesin_peralatan = String(mesin);
  p.investasi_lain = String(lain);
  p.modal_kerja = String(kerja);
  p.sub_jumlah = String(sub);
  p.jumlah_investasi = String(sub + kerja);
}
