/* Near-miss controls: records close to a rule's threshold that must stay clean. */
import { village } from '../catalog.js';
import { noonOf } from '../docs.js';
import { ubParty } from '../explicit.js';
import { dottedNpwp, npwp15 } from '../people.js';
import type { SpecialsContext, Story } from './shared.js';
import { sumValue } from './shared.js';

/** A menengah partner declared menengah: only besar is not a UMKM. */
function menengahPartner(ctx: SpecialsContext): void {
  const { b, d, control, store0, retail0 } = ctx;
  const c1biz = b.business({
    nama: 'CV PINDANG MINA LESTARI',
    form: '02',
    skala: '03',
    kbli: '10214',
    risk: 'MT',
    place: village('3317122012'),
    capital: 7.2e9,
  });
  const c1 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(c1biz),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(410),
    berakhirDay: d(-320),
    pelaksanaan: store0.place.code,
    nilai: 12e9,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c1.id_kemitraan,
    note: 'menengah partner (skala 03) declared 03: only besar is wrong',
  });
}

/** An agreement that ended yesterday and is Selesai. */
function endedYesterday(ctx: SpecialsContext): void {
  const { b, d, control, store1, retail1 } = ctx;
  const c2owner = b.person('331710', { female: true, name: 'SUMIATI' });
  const c2biz = b.business({
    nama: c2owner.name,
    form: '17',
    owner: c2owner,
    namaKegiatan: 'UD. KERIPIK TEMPE SARI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102002'),
  });
  const c2 = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(c2biz),
    pola: '04',
    sector: 'G',
    status: '05',
    mulaiDay: d(366),
    berakhirDay: d(1),
    pelaksanaan: store1.place.code,
    perubahanSec: noonOf(d(1)),
  });
  control({ entity_type: 'kemitraan', entity_id: c2.id_kemitraan, note: 'ended yesterday with status 05 Selesai' });
}

/** A story partnership that ends in the future; an individual whose NPWP is their NIK. */
function storyControls(ctx: SpecialsContext, st: Story): void {
  const { control } = ctx;
  const story = st.partnerships;
  const { buSiti } = st;
  const storyRetail = story.retail[0]!;
  control({
    entity_type: 'kemitraan',
    entity_id: storyRetail.id_kemitraan,
    note: `Berjalan with tgl_berakhir ${storyRetail.tgl_berakhir} in the future`,
  });
  control({ entity_type: 'pelaku_usaha', entity_id: buSiti.doc.nib, note: "an individual's NPWP that is their NIK" });
}

/** Waiting for the partner for 10 days (under the 30-day threshold). */
function waitingTenDays(ctx: SpecialsContext): void {
  const { b, d, control, F0 } = ctx;
  const c5party = b.nikPartner('fish');
  const c5 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: c5party.party,
    pola: '06',
    sector: 'A',
    status: '02',
    mulaiDay: d(12),
    berakhirDay: d(-353),
    pelaksanaan: c5party.place.code,
    pengajuanSec: noonOf(d(10)),
    perubahanSec: noonOf(d(10)) + 1800,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c5.id_kemitraan,
    note: 'status 02 Menunggu Persetujuan Mitra since 10 days (under 30)',
  });
}

/** A partner name that differs from OSS's only in case and punctuation. */
function nameDiffersInCase(ctx: SpecialsContext): void {
  const { b, d, control, store1, retail1 } = ctx;
  const c6biz = b.business({
    nama: 'CV BATIK TULIS SEKAR KENDHEL',
    form: '02',
    skala: '01',
    kbli: '13134',
    place: village('3317142005'),
  });
  const c6 = b.kemitraan({
    ub: retail1(),
    umkm: { ...b.umkmOf(c6biz), nama: 'Cv. Batik Tulis Sekar Kendhel' },
    pola: '04',
    sector: 'F',
    status: '03',
    mulaiDay: d(290),
    berakhirDay: d(-440),
    pelaksanaan: store1.place.code,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c6.id_kemitraan,
    note: 'nama_umkm differs from the OSS name only in case and punctuation',
  });
}

