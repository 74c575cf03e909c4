/*
 * The lazily generated bulk of a world: base businesses (UMKM partners and listing-only NIBs) and base
 * partnerships, each a pure function of (seed, index). Both are clean by construction: consistent scales and
 * capital, names equal to OSS names, UMKM domiciled in the region, patterns that fit the KBLI, realisation for
 * every complete quarter of a running partnership, no date in the future except tgl_berakhir.
 */
import type { Village } from './catalog.js';
import {
  BATIK_VILLAGES,
  FISHING_VILLAGES,
  GUNEM_VILLAGES,
  NAME_WORDS,
  SALT_VILLAGES,
  STREETS,
  TOWN_VILLAGES,
} from './catalog.js';
import type { BusinessSpec, LicenceSpec, PartyUmkm, Place } from './docs.js';
import { composeBusiness, composeKemitraan, kemitraanId, VALUE_CEILING } from './docs.js';
import type { BaseSequence } from './listing.js';
import type { Person } from './people.js';
import { dottedNpwp, npwp15, personAt } from './people.js';
import type { BusinessRole, Layout, SectorCode, SizePlan, UbKind } from './plan.js';
import { SECTORS } from './plan.js';
import { hash32, Rng, rngFor } from './prng.js';
import { DAY_S, dayOf, dayStartSec, wibDay } from './time.js';
import type { SimDataNib, SimKemitraan } from './types.js';

/** A usaha besar as partnerships refer to it. */
export interface UbRef {
  kind: UbKind;
  nib: string;
  nama: string;
  abbr: string;
  kbli: string;
  mainProject: { id: string; place: Place };
  stores: Array<{ id: string; place: Place }>;
}

export interface Timeline {
  startSec: number;
  step: number;
  batches: Array<{ start: number; length: number; sec: number }>;
}

export interface NibTimeline {
  startDay: number;
  spanDays: number;
  nibStep: number;
  batches: Array<{ start: number; length: number; day: number }>;
}

export interface BaseContext {
  seed: number;
  nowSec: number;
  nowDay: number;
  plan: SizePlan;
  layout: Layout;
  ubs: Record<UbKind, UbRef[]>;
}

/** Person index ranges (each person has a unique index, hence a unique NIK). */
export const PERSON_RANGE = {
  ub: 0,
  explicit: 1_000,
  base: 10_000,
  nikA: 20_000_000,
  nikC: 25_000_000,
} as const;

const MIN_NIB_DAY = dayOf(2019, 1, 2);
const RECENT_S = 20 * DAY_S;
const SECTOR_BY_CODE = new Map(SECTORS.map((s) => [s.code, s]));

/** Places batches at fractions of a sequence of `total` items, in order, without overlap. */
export function placeBatches(total: number, sizes: readonly number[], fractions: readonly number[]): number[] {
  const sum = sizes.reduce((s, n) => s + n, 0);
  const free = Math.max(0, total - sum);
  const starts: number[] = [];
  let before = 0;
  sizes.forEach((size, b) => {
    starts.push(Math.floor(free * (fractions[b] ?? 0.5)) + before);
    before += size;
  });
  return starts;
}

export interface BaseBusinessIdentity {
  index: number;
  role: BusinessRole;
  rank: number;
  nib: string;
  nama: string;
  namaKegiatan: string;
  kbli: string;
  skala: string;
  jenisPelaku: '01' | '02';
  jenisPerseroan: string;
  owner: Person;
  village: Village;
  perubahanDay: number;
  pengajuanDay: number;
  terbitDay: number;
  risk: 'R' | 'MR' | 'MT';
}

const ROLE_KBLI: Record<BusinessRole, readonly string[]> = {
  B: ['03111'],
  D: ['08930'],
  E: ['10212', '10214', '10215'],
  F: ['13134'],
  G: ['10794'],
  H: ['49431'],
  O: ['31001', '47241', '46206', '10792'],
};

const ROLE_VILLAGES: Record<BusinessRole, readonly Village[]> = {
  B: FISHING_VILLAGES,
  D: SALT_VILLAGES,
  E: FISHING_VILLAGES,
  F: BATIK_VILLAGES,
  G: TOWN_VILLAGES,
  H: [...TOWN_VILLAGES, ...GUNEM_VILLAGES],
  O: TOWN_VILLAGES,
};

