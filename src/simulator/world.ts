/*
 * A seeded, deterministic OSS world of Kabupaten Rembang: NIB documents, licences and partnerships, with planted
 * discrepancies, near-miss controls and invalid records listed in a manifest. The bulk is generated lazily from
 * indices (see base.ts and listing.ts), so a world of a million partnerships costs little memory and starts in
 * seconds; everything that changes afterwards (mutations, paging drift, withdrawals) goes to an overlay.
 */
import type { SimulatorSize } from '../config.js';
import { FINAL_STATUS_IZIN, STATUS_IZIN } from '../domain/codes.js';
import type { BaseContext, UbRef } from './base.js';
import { BaseBusinesses, BasePartnerships } from './base.js';
import { VALUE_CEILING } from './docs.js';
import { buildUbs, ExplicitBuilder } from './explicit.js';
import type { ListingRef, OverlayEntry } from './listing.js';
import { MergedListing } from './listing.js';
import type { UbKind } from './plan.js';
import { layoutFor, SIZE_PLANS } from './plan.js';
import { hash32, Rng } from './prng.js';
import type { ChangeSet, Fixable, WorldMutator } from './specials/index.js';
import { buildSpecials } from './specials/index.js';
import { dayToDate, parseDate, parseWibDateTime, wibDateTime, wibDay } from './time.js';
import type { PlantedCase, SimDataIzin, SimDataNib, SimKemitraan, SimListedNib, SimulatorManifest } from './types.js';

export interface GenerateWorldOptions {
  seed: number;
  size: SimulatorSize;
  /** The kabupaten the world models; only Rembang ('3317') exists. */
  kdDaerah?: string;
  /** The world's present: every generated date is at or before it (except agreed end dates). */
  now: Date;
  /** Time source for changes after generation (mutations, drift). Default: `now` advancing with the wall clock. */
  clock?: () => Date;
}

export interface MutateOptions {
  /** Seed of the mutation's choices (default: the world seed + the number of mutations so far). */
  seed?: number;
  /** Partnerships to change (status, value or end date), default 10. */
  partnerships?: number;
  /** NIB documents to change (address, phone; bumped tgl_perubahan_nib), default 5. */
  businesses?: number;
  /** Licences whose kd_status progresses (e.g. 10 -> 45 -> 50), default 3. */
  licences?: number;
  /** Planted cases to fix (their rule stops firing), default 2. */
  fixPlanted?: number;
  /** Planted cases whose evidence changes while the rule still fires, default 2. */
  changePlanted?: number;
  /** Partnerships to withdraw (vanish without tombstone), default 0. */
  withdraw?: number;
}

export interface MutateResult {
  changedPartnerships: string[];
  changedNibs: string[];
  changedLicences: string[];
  withdrawn: string[];
  /** Planted cases fixed by this mutation (also moved from manifest.planted to manifest.fixed). */
  fixed: PlantedCase[];
  /** Planted cases whose compared values changed (still planted). */
  evidenceChanged: PlantedCase[];
}

export interface KemitraanQuery {
  kdDaerah: string;
  /** Inclusive lower bound on tgl_perubahan (epoch second), null for all. */
  sinceSec: number | null;
  offset: number;
  limit: number;
}

export interface NibQuery {
  kdDaerah: string;
  /** Inclusive lower bound on tgl_perubahan_nib (WIB day number), null for all. */
  sinceDay: number | null;
  offset: number;
  limit: number;
}

const PROGRESSION: Readonly<Record<string, string>> = {
  '05': '10',
  '09': '10',
  '10': '45',
  '11': '10',
  '12': '20',
  '20': '45',
  '30': '33',
  '33': '45',
  '40': '45',
  '41': '42',
  '42': '45',
  '45': '50',
  '49': '50',
  '52': '50',
};

function kemitraanEntry(rec: SimKemitraan): OverlayEntry<SimKemitraan> {
  const sec = parseWibDateTime(rec.tgl_perubahan);
  if (sec === null) throw new Error(`simulator: partnership ${rec.id_kemitraan} has an unusable tgl_perubahan`);
  return { primary: sec, id: rec.id_kemitraan, regions: [rec.kd_daerah_pelaksanaan], value: rec };
}

