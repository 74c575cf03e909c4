/* Planted cases of the partnership rules: the parties, the scale, the value, realisation and the agreement's life. */
import { OUTSIDE, village } from '../catalog.js';
import { noonOf } from '../docs.js';
import { ubParty, ubPartyOf } from '../explicit.js';
import { DAY_S, dayToDate } from '../time.js';
import type { SpecialsContext } from './shared.js';
import { editK, editNib, scaleRealisation, setCapital, sumValue } from './shared.js';

/** PARTNER_NIB_INACTIVE: a UMKM whose NIB is frozen (status_nib 05). */
function partnerNibInactive(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, store0, retail0 } = ctx;
  const p9biz = b.business({
    nama: 'CV TERASI UDANG WIDORO',
    form: '02',
    skala: '01',
    kbli: '10215',
    risk: 'MR',
    place: village('3317142019'),
    statusNib: '05',
  });
  const p9 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p9biz),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(330),
    berakhirDay: d(-400),
    pelaksanaan: store0.place.code,
  });
  const p9case = plant({
    rule: 'PARTNER_NIB_INACTIVE',
    entity_type: 'kemitraan',
    entity_id: p9.id_kemitraan,
    note: `UMKM ${p9biz.doc.nib} has status_nib 05 Dibekukan`,
  });
  fixables.push({
    planted: p9case,
    fix: editNib(p9biz.doc.nib, (doc) => {
      doc.status_nib = '01';
    }),
    change: editNib(p9biz.doc.nib, (doc) => {
      doc.status_nib = '06';
    }),
  });
}

/** PARTNER_NOT_UMKM: a "UMKM" that is usaha besar in OSS, and one declared at the wrong scale. */
function partnerNotUmkm(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, store0, store1, retail0, retail1 } = ctx;
  const p10a = b.business({
    nama: 'PT REMBANG FROZEN FISH',
    form: '01',
    skala: '04',
    kbli: '10213',
    risk: 'MT',
    place: village('3317101023'),
    capital: 15e9,
  });
  const k10a = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p10a, '03'),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(360),
    berakhirDay: d(-370),
    pelaksanaan: store1.place.code,
    nilai: 8e9,
  });
  plant({
    rule: 'PARTNER_NOT_UMKM',
    entity_type: 'kemitraan',
    entity_id: k10a.id_kemitraan,
    note: 'the "UMKM" is skala_usaha 04 in OSS (declared 03 in the agreement)',
  });
  const p10b = b.business({
    nama: 'CV KRUPUK SEGORO MAKMUR',
    form: '02',
    skala: '02',
    kbli: '10794',
    risk: 'MR',
    place: village('3317101027'),
    capital: 2.5e9,
  });
  const k10b = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p10b, '01'),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(310),
    berakhirDay: d(-420),
    pelaksanaan: store0.place.code,
    nilai: 1.2e9,
  });
  const p10bCase = plant({
    rule: 'PARTNER_NOT_UMKM',
    entity_type: 'kemitraan',
    entity_id: k10b.id_kemitraan,
    note: 'declared skala_usaha_umkm 01 but OSS says 02',
  });
  fixables.push({
    planted: p10bCase,
    fix: editK(k10b.id_kemitraan, (r) => {
      r.skala_usaha_umkm = '02';
    }),
    change: editK(k10b.id_kemitraan, (r) => {
      r.skala_usaha_umkm = '03';
    }),
  });
}

/** UB_NOT_LARGE: a "usaha besar" that is menengah in OSS. */
function ubNotLarge(ctx: SpecialsContext): void {
  const { b, d, plant } = ctx;
  const p11ub = b.business({
    nama: 'CV PINDANG JAYA KRAGAN',
    form: '02',
    skala: '03',
    kbli: '10214',
    risk: 'MT',
    place: village('3317122015'),
    capital: 7e9,
  });
  const p11party = b.nikPartner('fish');
  const k11 = b.kemitraan({
    ub: ubPartyOf(p11ub, 'PJK'),
    umkm: p11party.party,
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(270),
    berakhirDay: d(-460),
    pelaksanaan: p11party.place.code,
  });
  plant({
    rule: 'UB_NOT_LARGE',
    entity_type: 'kemitraan',
    entity_id: k11.id_kemitraan,
    note: `nib_ub ${p11ub.doc.nib} is skala_usaha 03 (menengah)`,
  });
}