const ROLE_SCALES: Record<BusinessRole, [number, number, number]> = {
  B: [85, 15, 0],
  D: [75, 25, 0],
  E: [65, 25, 10],
  F: [70, 25, 5],
  G: [85, 15, 0],
  H: [30, 60, 10],
  O: [85, 15, 0],
};

const RISK_R = new Set(['03111', '08930', '13134', '31001', '47241', '46206']);

function tradeName(kbli: string, rng: Rng): string {
  const w = rng.pick(NAME_WORDS);
  switch (kbli) {
    case '03111':
      return `MINA ${w}`;
    case '08930':
      return `GARAM ${w}`;
    case '10212':
      return `IKAN ASAP ${w}`;
    case '10214':
      return `PINDANG ${w}`;
    case '10215':
      return `TERASI ${w}`;
    case '13134':
      return `BATIK TULIS ${rng.pick(['SEKAR JAGAD', 'KENDHEL', 'LATOHAN', 'TIGA NEGERI', 'PUSAKA', 'SRIWIJAYA', 'MAWAR', 'PESONA'])} ${rng.pick(['', '', 'LASEM', 'ABADI'])}`.trim();
    case '10794':
      return `${rng.pick(['KERUPUK', 'KERIPIK', 'PEYEK', 'RENGGINANG'])} ${w}`;
    case '49431':
      return `${rng.pick(['ANGKUTAN', 'TRANS'])} ${w}`;
    case '31001':
      return `MEBEL ${w}`;
    case '47241':
      return `TOKO ROTI ${w}`;
    case '46206':
      return `${w} BAHARI`;
    case '10792':
      return `SIRUP KAWIS ${w}`;
    default:
      return w;
  }
}

/** Capital (investment excluding land and buildings) well inside the PP 7/2021 band of a scale. */
export function capitalFor(skala: string, rng: Rng): number {
  switch (skala) {
    case '01':
      return Math.round(rng.real(40e6, 900e6) / 1e6) * 1e6;
    case '02':
      return Math.round(rng.real(1.2e9, 4.6e9) / 1e6) * 1e6;
    case '03':
      return Math.round(rng.real(5.5e9, 9.5e9) / 1e6) * 1e6;
    default:
      return Math.round(rng.real(11e9, 60e9) / 1e6) * 1e6;
  }
}

export function workersFor(skala: string, rng: Rng): [number, number] {
  const total =
    skala === '01'
      ? rng.between(1, 5)
      : skala === '02'
        ? rng.between(5, 20)
        : skala === '03'
          ? rng.between(20, 80)
          : rng.between(60, 400);
  const l = Math.round(total * rng.real(0.3, 0.7));
  return [l, total - l];
}

export function addressFor(place: Place, rng: Rng): string {
  return `${rng.pick(STREETS)} NO. ${rng.between(1, 120)}, DESA ${place.name.toUpperCase()}`;
}

/** The base NIB documents, in (tgl_perubahan_nib, nib) order. */
export class BaseBusinesses implements BaseSequence<SimDataNib> {
  readonly length: number;
  readonly timeline: NibTimeline;
  private readonly ctx: BaseContext;

  constructor(ctx: BaseContext) {
    this.ctx = ctx;
    this.length = ctx.layout.baseBusinesses;
    const endDay = ctx.nowDay - 1;
    const startDay = Math.min(Math.max(dayOf(2021, 8, 2), endDay - 1_600), endDay - 60);
    const starts = placeBatches(this.length, ctx.plan.nibDays, [0.15, 0.4, 0.65, 0.9]);
    const spanDays = endDay - startDay;
    const batches = ctx.plan.nibDays.map((size, b) => {
      const start = starts[b] ?? 0;
      const length = Math.min(size, this.length - start);
      return {
        start,
        length,
        day: startDay + Math.floor(((start + length - 1) * spanDays) / Math.max(1, this.length)),
      };
    });
    this.timeline = { startDay, spanDays, nibStep: Math.floor(8e11 / Math.max(1, this.length)), batches };
  }