/** Berjalan for 40 days: no full quarter to report yet. */
function tooNewForRealisation(ctx: SpecialsContext): void {
  const { b, d, control, S0 } = ctx;
  const c7party = b.nikPartner('salt', { female: true });
  const c7 = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: c7party.party,
    pola: '06',
    sector: 'C',
    status: '03',
    mulaiDay: d(40),
    berakhirDay: d(-690),
    pelaksanaan: c7party.place.code,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c7.id_kemitraan,
    note: 'Berjalan since 40 days with no realisasi yet (less than a full quarter); partner NIK of a woman (day + 40)',
  });
}

/** A mikro partner just under the yearly value ceiling. */
function valueUnderCeiling(ctx: SpecialsContext): void {
  const { b, d, control, F0 } = ctx;
  const c9party = b.nikPartner('fish');
  const c9 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: c9party.party,
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(200),
    berakhirDay: d(-165),
    pelaksanaan: c9party.place.code,
    nilai: 1.95e9,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c9.id_kemitraan,
    note: 'mikro partner, Rp1.95 M for one year: just under the Rp2 M ceiling',
  });
}

/** An open-ended Berjalan partnership. */
function openEnded(ctx: SpecialsContext, st: Story): void {
  const { control } = ctx;
  const story = st.partnerships;
  const storySalt = story.salt[0]!;
  control({
    entity_type: 'kemitraan',
    entity_id: storySalt.id_kemitraan,
    note: 'open-ended Berjalan partnership (tgl_berakhir empty)',
  });
}

/** A cancelled (06) partnership that stays listed. */
function cancelledListed(ctx: SpecialsContext): void {
  const { b, d, control, C0 } = ctx;
  const c11biz = b.business({
    nama: 'CV TRANS SULANG MANDIRI',
    form: '02',
    skala: '01',
    kbli: '49431',
    risk: 'MR',
    place: village('3317012009'),
  });
  const c11 = b.kemitraan({
    ub: ubParty(C0.ref),
    umkm: b.umkmOf(c11biz),
    pola: '10',
    sector: 'H',
    status: '06',
    mulaiDay: d(240),
    berakhirDay: d(-490),
    pelaksanaan: c11biz.doc.perseroan_daerah_id,
    realisasi: [],
  });
  control({ entity_type: 'kemitraan', entity_id: c11.id_kemitraan, note: 'cancelled (06) partnership stays listed' });
}

/** The same parties and pattern twice, one after the other. */
function consecutivePartnerships(ctx: SpecialsContext): void {
  const { b, d, control, reservedIds, store0, retail0 } = ctx;
  const lilik = b.person('331714', { female: true, name: 'LILIK' });
  const c12biz = b.business({
    nama: lilik.name,
    form: '17',
    owner: lilik,
    namaKegiatan: 'UD. PEYEK REBON MBAK LILIK',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317142017'),
  });
  const c12a = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(c12biz),
    pola: '04',
    sector: 'G',
    status: '05',
    mulaiDay: d(800),
    berakhirDay: d(400),
    pelaksanaan: store0.place.code,
    perubahanSec: noonOf(d(399)),
    nilai: 700e6,
  });
  const c12b = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(c12biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(380),
    berakhirDay: d(-350),
    pelaksanaan: store0.place.code,
    nilai: 750e6,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c12b.id_kemitraan,
    note: `same UB, UMKM and pola as ${c12a.id_kemitraan} but not overlapping (that one ended first)`,
  });
  reservedIds.add(c12a.id_kemitraan);
}