/** UMKM_OUTSIDE_REGION: a UMKM domiciled in Kabupaten Pati. */
function umkmOutsideRegion(ctx: SpecialsContext): void {
  const { b, d, plant, store0, retail0 } = ctx;
  const p12biz = b.business({
    nama: 'CV PINDANG JUWANA BAHARI',
    form: '02',
    skala: '01',
    kbli: '10214',
    risk: 'MR',
    place: OUTSIDE.patiJuwana,
  });
  const k12 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p12biz),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(340),
    berakhirDay: d(-390),
    pelaksanaan: store0.place.code,
  });
  plant({
    rule: 'UMKM_OUTSIDE_REGION',
    entity_type: 'kemitraan',
    entity_id: k12.id_kemitraan,
    note: `UMKM domicile ${OUTSIDE.patiJuwana.code} (Kabupaten Pati)`,
  });
}

/** PARTNER_AFFILIATED: a UMKM with one of the UB's shareholders. */
function partnerAffiliated(ctx: SpecialsContext): void {
  const { b, d, plant, F0 } = ctx;
  const shared = F0.built.spec.holders[0]!.person!;
  const p13owner = b.person('331710');
  const p13biz = b.business({
    nama: 'CV MINA SAMUDRA REJEKI',
    form: '02',
    skala: '02',
    kbli: '03111',
    place: village('3317102025'),
    owner: p13owner,
    holders: [
      { person: p13owner, jabatan: 'DIREKTUR', share: 0.5 },
      { person: shared, jabatan: 'KOMISARIS', share: 0.5 },
    ],
  });
  const k13 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: b.umkmOf(p13biz),
    pola: '06',
    sector: 'B',
    status: '03',
    mulaiDay: d(450),
    berakhirDay: d(-280),
    pelaksanaan: p13biz.doc.perseroan_daerah_id,
  });
  plant({
    rule: 'PARTNER_AFFILIATED',
    entity_type: 'kemitraan',
    entity_id: k13.id_kemitraan,
    note: `shareholder ${shared.name} holds shares in both the UB and the UMKM (same NIK)`,
  });
}

/** SCALE_VS_CAPITAL: a declared mikro business with the capital of a kecil one. */
function scaleVsCapital(ctx: SpecialsContext): void {
  const { b, plant, fixables } = ctx;
  const p14 = b.business({
    nama: b.person('331714').name,
    form: '17',
    namaKegiatan: 'UD. KERIPIK SINGKONG MAKMUR',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317142010'),
    capital: 3.2e9,
  });
  const p14case = plant({
    rule: 'SCALE_VS_CAPITAL',
    entity_type: 'pelaku_usaha',
    entity_id: p14.doc.nib,
    note: 'declared mikro (01) with Rp3.2 M capital excluding land and buildings (kecil)',
  });
  fixables.push({
    planted: p14case,
    fix: editNib(p14.doc.nib, (doc) => setCapital(doc, 600e6)),
    change: editNib(p14.doc.nib, (doc) => setCapital(doc, 4.1e9)),
  });
}

/** FLAG_UMK_VS_SCALE: flag_umk N on a kecil business. */
function flagUmkVsScale(ctx: SpecialsContext): void {
  const { b, plant, fixables } = ctx;
  const p15 = b.business({
    nama: 'CV BATIK LASEM PUSAKA',
    form: '02',
    skala: '02',
    kbli: '13134',
    place: village('3317142005'),
    flagUmk: 'N',
    capital: 2e9,
  });
  const p15case = plant({
    rule: 'FLAG_UMK_VS_SCALE',
    entity_type: 'pelaku_usaha',
    entity_id: p15.doc.nib,
    note: 'flag_umk N with skala_usaha 02',
  });
  fixables.push({
    planted: p15case,
    fix: editNib(p15.doc.nib, (doc) => {
      doc.flag_umk = 'Y';
    }),
  });
}