  primary(j: number): number {
    for (const b of this.timeline.batches) if (j >= b.start && j < b.start + b.length) return b.day;
    return this.timeline.startDay + Math.floor((j * this.timeline.spanDays) / Math.max(1, this.length));
  }

  id(j: number): string {
    return this.nibAt(j);
  }

  nibAt(j: number): string {
    const step = this.timeline.nibStep;
    return String(9_120_000_000_000 + j * step + (hash32(this.ctx.seed, 502, j) % step));
  }

  /** Base index of a NIB, or -1. */
  indexOfNib(nib: string): number {
    if (!/^\d{13}$/.test(nib)) return -1;
    const target = Number(nib);
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Number(this.nibAt(mid)) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.length && this.nibAt(lo) === nib ? lo : -1;
  }

  /** Role, KBLI, village and scale of base business j (the cheap part of its identity). */
  private core(j: number): {
    role: BusinessRole;
    rank: number;
    rng: Rng;
    kbli: string;
    village: Village;
    skala: string;
  } {
    const { role, rank } = this.ctx.layout.businessPattern.roleAt(j);
    const rng = rngFor(this.ctx.seed, 501, j);
    const kbli = rng.pick(ROLE_KBLI[role]);
    const village = rng.pick(ROLE_VILLAGES[role]);
    const [m, k] = ROLE_SCALES[role];
    const r = rng.int(100);
    const skala = r < m ? '01' : r < m + k ? '02' : '03';
    return { role, rank, rng, kbli, village, skala };
  }

  identity(j: number): BaseBusinessIdentity {
    const { seed } = this.ctx;
    const { role, rank, rng, kbli, village, skala } = this.core(j);
    const owner = personAt(seed, PERSON_RANGE.base + j, village.kecamatan);
    const trade = tradeName(kbli, rng);
    let jenisPerseroan: string;
    let nama: string;
    const f = rng.int(100);
    if ((role === 'B' || role === 'D') && f < 25 && skala !== '01') {
      jenisPerseroan = '07';
      nama = role === 'B' ? `KUD ${trade}` : `KOPERASI PETAMBAK ${trade}`;
    } else if (skala === '03' || f < 30 || (role === 'H' && f < 80)) {
      jenisPerseroan = f % 3 === 0 ? '26' : '02';
      nama = `${jenisPerseroan === '26' ? 'PT' : 'CV'} ${trade}`;
    } else {
      jenisPerseroan = '17';
      nama = owner.name;
    }
    const perubahanDay = this.primary(j);
    const pengajuanDay = Math.max(MIN_NIB_DAY, perubahanDay - rng.between(0, 1_100));
    const terbitDay = Math.min(perubahanDay, pengajuanDay + rng.between(0, 1));
    const risk = RISK_R.has(kbli) ? 'R' : skala === '03' ? 'MT' : 'MR';
    return {
      index: j,
      role,
      rank,
      nib: this.nibAt(j),
      nama,
      namaKegiatan: jenisPerseroan === '17' ? `UD. ${trade}` : nama,
      kbli,
      skala,
      jenisPelaku: jenisPerseroan === '17' ? '02' : '01',
      jenisPerseroan,
      owner,
      village,
      perubahanDay,
      pengajuanDay,
      terbitDay,
      risk,
    };
  }

  /** Number of licences (checklist items) of base business j. */
  licenceCount(j: number): number {
    return RISK_R.has(this.core(j).kbli) ? 0 : 1;
  }

  build(j: number): SimDataNib {
    return composeBusiness(this.spec(j));
  }