/** Realised value at 95% of the agreed value. */
function realisedUnderValue(ctx: SpecialsContext): void {
  const { b, d, control, F1 } = ctx;
  const c13party = b.nikPartner('fish');
  const r13base = b.realisation(13, { mulaiDay: d(500), berakhirDay: d(-230), nilai: 1e9, volume: 10, satuan: 'ton' });
  const r13sum = sumValue(r13base);
  const c13 = b.kemitraan({
    ub: ubParty(F1.ref),
    umkm: c13party.party,
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(500),
    berakhirDay: d(-230),
    pelaksanaan: c13party.place.code,
    volume: 10,
    nilai: Math.ceil(r13sum / 0.95 / 1000) * 1000,
    realisasi: r13base,
  });
  control({ entity_type: 'kemitraan', entity_id: c13.id_kemitraan, note: 'realised value is 95% of nilai_kemitraan' });
}

/** UBs that meet their partnership, licence and investment-status obligations. */
function ubsMeetingObligations(ctx: SpecialsContext): void {
  const { control, R0, F0, F1, S0 } = ctx;
  control({
    entity_type: 'pelaku_usaha',
    entity_id: R0.ref.nib,
    note: 'data_dni 115 with Berjalan partnerships in the region',
  });
  control({
    entity_type: 'proyek',
    entity_id: F0.ref.mainProject.id,
    note: 'risk MT with a Sertifikat Standar (jenis_izin 04)',
  });
  const s0licence = S0.built.doc.data_checklist[0];
  if (s0licence?.status_checklist === '57')
    control({
      entity_type: 'perizinan',
      entity_id: s0licence.id_izin,
      note: 'kd_status 57 (fiktif positif) is in the PIA table',
    });
  if (F1 !== F0)
    control({
      entity_type: 'pelaku_usaha',
      entity_id: F1.ref.nib,
      note: 'PMA with persen_pma 30 and a foreign shareholder',
    });
}

/** A location near the corner of the region's bounding box, inside it. */
function locationInsideBox(ctx: SpecialsContext): void {
  const { b, control } = ctx;
  const c18owner = b.person('331701');
  const c18 = b.business({
    nama: c18owner.name,
    form: '17',
    owner: c18owner,
    namaKegiatan: 'UD. MEBEL JATI SUMBER',
    skala: '01',
    kbli: '31001',
    place: village('3317012009'),
    latLng: '-7.0410,111.0160',
  });
  control({
    entity_type: 'proyek',
    entity_id: c18.doc.data_proyek[0]!.id_proyek,
    note: 'location near the south-west corner of the bounding box, inside it',
  });
}

/** A UMKM with status_nib 04 Diizinkan Beroperasi, which is active. */
function activeStatusNib(ctx: SpecialsContext, st: Story): void {
  const { control } = ctx;
  const story = st.partnerships;
  control({
    entity_type: 'kemitraan',
    entity_id: story.cement[0]!.id_kemitraan,
    note: 'UMKM status_nib 04 Diizinkan Beroperasi is active',
  });
}

/** An NPWP in the dotted 15-digit form. */
function dotted15DigitNpwp(ctx: SpecialsContext): void {
  const { b, control } = ctx;
  const c20 = b.business({
    nama: 'CV MINA BAHARI REMBANG',
    form: '02',
    skala: '01',
    kbli: '46206',
    place: village('3317101028'),
    npwp: dottedNpwp(npwp15(b.seed, 5, 1)),
  });
  control({ entity_type: 'pelaku_usaha', entity_id: c20.doc.nib, note: 'NPWP in the dotted 15-digit form (valid)' });
}

/** Adds the near-miss controls, in this order. */
export function addControls(ctx: SpecialsContext, story: Story): void {
  menengahPartner(ctx);
  endedYesterday(ctx);
  storyControls(ctx, story);
  waitingTenDays(ctx);
  nameDiffersInCase(ctx);
  tooNewForRealisation(ctx);
  valueUnderCeiling(ctx);
  openEnded(ctx, story);
  cancelledListed(ctx);
  consecutivePartnerships(ctx);
  realisedUnderValue(ctx);
  ubsMeetingObligations(ctx);
  locationInsideBox(ctx);
  activeStatusNib(ctx, story);
  dotted15DigitNpwp(ctx);
}