/** VALUE_IMPLAUSIBLE: a value far over the mikro ceiling, and a value of 0. */
function valueImplausible(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, F1, store1, retail1 } = ctx;
  const yuli = b.person('331710', { female: true, name: 'YULI ASTUTI' });
  const p16biz = b.business({
    nama: yuli.name,
    form: '17',
    owner: yuli,
    namaKegiatan: 'UD. KERUPUK IKAN MBAK YULI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102026'),
  });
  const k16 = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p16biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(150),
    berakhirDay: d(-215),
    pelaksanaan: store1.place.code,
    nilai: 25e9,
  });
  const p16case = plant({
    rule: 'VALUE_IMPLAUSIBLE',
    entity_type: 'kemitraan',
    entity_id: k16.id_kemitraan,
    note: 'Rp25 M for one year with a mikro partner (ceiling Rp2 M a year)',
  });
  fixables.push({
    planted: p16case,
    fix: editK(k16.id_kemitraan, (r) => {
      r.nilai_kemitraan = '900000000';
      r.realisasi = scaleRealisation(r.realisasi, 900e6 / 25e9);
    }),
    change: editK(k16.id_kemitraan, (r) => {
      r.nilai_kemitraan = '30000000000';
    }),
  });
  const p16bParty = b.nikPartner('fish');
  const k16b = b.kemitraan({
    ub: ubParty(F1.ref),
    umkm: p16bParty.party,
    pola: '06',
    sector: 'A',
    status: '01',
    mulaiDay: d(3),
    berakhirDay: d(-362),
    pelaksanaan: p16bParty.place.code,
    nilai: 0,
    pengajuanSec: b.nowSec - 5 * DAY_S,
    perubahanSec: b.nowSec - 5 * DAY_S + 600,
  });
  plant({
    rule: 'VALUE_IMPLAUSIBLE',
    entity_type: 'kemitraan',
    entity_id: k16b.id_kemitraan,
    note: 'nilai_kemitraan is 0',
  });
}

/** PATTERN_KBLI_MISMATCH: pola 04 Perdagangan Umum with a fish processor. */
function patternKbliMismatch(ctx: SpecialsContext): void {
  const { b, d, plant, F0 } = ctx;
  const p17party = b.nikPartner('fish');
  const k17 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: p17party.party,
    pola: '04',
    sector: 'A',
    status: '03',
    mulaiDay: d(390),
    berakhirDay: d(-340),
    pelaksanaan: p17party.place.code,
  });
  plant({
    rule: 'PATTERN_KBLI_MISMATCH',
    entity_type: 'kemitraan',
    entity_id: k17.id_kemitraan,
    note: `pola 04 Perdagangan Umum with kbli_ub ${F0.ref.kbli} (not trade 45-47)`,
  });
}

/** NO_REALISATION: Berjalan for 250 days without realisasi. */
function noRealisation(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, S0 } = ctx;
  const p18party = b.nikPartner('salt');
  const k18 = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: p18party.party,
    pola: '06',
    sector: 'C',
    status: '03',
    mulaiDay: d(250),
    berakhirDay: d(-480),
    pelaksanaan: p18party.place.code,
    realisasi: [],
  });
  const p18case = plant({
    rule: 'NO_REALISATION',
    entity_type: 'kemitraan',
    entity_id: k18.id_kemitraan,
    note: 'Berjalan since 250 days, no realisasi',
  });
  fixables.push({
    planted: p18case,
    fix: editK(k18.id_kemitraan, (r) => {
      r.realisasi = b.realisation(18, {
        mulaiDay: d(250),
        berakhirDay: d(-480),
        nilai: Number(r.nilai_kemitraan),
        volume: Number(r.volume),
        satuan: r.satuan,
      });
    }),
    change: editK(k18.id_kemitraan, (r) => {
      r.tgl_mulai = dayToDate(d(280));
    }),
  });
}