  spec(j: number): BusinessSpec {
    const { seed } = this.ctx;
    const id = this.identity(j);
    const rng = rngFor(seed, 503, j);
    const capital = capitalFor(id.skala, rng);
    const [workersL, workersP] = workersFor(id.skala, rng);
    const individual = id.jenisPerseroan === '17';
    const address = addressFor(id.village, rng);
    const licences: LicenceSpec[] =
      id.risk === 'R'
        ? []
        : [{ jenis: '04', kdStatus: '50', flag: id.risk === 'MR' ? 'O' : 'Y', nama: '', kewenangan: '02' }];
    const modal = individual ? null : Math.round(capital / 1e6) * 1e6;
    const d15 = npwp15(seed, 2, j);
    const hi = Math.floor(j / 10_000);
    return {
      nib: id.nib,
      ids: {
        sec: dayStartSec(id.pengajuanDay) + 8 * 3600 + rng.int(8 * 3600),
        sss: (k) => hi * 10 + k,
        dddd: j % 10_000,
      },
      pengajuanDay: id.pengajuanDay,
      terbitDay: id.terbitDay,
      perubahanDay: id.perubahanDay,
      jenisPelaku: id.jenisPelaku,
      jenisPerseroan: id.jenisPerseroan,
      statusPm: '02',
      skala: id.skala,
      flagUmk: id.skala === '01' || id.skala === '02' ? 'Y' : 'N',
      nama: id.nama,
      npwp: individual ? id.owner.nik : rng.chance(0.3) ? dottedNpwp(d15) : `0${d15}`,
      place: id.village,
      address,
      rtRw: `00${rng.between(1, 9)}/00${rng.between(1, 9)}`,
      modalDitempatkan: modal,
      modalDasar: modal,
      persenPma: 0,
      negaraPma: '',
      statusNib: rng.weighted(['01', '04', '03'], [85, 10, 5]),
      owner: id.owner,
      holders:
        individual || id.jenisPerseroan === '07' ? [] : [{ person: id.owner, jabatan: 'PERSERO PENGURUS', share: 1 }],
      persons: [
        { person: id.owner, jabatan: individual ? 'PEMILIK' : id.jenisPerseroan === '07' ? 'KETUA' : 'DIREKTUR' },
      ],
      projects: [
        {
          kbli: id.kbli,
          skala: id.skala,
          risk: id.risk,
          place: id.village,
          namaKegiatan: id.namaKegiatan,
          capital,
          land: individual ? 0 : Math.round(rng.real(50e6, 400e6) / 1e6) * 1e6,
          building: Math.round(rng.real(20e6, 600e6) / 1e6) * 1e6,
          workersL,
          workersP,
          licences,
          address,
        },
      ],
      dni: [],
      phoneSeed: seed,
    };
  }
}

/** Partner identity of a base partnership (an NIB business or an individual with NIK). */
export interface BasePartner extends PartyUmkm {
  place: Place;
  /** Base business index when the partner has a NIB. */
  businessIndex: number;
}

interface PartnershipCore {
  sec: number;
  status: string;
  pengajuanSec: number;
}

/** The base listKemitraan records, in (tgl_perubahan, id_kemitraan) order. */
export class BasePartnerships implements BaseSequence<SimKemitraan> {
  readonly length: number;
  readonly timeline: Timeline;
  private readonly ctx: BaseContext;
  private readonly businesses: BaseBusinesses;
  private readonly partnerMemo = new Map<SectorCode, BasePartner[]>();

  constructor(ctx: BaseContext, businesses: BaseBusinesses) {
    this.ctx = ctx;
    this.businesses = businesses;
    this.length = ctx.plan.partnerships;
    const endSec = ctx.nowSec - 2 * 3600;
    let startSec = Math.max(dayStartSec(dayOf(2023, 1, 2)), endSec - 3 * 365 * DAY_S);
    if (startSec > endSec - 400 * DAY_S) startSec = endSec - 400 * DAY_S;
    let step = Math.floor((endSec - startSec) / this.length);
    if (step < 3) {
      step = 3;
      startSec = endSec - step * this.length;
    }
    const sizes = ctx.plan.kemitraanBatches.map((n) => Math.min(n, Math.floor(this.length * 0.8)));
    const starts = placeBatches(this.length, sizes, [0.35, 0.6, 0.85]);
    const batches = sizes.map((length, b) => {
      const start = starts[b] ?? 0;
      return { start, length, sec: startSec + (start + length - 1) * step };
    });
    this.timeline = { startSec, step, batches };
  }

  private batchOf(i: number): { start: number; length: number; sec: number } | undefined {
    for (const b of this.timeline.batches) if (i >= b.start && i < b.start + b.length) return b;
    return undefined;
  }

  primary(i: number): number {
    const b = this.batchOf(i);
    if (b) return b.sec;
    const { startSec, step } = this.timeline;
    return startSec + i * step + (hash32(this.ctx.seed, 602, i) % (step - 1));
  }

