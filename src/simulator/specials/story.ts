/* The background of the explicit world: story partnerships of every UB, and partnerships outside the region. */
import { OUTSIDE, village } from '../catalog.js';
import type { PartyUmkm } from '../docs.js';
import { ubParty } from '../explicit.js';
import type { UbKind } from '../plan.js';
import type { SimKemitraan } from '../types.js';
import type { SpecialsContext, Story } from './shared.js';

/** Every UB gets at least one running partnership in the region (its BUPM partnership requirement is met). */
export function buildStory(ctx: SpecialsContext): Story {
  const { b, d, ubs, reservedIds } = ctx;
  const kud = b.business({
    nama: 'KUD MINA SARI TASIKAGUNG',
    form: '07',
    skala: '02',
    kbli: '03111',
    place: village('3317102025'),
    statusNib: '03',
  });
  const garam = b.business({
    nama: 'CV GARAM SUMBER REJEKI',
    form: '02',
    skala: '01',
    kbli: '08930',
    place: village('3317092005'),
  });
  const siti = b.person('331710', { female: true, name: 'SITI AMINAH' });
  const buSiti = b.business({
    nama: siti.name,
    form: '17',
    owner: siti,
    namaKegiatan: 'UD. KERUPUK IKAN BU SITI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102025'),
  });
  const angkutan = b.business({
    nama: 'CV ANGKUTAN KENDENG JAYA',
    form: '02',
    skala: '02',
    kbli: '49431',
    risk: 'MR',
    place: village('3317032003'),
    statusNib: '04',
  });
  const story: Record<UbKind, SimKemitraan[]> = { retail: [], fish: [], salt: [], cement: [] };
  ubs.fish.forEach((f, n) => {
    story.fish.push(
      b.kemitraan({
        ub: ubParty(f.ref),
        umkm: b.umkmOf(kud),
        pola: '06',
        sector: 'B',
        status: '03',
        mulaiDay: d(420 + n * 10),
        berakhirDay: d(-330),
        pelaksanaan: kud.doc.perseroan_daerah_id,
      }),
    );
  });
  ubs.salt.forEach((s, n) => {
    story.salt.push(
      b.kemitraan({
        ub: ubParty(s.ref),
        umkm: b.umkmOf(garam),
        pola: '06',
        sector: 'D',
        status: '03',
        mulaiDay: d(380 + n * 10),
        berakhirDay: n === 0 ? null : d(-400),
        pelaksanaan: garam.doc.perseroan_daerah_id,
      }),
    );
  });
  ubs.retail.forEach((r, n) => {
    const store = r.ref.stores[0]!;
    story.retail.push(
      b.kemitraan({
        ub: ubParty(r.ref, store.id),
        umkm: b.umkmOf(buSiti),
        pola: '04',
        sector: 'G',
        status: '03',
        mulaiDay: d(500 + n * 7),
        berakhirDay: d(-330),
        pelaksanaan: store.place.code,
      }),
    );
  });
  ubs.cement.forEach((c, n) => {
    story.cement.push(
      b.kemitraan({
        ub: ubParty(c.ref),
        umkm: b.umkmOf(angkutan),
        pola: '10',
        sector: 'H',
        status: '03',
        mulaiDay: d(600 + n * 20),
        berakhirDay: d(-500),
        pelaksanaan: angkutan.doc.perseroan_daerah_id,
      }),
    );
  });
  for (const list of Object.values(story)) for (const k of list) reservedIds.add(k.id_kemitraan);
  return { partnerships: story, buSiti };
}

/** Partnerships carried out outside the region: not listed for the world's kabupaten, listed for the province. */
export function addOutsideRegion(ctx: SpecialsContext): void {
  const { b, d, reservedIds, F0, F1 } = ctx;
  for (const ub of [F0, F1]) {
    const person = b.person('331817');
    const k = b.kemitraan({
      ub: ubParty(ub.ref),
      umkm: { nib: '', nama: person.name, kbli: '03111', nik: person.nik, skala: '01' } satisfies PartyUmkm,
      pola: '06',
      sector: 'A',
      status: '03',
      mulaiDay: d(350),
      berakhirDay: d(-380),
      pelaksanaan: OUTSIDE.patiJuwana.code,
    });
    reservedIds.add(k.id_kemitraan);
    if (F1 === F0) break;
  }
}