function businessEntry(doc: SimDataNib): OverlayEntry<SimDataNib> {
  const day = parseDate(doc.tgl_perubahan_nib);
  if (day === null) throw new Error(`simulator: NIB ${doc.nib} has an unusable tgl_perubahan_nib`);
  const regions = [doc.perseroan_daerah_id];
  for (const p of doc.data_proyek) for (const l of p.data_lokasi_proyek) regions.push(l.proyek_daerah_id);
  return { primary: day, id: doc.nib, regions, value: doc };
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The simulated OSS data of one region. */
export class SimulatorWorld implements WorldMutator {
  readonly seed: number;
  readonly size: SimulatorSize;
  readonly kdDaerah: string;
  readonly now: Date;
  readonly nowSec: number;
  readonly nowDay: number;
  readonly manifest: SimulatorManifest;
  readonly ubs: Readonly<Record<UbKind, readonly UbRef[]>>;
  private readonly partnerships: MergedListing<SimKemitraan>;
  private readonly businesses: MergedListing<SimDataNib>;
  private readonly basePartnerships: BasePartnerships;
  private readonly baseBusinesses: BaseBusinesses;
  private readonly licenceOwner = new Map<string, string>();
  private readonly reservedIds: Set<string>;
  private readonly fixables: Fixable[];
  private readonly clock: () => Date;
  private lastChangeSec: number;

  constructor(options: GenerateWorldOptions) {
    const requested = options.kdDaerah ?? '3317';
    // The world is Kabupaten Rembang; a province prefix ('33') still lists it.
    if (!/^\d{2}(\d{2})?$/.test(requested) || !'3317'.startsWith(requested)) {
      throw new Error(
        `simulator: the world models Kabupaten Rembang (3317); kdDaerah "${requested}" would list nothing`,
      );
    }
    const kdDaerah = '3317';
    this.seed = options.seed;
    this.size = options.size;
    this.kdDaerah = kdDaerah;
    this.now = new Date(options.now.getTime());
    this.nowSec = Math.floor(this.now.getTime() / 1000);
    this.nowDay = wibDay(this.nowSec);
    // Changes happen strictly after the world was generated.
    this.lastChangeSec = this.nowSec + 1;
    const startedAt = Date.now();
    this.clock = options.clock ?? (() => new Date(this.now.getTime() + (Date.now() - startedAt)));

    const plan = SIZE_PLANS[options.size];
    const layout = layoutFor(plan);
    const builder = new ExplicitBuilder(this.seed, this.nowSec);
    const ubs = buildUbs(builder, plan);
    const ubRefs = {
      retail: ubs.retail.map((u) => u.ref),
      fish: ubs.fish.map((u) => u.ref),
      salt: ubs.salt.map((u) => u.ref),
      cement: ubs.cement.map((u) => u.ref),
    };
    this.ubs = ubRefs;
    const ctx: BaseContext = { seed: this.seed, nowSec: this.nowSec, nowDay: this.nowDay, plan, layout, ubs: ubRefs };
    this.baseBusinesses = new BaseBusinesses(ctx);
    this.basePartnerships = new BasePartnerships(ctx, this.baseBusinesses);
    const specials = buildSpecials(builder, ubs);
    this.reservedIds = specials.reservedIds;
    this.fixables = specials.fixables;

    this.businesses = new MergedListing(this.baseBusinesses, kdDaerah);
    for (const b of builder.businesses) {
      this.businesses.upsertOverlay(businessEntry(b.doc));
      for (const c of b.doc.data_checklist) this.licenceOwner.set(c.id_izin, b.doc.nib);
    }
    this.partnerships = new MergedListing(this.basePartnerships, kdDaerah);
    for (const k of builder.partnerships) this.partnerships.upsertOverlay(kemitraanEntry(k));

    let baseLicences = 0;
    for (let j = 0; j < this.baseBusinesses.length; j++) baseLicences += this.baseBusinesses.licenceCount(j);
    const explicitDocs = builder.businesses.map((b) => b.doc);
    const explicitLicences = explicitDocs.flatMap((d) => d.data_checklist);
    const nikPartners = new Set(
      builder.partnerships.filter((k) => k.nib_umkm === '' && k.nik_umkm !== '').map((k) => k.nik_umkm),
    );
    const inRegion = (codes: readonly string[]) => codes.some((c) => c.startsWith(kdDaerah));
    this.manifest = {
      seed: this.seed,
      size: this.size,
      kdDaerah,
      generatedAt: this.now.toISOString(),
      nowWib: wibDateTime(this.nowSec),
      counts: {
        partnerships: this.basePartnerships.length + builder.partnerships.length,
        partnershipsInRegion:
          this.basePartnerships.length + builder.partnerships.filter((k) => inRegion([k.kd_daerah_pelaksanaan])).length,
        businesses: this.baseBusinesses.length + explicitDocs.length,
        businessesInRegion:
          this.baseBusinesses.length + explicitDocs.filter((d) => inRegion(businessEntry(d).regions)).length,
        usahaBesar: explicitDocs.filter((d) => d.skala_usaha === '04').length,
        partnersWithoutNib:
          (layout.partnersPerSector.get('A') ?? 0) + (layout.partnersPerSector.get('C') ?? 0) + nikPartners.size,
        projects: this.baseBusinesses.length + explicitDocs.reduce((s, d) => s + d.data_proyek.length, 0),
        licences: baseLicences + explicitLicences.length,
        licencesNotFinal: explicitLicences.filter((c) => !FINAL_STATUS_IZIN.includes(c.status_checklist)).length,
      },
      batches: {
        kemitraan: this.basePartnerships.timeline.batches.map((b) => ({
          tgl_perubahan: wibDateTime(b.sec),
          count: b.length,
        })),
        nib: this.baseBusinesses.timeline.batches.map((b) => ({
          tgl_perubahan_nib: dayToDate(b.day),
          count: b.length,
        })),
      },
      planted: specials.planted,
      controls: specials.controls,
      invalid: specials.invalid,
      fixed: [],
      mutations: 0,
    };
  }

  // ---- Reading ----

  /** Changes whenever the partnership listing changes (pages can be cached under it). */
  get partnershipsVersion(): number {
    return this.partnerships.changeVersion;
  }

  /** listKemitraan: agreements whose kd_daerah_pelaksanaan starts with kdDaerah, changed at or after sinceSec. */
  listKemitraan(q: KemitraanQuery): { total: number; records: SimKemitraan[] } {
    const total = this.partnerships.count(q.kdDaerah, q.sinceSec);
    const refs = this.partnerships.page(q.kdDaerah, q.sinceSec, q.offset, q.limit);
    return { total, records: refs.map((r) => this.resolveKemitraan(r)) };
  }

  /** listNIB: NIBs domiciled or with a project location in kdDaerah, changed on or after sinceDay. */
  listNib(q: NibQuery): { total: number; items: SimListedNib[] } {
    const total = this.businesses.count(q.kdDaerah, q.sinceDay);
    const refs = this.businesses.page(q.kdDaerah, q.sinceDay, q.offset, q.limit);
    const items = refs.map((r): SimListedNib => {
      if (r.kind === 'overlay') {
        const d = r.entry.value;
        return { nib: d.nib, nama_perseroan: d.nama_perseroan, tgl_perubahan_nib: d.tgl_perubahan_nib };
      }
      const id = this.baseBusinesses.identity(r.index);
      return { nib: id.nib, nama_perseroan: id.nama, tgl_perubahan_nib: dayToDate(id.perubahanDay) };
    });
    return { total, items };
  }

  /** inqueryNIB: the current dataNIB of a NIB, or undefined ("Data NIB tidak ditemukan"). */
  getBusiness(nib: string): SimDataNib | undefined {
    const entry = this.businesses.getOverlay(nib);
    if (entry) return entry.value;
    const j = this.baseBusinesses.indexOfNib(nib);
    if (j < 0 || !this.businesses.isBasePresent(j)) return undefined;
    return this.baseBusinesses.build(j);
  }

  /** checkLicenseStatus: the status of a licence (any checklist item of any NIB), or undefined. */
  getLicence(idIzin: string): SimDataIzin | undefined {
    let nib = this.licenceOwner.get(idIzin);
    if (nib === undefined && /^I-\d{21}$/.test(idIzin)) {
      const sss = Number(idIzin.slice(16, 19));
      const j = Math.floor(sss / 10) * 10_000 + Number(idIzin.slice(19));
      if (sss < 500 && j < this.baseBusinesses.length) nib = this.baseBusinesses.nibAt(j);
    }
    if (nib === undefined) return undefined;
    const doc = this.getBusiness(nib);
    const item = doc?.data_checklist.find((c) => c.id_izin === idIzin);
    if (!doc || !item) return undefined;
    return {
      nib: doc.nib,
      id_proyek: item.id_proyek,
      id_izin: item.id_izin,
      kd_status: item.status_checklist,
      uraian_status: item.uraian ?? (STATUS_IZIN as Record<string, string>)[item.status_checklist] ?? '',
      file_lampiran: '',
    };
  }

  /** The current record of a partnership (undefined when withdrawn or unknown). */
  getPartnership(id: string): SimKemitraan | undefined {
    const entry = this.partnerships.getOverlay(id);
    if (entry) return entry.value;
    const i = this.basePartnerships.indexOfId(id);
    if (i < 0 || !this.partnerships.isBasePresent(i)) return undefined;
    return this.basePartnerships.build(i);
  }

  /** Every current partnership in listing order, all regions (use for small worlds). */
  *allPartnerships(): Generator<SimKemitraan> {
    for (const ref of this.partnerships.all()) yield this.resolveKemitraan(ref);
  }

  /** Every current NIB in listing order, all regions (use for small worlds). */
  *allBusinesses(): Generator<SimDataNib> {
    for (const ref of this.businesses.all())
      yield ref.kind === 'overlay' ? ref.entry.value : this.baseBusinesses.build(ref.index);
  }

  private resolveKemitraan(ref: ListingRef<SimKemitraan>): SimKemitraan {
    return ref.kind === 'overlay' ? ref.entry.value : this.basePartnerships.build(ref.index);
  }

  // ---- Changing ----

  /** The instant (epoch second) of the next change: never before now or before the previous change. */
  nextChangeSec(): number {
    const sec = Math.max(Math.floor(this.clock().getTime() / 1000), this.lastChangeSec);
    this.lastChangeSec = sec;
    return sec;
  }

  /** Applies a change to a partnership: it takes a new tgl_perubahan and moves to the end of the listing. */
  updatePartnership(id: string, apply: (rec: SimKemitraan) => void): boolean {
    const entry = this.partnerships.getOverlay(id);
    let rec: SimKemitraan;
    if (entry) rec = clone(entry.value);
    else {
      const i = this.basePartnerships.indexOfId(id);
      if (i < 0 || !this.partnerships.isBasePresent(i)) return false;
      rec = this.basePartnerships.build(i);
      this.partnerships.removeBase(i);
    }
    apply(rec);
    rec.tgl_perubahan = wibDateTime(this.nextChangeSec());
    this.partnerships.upsertOverlay(kemitraanEntry(rec));
    return true;
  }

  /** Applies a change to a NIB document and bumps its tgl_perubahan_nib. */
  updateBusiness(nib: string, apply: (doc: SimDataNib) => void): boolean {
    const doc = this.currentBusinessCopy(nib);
    if (!doc) return false;
    apply(doc);
    doc.tgl_perubahan_nib = dayToDate(wibDay(this.nextChangeSec()));
    doc.tipe_dokumen = '5';
    doc.jenis_perubahan_terakhir = '02';
    this.businesses.upsertOverlay(businessEntry(doc));
    return true;
  }

  /** Sets a licence's kd_status (the NIB document's status_checklist follows; tgl_perubahan_nib does not move). */
  setLicenceStatus(idIzin: string, kdStatus: string, uraian: string): boolean {
    const current = this.getLicence(idIzin);
    if (!current) return false;
    const doc = this.currentBusinessCopy(current.nib);
    const item = doc?.data_checklist.find((c) => c.id_izin === idIzin);
    if (!doc || !item) return false;
    item.status_checklist = kdStatus;
    item.uraian = uraian;
    if (FINAL_STATUS_IZIN.includes(kdStatus) && kdStatus !== '90' && kdStatus !== '93') {
      item.tgl_izin = dayToDate(wibDay(this.nextChangeSec()));
      item.no_izin = item.no_izin || `${idIzin.slice(-4)}/${item.jenis_izin}/${item.tgl_izin.slice(0, 4)}`;
    }
    this.businesses.upsertOverlay(businessEntry(doc));
    for (const c of doc.data_checklist) this.licenceOwner.set(c.id_izin, doc.nib);
    return true;
  }

  private currentBusinessCopy(nib: string): SimDataNib | undefined {
    const entry = this.businesses.getOverlay(nib);
    if (entry) return clone(entry.value);
    const j = this.baseBusinesses.indexOfNib(nib);
    if (j < 0 || !this.businesses.isBasePresent(j)) return undefined;
    const doc = this.baseBusinesses.build(j);
    this.businesses.removeBase(j);
    return doc;
  }

  /** Removes partnerships without a tombstone: they vanish from every listing. Returns the ids removed. */
  withdraw(ids: readonly string[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (this.partnerships.removeOverlay(id)) {
        out.push(id);
        continue;
      }
      const i = this.basePartnerships.indexOfId(id);
      if (i >= 0 && this.partnerships.removeBase(i)) out.push(id);
    }
    return out;
  }

  /** Withdraws a fraction (0..1) of the current partnerships, chosen by seed. Returns the ids removed. */
  withdrawFraction(fraction: number, seed = this.seed + 7_919): string[] {
    const rng = new Rng(hash32(seed, 801));
    const chosen: string[] = [];
    for (const ref of this.partnerships.all()) {
      if (rng.next() < fraction)
        chosen.push(ref.kind === 'overlay' ? ref.entry.id : this.basePartnerships.id(ref.index));
    }
    return this.withdraw(chosen);
  }

  /**
   * Paging drift: moves `count` records of the current listing (kdDaerah, since) to a new tgl_perubahan (the next
   * change instant), so they jump to the end and the records after them shift one place towards the front.
   */
  drift(kdDaerah: string, sinceSec: number | null, count: number, rng: Rng): string[] {
    const moved: string[] = [];
    for (let n = 0; n < count; n++) {
      const total = this.partnerships.count(kdDaerah, sinceSec);
      if (total === 0) break;
      const [ref] = this.partnerships.page(kdDaerah, sinceSec, rng.int(total), 1);
      if (!ref) break;
      const id = ref.kind === 'overlay' ? ref.entry.id : this.basePartnerships.id(ref.index);
      if (this.updatePartnership(id, () => undefined)) moved.push(id);
    }
    return moved;
  }

  /** Realistic changes between two syncs; can also fix planted cases or change their evidence. */
  mutate(options: MutateOptions = {}): MutateResult {
    const rng = new Rng(hash32(options.seed ?? this.seed + this.manifest.mutations + 1, 802));
    const result: MutateResult = {
      changedPartnerships: [],
      changedNibs: [],
      changedLicences: [],
      withdrawn: [],
      fixed: [],
      evidenceChanged: [],
    };
    const note = (c: ChangeSet) => {
      result.changedPartnerships.push(...c.partnerships);
      result.changedNibs.push(...c.nibs);
      result.changedLicences.push(...c.licences);
    };
    const order = this.fixables
      .map((f) => ({ f, key: rng.next() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.f);
    let fixes = options.fixPlanted ?? 2;
    let changes = options.changePlanted ?? 2;
    for (const f of order) {
      if (fixes > 0 && f.fix) {
        note(f.fix(this));
        result.fixed.push(f.planted);
        this.fixables.splice(this.fixables.indexOf(f), 1);
        fixes--;
      } else if (changes > 0 && f.change) {
        note(f.change(this));
        result.evidenceChanged.push(f.planted);
        delete f.change;
        changes--;
      }
    }
    if (result.fixed.length > 0) {
      const fixed = new Set(result.fixed);
      this.manifest.planted = this.manifest.planted.filter((p) => !fixed.has(p));
      this.manifest.fixed.push(...result.fixed);
    }

    const n = this.basePartnerships.length;
    for (let want = options.partnerships ?? 10, tries = 0; want > 0 && tries < 50 * (want + 5) && n > 0; tries++) {
      const i = rng.int(n);
      if (!this.partnerships.isBasePresent(i)) continue;
      const rec = this.basePartnerships.build(i);
      if (this.reservedIds.has(rec.id_kemitraan) || !['01', '02', '03'].includes(rec.status_kemitraan)) continue;
      const changeDay = wibDay(Math.max(this.nowSec, this.lastChangeSec));
      this.updatePartnership(rec.id_kemitraan, (r) => {
        if (r.status_kemitraan === '01') r.status_kemitraan = '02';
        else if (r.status_kemitraan === '02') {
          r.status_kemitraan = '03';
          r.tgl_mulai = dayToDate(Math.max(changeDay, parseDate(r.tgl_mulai) ?? changeDay));
        } else {
          const kind = rng.int(3);
          if (kind === 0) {
            const ceiling = VALUE_CEILING[r.skala_usaha_umkm] ?? VALUE_CEILING['01']!;
            r.nilai_kemitraan = String(
              Math.min(ceiling, Math.round((Number(r.nilai_kemitraan) * 1.1) / 500_000) * 500_000),
            );
          } else if (kind === 1 && r.tgl_berakhir !== '') {
            r.tgl_berakhir = dayToDate((parseDate(r.tgl_berakhir) ?? changeDay) + 365);
          } else {
            r.status_kemitraan = '05';
            r.tgl_berakhir = dayToDate(changeDay);
          }
        }
      });
      result.changedPartnerships.push(rec.id_kemitraan);
      want--;
    }

    const u = this.baseBusinesses.length;
    for (let want = options.businesses ?? 5, tries = 0; want > 0 && tries < 50 * (want + 5) && u > 0; tries++) {
      const j = rng.int(u);
      if (!this.businesses.isBasePresent(j)) continue;
      const nib = this.baseBusinesses.nibAt(j);
      const street = rng.between(1, 150);
      this.updateBusiness(nib, (doc) => {
        doc.alamat_perseroan = doc.alamat_perseroan.replace(/NO\. \d+/, `NO. ${street}`);
        doc.nomor_telpon_perseroan = `08${String(hash32(this.seed, 803, j, street) % 10_000_000_000).padStart(10, '0')}`;
      });
      result.changedNibs.push(nib);
      want--;
    }

    const candidates = [...this.licenceOwner.keys()].filter((id) => {
      if (this.reservedIds.has(id) || this.fixables.some((f) => f.planted.entity_id === id)) return false;
      const l = this.getLicence(id);
      return l !== undefined && PROGRESSION[l.kd_status] !== undefined;
    });
    for (let want = options.licences ?? 3; want > 0 && candidates.length > 0; want--) {
      const id = candidates.splice(rng.int(candidates.length), 1)[0]!;
      const next = PROGRESSION[this.getLicence(id)?.kd_status ?? ''] ?? '50';
      this.setLicenceStatus(id, next, (STATUS_IZIN as Record<string, string>)[next] ?? '');
      result.changedLicences.push(id);
    }

    for (let want = options.withdraw ?? 0, tries = 0; want > 0 && tries < 50 * (want + 5) && n > 0; tries++) {
      const i = rng.int(n);
      if (!this.partnerships.isBasePresent(i)) continue;
      const id = this.basePartnerships.id(i);
      if (this.reservedIds.has(id)) continue;
      result.withdrawn.push(...this.withdraw([id]));
      want--;
    }
    this.manifest.mutations++;
    return result;
  }
}

/** Generates the world for a seed and size (deterministic: the same options give the same world). */
export function generateWorld(options: GenerateWorldOptions): SimulatorWorld {
  return new SimulatorWorld(options);
}