  private core(i: number): PartnershipCore {
    const { seed, nowSec } = this.ctx;
    const sec = this.primary(i);
    const h = hash32(seed, 603, i);
    const u = (h % 10_000) / 10_000;
    const h2 = hash32(seed, 604, i);
    const recent = sec >= nowSec - RECENT_S;
    let status = recent
      ? u < 0.2
        ? '01'
        : u < 0.6
          ? '02'
          : '03'
      : u < 0.55
        ? '03'
        : u < 0.85
          ? '05'
          : u < 0.92
            ? '04'
            : '06';
    const b = this.batchOf(i);
    let pengajuanSec: number;
    if (b) {
      pengajuanSec = b.sec - (b.start + b.length - i) * 2_221;
    } else if (status === '01' || status === '02') {
      pengajuanSec = sec - (h2 % Math.max(1, sec - (nowSec - RECENT_S)));
    } else {
      pengajuanSec = sec - 3_600 - (h2 % (400 * DAY_S));
    }
    // Awaiting approval must stay under 30 days (AWAITING_APPROVAL_STALE); older submissions are running.
    if ((status === '01' || status === '02') && pengajuanSec < nowSec - RECENT_S) status = '03';
    return { sec, status, pengajuanSec };
  }

  id(i: number): string {
    return kemitraanId(this.core(i).pengajuanSec, i % 1000, Math.floor(i / 1000));
  }

  /** Base index of an id_kemitraan, or -1. */
  indexOfId(id: string): number {
    if (!/^K-\d{21}$/.test(id)) return -1;
    const i = Number(id.slice(19)) * 1000 + Number(id.slice(16, 19));
    return i < this.length && this.id(i) === id ? i : -1;
  }

  /** Partner q of a sector, memoized: partners recur across partnerships and their identity is the costly part. */
  partner(sector: SectorCode, q: number): BasePartner {
    let memo = this.partnerMemo.get(sector);
    if (!memo) {
      memo = [];
      this.partnerMemo.set(sector, memo);
    }
    let p = memo[q];
    if (!p) {
      p = this.computePartner(sector, q);
      memo[q] = p;
    }
    return p;
  }

  private computePartner(sector: SectorCode, q: number): BasePartner {
    const { seed } = this.ctx;
    const def = SECTOR_BY_CODE.get(sector);
    if (def?.withNib) {
      const j = this.ctx.layout.businessPattern.indexOf(sector as BusinessRole, q);
      const id = this.businesses.identity(j);
      return {
        nib: id.nib,
        nama: id.nama,
        kbli: id.kbli,
        nik: '',
        skala: id.skala,
        place: id.village,
        businessIndex: j,
      };
    }
    const villages = sector === 'A' ? FISHING_VILLAGES : SALT_VILLAGES;
    const place = villages[hash32(seed, 605, sector === 'A' ? 0 : 1, q) % villages.length] as Village;
    const person = personAt(seed, (sector === 'A' ? PERSON_RANGE.nikA : PERSON_RANGE.nikC) + q, place.kecamatan);
    return {
      nib: '',
      nama: person.name,
      kbli: sector === 'A' ? '03111' : '08930',
      nik: person.nik,
      skala: '01',
      place,
      businessIndex: -1,
    };
  }

