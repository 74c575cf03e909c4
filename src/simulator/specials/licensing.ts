/* Planted cases of the licensing rules: missing and unknown licences, project locations, investment status. */
import { village } from '../catalog.js';
import type { SpecialsContext } from './shared.js';

/** RISK_LICENCE_MISSING: a risk MT project without a Sertifikat Standar. */
function riskLicenceMissing(ctx: SpecialsContext): void {
  const { b, plant } = ctx;
  const p25 = b.business({
    nama: 'CV PENGASAPAN IKAN SUMBER LAUT',
    form: '02',
    skala: '02',
    kbli: '10212',
    risk: 'MT',
    licences: [],
    place: village('3317142008'),
  });
  plant({
    rule: 'RISK_LICENCE_MISSING',
    entity_type: 'proyek',
    entity_id: p25.doc.data_proyek[0]!.id_proyek,
    note: 'skala_resiko MT without a Sertifikat Standar (jenis_izin 04)',
  });
}

/** LICENCE_STATUS_UNKNOWN: kd_status 58, outside PIA Lampiran 10. */
function licenceStatusUnknown(ctx: SpecialsContext): void {
  const { b, plant, fixables } = ctx;
  const p26 = b.business({
    nama: 'CV TERASI REBON LASEM',
    form: '02',
    skala: '02',
    kbli: '10215',
    risk: 'MT',
    place: village('3317142009'),
    licences: [
      { jenis: '04', kdStatus: '58', flag: 'Y', nama: '', kewenangan: '02', uraian: 'Izin terbit/SS terverifikasi' },
    ],
  });
  const izin26 = p26.doc.data_checklist[0]!.id_izin;
  const p26case = plant({
    rule: 'LICENCE_STATUS_UNKNOWN',
    entity_type: 'perizinan',
    entity_id: izin26,
    note: 'kd_status "58" is not in PIA Lampiran 10',
  });
  fixables.push({
    planted: p26case,
    fix: (m) => {
      m.setLicenceStatus(izin26, '50', 'Disetujui');
      return { partnerships: [], nibs: [], licences: [izin26] };
    },
    change: (m) => {
      m.setLicenceStatus(izin26, '59', 'Menunggu verifikasi teknis');
      return { partnerships: [], nibs: [], licences: [izin26] };
    },
  });
}

/** LOCATION_OUTSIDE_REGION: a project whose lat_lng has latitude and longitude swapped. */
function locationOutsideRegion(ctx: SpecialsContext): void {
  const { b, plant } = ctx;
  const p27place = village('3317052002');
  const p27owner = b.person('331705');
  const p27 = b.business({
    nama: p27owner.name,
    form: '17',
    owner: p27owner,
    namaKegiatan: 'UD. IKAN ASIN BAHARI',
    skala: '01',
    kbli: '10211',
    risk: 'MR',
    place: p27place,
    latLng: `${p27place.lng.toFixed(4)},${p27place.lat.toFixed(4)}`,
  });
  plant({
    rule: 'LOCATION_OUTSIDE_REGION',
    entity_type: 'proyek',
    entity_id: p27.doc.data_proyek[0]!.id_proyek,
    note: 'lat_lng has latitude and longitude swapped',
  });
}

/** INVESTMENT_STATUS_INCONSISTENT: PMA without any foreign share. */
function investmentStatusInconsistent(ctx: SpecialsContext): void {
  const { b, plant } = ctx;
  const p28 = b.business({
    nama: 'PT REMBANG AGRO MARITIM',
    form: '01',
    skala: '04',
    kbli: '10213',
    risk: 'MT',
    place: village('3317101022'),
    capital: 22e9,
    statusPm: '01',
    persenPma: 0,
  });
  plant({
    rule: 'INVESTMENT_STATUS_INCONSISTENT',
    entity_type: 'pelaku_usaha',
    entity_id: p28.doc.nib,
    note: 'status_penanaman_modal 01 PMA with persen_pma 0 and no foreign shareholder',
  });
}

/** Plants one case per licensing rule, in this order. */
export function plantLicensingCases(ctx: SpecialsContext): void {
  riskLicenceMissing(ctx);
  licenceStatusUnknown(ctx);
  locationOutsideRegion(ctx);
  investmentStatusInconsistent(ctx);
}