/** REALISATION_EXCEEDS: 130% of the agreed value realised. */
function realisationExceeds(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, store0, retail0 } = ctx;
  const p19biz = b.business({
    nama: 'CV BATIK TULIS LOK CAN',
    form: '02',
    skala: '01',
    kbli: '13134',
    place: village('3317142005'),
  });
  const r19base = b.realisation(19, {
    mulaiDay: d(700),
    berakhirDay: d(-30),
    nilai: 800e6,
    volume: 120,
    satuan: 'pcs',
  });
  const r19 = scaleRealisation(r19base, (1.3 * 800e6) / Math.max(1, sumValue(r19base)));
  const k19 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p19biz),
    pola: '04',
    sector: 'F',
    status: '03',
    mulaiDay: d(700),
    berakhirDay: d(-30),
    pelaksanaan: store0.place.code,
    nilai: 800e6,
    volume: 120,
    realisasi: r19,
  });
  const p19case = plant({
    rule: 'REALISATION_EXCEEDS',
    entity_type: 'kemitraan',
    entity_id: k19.id_kemitraan,
    note: 'realised value is 130% of nilai_kemitraan',
  });
  fixables.push({
    planted: p19case,
    fix: editK(k19.id_kemitraan, (r) => {
      r.nilai_kemitraan = String(Math.round(sumValue(r.realisasi) * 1.25));
    }),
    change: editK(k19.id_kemitraan, (r) => {
      r.nilai_kemitraan = String(Math.round(sumValue(r.realisasi) / 1.6));
    }),
  });
}

/** DUPLICATE_PARTNERSHIP: two overlapping agreements of the same parties and pattern. */
function duplicatePartnership(ctx: SpecialsContext): void {
  const { b, d, plant, store1, retail1 } = ctx;
  const kasmi = b.person('331714', { female: true, name: 'KASMI' });
  const p20biz = b.business({
    nama: kasmi.name,
    form: '17',
    owner: kasmi,
    namaKegiatan: 'UD. PEYEK KACANG BU KASMI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317142006'),
  });
  const k20a = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p20biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(300),
    berakhirDay: d(-400),
    pelaksanaan: store1.place.code,
    nilai: 500e6,
  });
  const k20b = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p20biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(100),
    berakhirDay: d(-600),
    pelaksanaan: store1.place.code,
    nilai: 450e6,
  });
  for (const [k, other] of [
    [k20a, k20b],
    [k20b, k20a],
  ] as const) {
    plant({
      rule: 'DUPLICATE_PARTNERSHIP',
      entity_type: 'kemitraan',
      entity_id: k.id_kemitraan,
      note: `same UB, UMKM and pola 04 as ${other.id_kemitraan}, overlapping in time`,
    });
  }
}

/** AWAITING_APPROVAL_STALE: waiting for the partner for 60 days. */
function awaitingApprovalStale(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, store0, retail0 } = ctx;
  const p21owner = b.person('331714', { female: true });
  const p21biz = b.business({
    nama: p21owner.name,
    form: '17',
    owner: p21owner,
    namaKegiatan: 'UD. BATIK TULIS SRIWIJAYA',
    skala: '01',
    kbli: '13134',
    place: village('3317142009'),
  });
  const k21 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p21biz),
    pola: '04',
    sector: 'F',
    status: '02',
    mulaiDay: d(62),
    berakhirDay: d(-300),
    pelaksanaan: store0.place.code,
    pengajuanSec: noonOf(d(60)),
    perubahanSec: noonOf(d(60)) + 3600,
  });
  const p21case = plant({
    rule: 'AWAITING_APPROVAL_STALE',
    entity_type: 'kemitraan',
    entity_id: k21.id_kemitraan,
    note: 'status 02 since 60 days',
  });
  fixables.push({
    planted: p21case,
    fix: editK(k21.id_kemitraan, (r) => {
      r.status_kemitraan = '04';
    }),
  });
}