  build(i: number): SimKemitraan {
    const { seed, nowSec, nowDay, layout, ubs } = this.ctx;
    const core = this.core(i);
    const { role: sector, rank } = layout.sectorPattern.roleAt(i);
    const def = SECTOR_BY_CODE.get(sector) ?? SECTORS[0]!;
    const pool = layout.partnersPerSector.get(sector) ?? 1;
    const q = rank % pool;
    const round = Math.floor(rank / pool);
    const candidates = ubs[def.ub];
    const ub = candidates[(q + round) % candidates.length]!;
    const partner = this.partner(sector, q);
    const rng = new Rng(hash32(seed, 606, i));
    const store = ub.stores.length > 0 ? ub.stores[q % ub.stores.length]! : ub.mainProject;
    const pelaksanaan = def.ub === 'retail' ? store.place.code : partner.place.code;

    const tDay = wibDay(core.sec);
    const pengajuanDay = wibDay(core.pengajuanSec);
    let kesepakatanDay = pengajuanDay - rng.between(0, 60);
    let mulaiDay = Math.min(kesepakatanDay + rng.between(0, 30), nowDay - 1);
    let berakhirDay: number | null;
    switch (core.status) {
      case '03': {
        if (rng.chance(0.2)) berakhirDay = null;
        else {
          const years = rng.pick([1, 2, 3, 5]);
          berakhirDay = mulaiDay + years * 365;
          while (berakhirDay < nowDay + 60) berakhirDay += 365;
        }
        break;
      }
      case '05': {
        berakhirDay = tDay - rng.between(0, 10);
        if (berakhirDay < mulaiDay + 30) mulaiDay = berakhirDay - rng.between(90, 720);
        break;
      }
      default:
        berakhirDay = mulaiDay + rng.between(1, 3) * 365;
    }
    kesepakatanDay = Math.min(kesepakatanDay, mulaiDay);

    const terms = termsFor(sector, partner.kbli, ub, rng);
    const ceiling = VALUE_CEILING[partner.skala] ?? VALUE_CEILING['01']!;
    const nilai = Math.min(ceiling, valueFor(partner.skala, rng));
    return composeKemitraan(
      {
        pengajuanSec: core.pengajuanSec,
        idSss: i % 1000,
        idDddd: Math.floor(i / 1000),
        perubahanSec: core.sec,
        ub: {
          nib: ub.nib,
          nama: ub.nama,
          kbli: ub.kbli,
          idProyek: def.ub === 'retail' ? store.id : ub.mainProject.id,
          abbr: ub.abbr,
        },
        umkm: partner,
        pola: def.pola,
        objek: terms.objek,
        volume: terms.volume,
        satuan: terms.satuan,
        periode: 'bulan',
        nilai,
        kesepakatanDay,
        mulaiDay,
        berakhirDay,
        status: core.status,
        pelaksanaan,
      },
      rng,
      Math.min(nowDay, wibDay(nowSec)),
    );
  }
}

/** Agreement value (total, Rupiah) for a partner scale, under the clean ceiling. */
export function valueFor(skala: string, rng: Rng): number {
  const [lo, hi] = skala === '01' ? [60e6, 1.4e9] : skala === '02' ? [1.2e9, 9e9] : [6e9, 35e9];
  return Math.round(rng.real(lo, hi) / 500_000) * 500_000;
}

export function termsFor(
  sector: SectorCode,
  kbli: string,
  ub: Pick<UbRef, 'nama' | 'abbr'>,
  rng: Rng,
): { objek: string; volume: number; satuan: string } {
  switch (sector) {
    case 'A':
    case 'B':
      return {
        objek: `Pasokan ikan segar hasil tangkapan (${rng.pick(['layang', 'tongkol', 'kembung', 'teri', 'cumi'])}) untuk bahan baku ${ub.nama}`,
        volume: rng.between(2, 15),
        satuan: 'ton',
      };
    case 'C':
    case 'D':
      return {
        objek: 'Pasokan garam krosok kualitas K1 untuk bahan baku garam beryodium',
        volume: rng.between(20, 150),
        satuan: 'ton',
      };
    case 'E': {
      const produk = kbli === '10212' ? 'ikan asap' : kbli === '10214' ? 'pindang' : 'terasi udang';
      return {
        objek: `Pemasokan ${produk} kemasan untuk dijual di gerai ${ub.abbr} wilayah Rembang`,
        volume: rng.between(200, 3_000),
        satuan: 'kg',
      };
    }
    case 'F':
      return {
        objek: 'Penjualan kain batik tulis Lasem melalui gerai mitra',
        volume: rng.between(20, 300),
        satuan: 'pcs',
      };
    case 'G':
      return {
        objek: `Pemasokan ${rng.pick(['kerupuk ikan', 'keripik', 'peyek rebon', 'rengginang'])} kemasan untuk dijual di gerai ${ub.abbr}`,
        volume: rng.between(500, 10_000),
        satuan: 'pcs',
      };
    default:
      return {
        objek: `Jasa angkutan semen dan material dari pabrik ${ub.nama}`,
        volume: rng.between(500, 5_000),
        satuan: 'ton',
      };
  }
}