/** EXPIRED_STILL_ACTIVE: Berjalan after tgl_berakhir. */
function expiredStillActive(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, S0 } = ctx;
  const p22biz = b.business({
    nama: 'CV GARAM DRESI MAKMUR',
    form: '02',
    skala: '01',
    kbli: '08930',
    place: village('3317092003'),
  });
  const k22 = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: b.umkmOf(p22biz),
    pola: '06',
    sector: 'D',
    status: '03',
    mulaiDay: d(390),
    berakhirDay: d(20),
    pelaksanaan: p22biz.doc.perseroan_daerah_id,
  });
  const p22case = plant({
    rule: 'EXPIRED_STILL_ACTIVE',
    entity_type: 'kemitraan',
    entity_id: k22.id_kemitraan,
    note: `status 03 but tgl_berakhir ${dayToDate(d(20))} has passed`,
  });
  fixables.push({
    planted: p22case,
    fix: editK(k22.id_kemitraan, (r) => {
      r.status_kemitraan = '05';
    }),
    change: editK(k22.id_kemitraan, (r) => {
      r.tgl_berakhir = dayToDate(d(35));
    }),
  });
}

/** PARTNER_NAME_MISMATCH: the agreement names another business than the partner's NIB. */
function partnerNameMismatch(ctx: SpecialsContext): void {
  const { b, d, plant, fixables, store1, retail1 } = ctx;
  const p23biz = b.business({
    nama: 'CV RENGGINANG LESTARI',
    form: '02',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102024'),
  });
  const k23 = b.kemitraan({
    ub: retail1(),
    umkm: { ...b.umkmOf(p23biz), nama: 'UD SARI RASA' },
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(320),
    berakhirDay: d(-410),
    pelaksanaan: store1.place.code,
  });
  const p23case = plant({
    rule: 'PARTNER_NAME_MISMATCH',
    entity_type: 'kemitraan',
    entity_id: k23.id_kemitraan,
    note: 'nama_umkm "UD SARI RASA" vs OSS "CV RENGGINANG LESTARI"',
  });
  fixables.push({
    planted: p23case,
    fix: editK(k23.id_kemitraan, (r) => {
      r.nama_umkm = 'CV RENGGINANG LESTARI';
    }),
    change: editK(k23.id_kemitraan, (r) => {
      r.nama_umkm = 'UD SARI RASA ABADI';
    }),
  });
}

/** REQUIRED_PARTNERSHIP_MISSING: a UB obliged to partner whose only partnership ended. */
function requiredPartnershipMissing(ctx: SpecialsContext): void {
  const { b, d, plant, reservedIds } = ctx;
  const p24 = b.business({
    nama: 'PT BAHARI TASIK INDUSTRI',
    form: '01',
    skala: '04',
    kbli: '10213',
    risk: 'MT',
    place: village('3317102025'),
    capital: 18e9,
    dni: ['65'],
    holders: [
      { person: b.person('331710'), jabatan: 'DIREKTUR UTAMA', share: 0.7 },
      { person: b.person('331710'), jabatan: 'KOMISARIS', share: 0.3 },
    ],
  });
  const p24party = b.nikPartner('fish');
  const k24 = b.kemitraan({
    ub: ubPartyOf(p24, 'BTI'),
    umkm: p24party.party,
    pola: '06',
    sector: 'A',
    status: '05',
    mulaiDay: d(600),
    berakhirDay: d(200),
    pelaksanaan: p24party.place.code,
    perubahanSec: noonOf(d(199)),
  });
  reservedIds.add(k24.id_kemitraan);
  plant({
    rule: 'REQUIRED_PARTNERSHIP_MISSING',
    entity_type: 'pelaku_usaha',
    entity_id: p24.doc.nib,
    note: `data_dni kd_dni 65 and no Berjalan partnership (only ${k24.id_kemitraan}, Selesai)`,
  });
}

/** Plants one case (or more) per partnership rule, in this order. */
export function plantPartnershipCases(ctx: SpecialsContext): void {
  partnerNibInactive(ctx);
  partnerNotUmkm(ctx);
  ubNotLarge(ctx);
  umkmOutsideRegion(ctx);
  partnerAffiliated(ctx);
  scaleVsCapital(ctx);
  flagUmkVsScale(ctx);
  valueImplausible(ctx);
  patternKbliMismatch(ctx);
  noRealisation(ctx);
  realisationExceeds(ctx);
  duplicatePartnership(ctx);
  awaitingApprovalStale(ctx);
  expiredStillActive(ctx);
  partnerNameMismatch(ctx);
  requiredPartnershipMissing(ctx);
}
