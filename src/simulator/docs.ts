/*
 * Builders for the wire documents: a dataNIB (inqueryNIB) from a compact business description, and a listKemitraan
 * record with its quarterly realisation. Base (lazy) and explicit (planted, story) records both go through here so
 * that every record has the same shape.
 */

import { STATUS_IZIN } from '../domain/codes.js';
import type { Village } from './catalog.js';
import { kbliInfo } from './catalog.js';
import type { Person } from './people.js';
import { emailFor, phoneFor } from './people.js';
import type { Rng } from './prng.js';
import {
  DAY_S,
  dayParts,
  dayStartSec,
  dayToDate,
  idStamp,
  quarterOfDay,
  quarterStartDay,
  wibDateTime,
} from './time.js';
import type {
  SimChecklist,
  SimDataNib,
  SimKemitraan,
  SimPemegangSaham,
  SimPenanggungJawab,
  SimProyek,
  SimRealisasi,
} from './types.js';

/** A place: a Rembang village or an out-of-region kelurahan. */
export type Place = Pick<Village, 'code' | 'name' | 'lat' | 'lng' | 'postal'>;

export interface LicenceSpec {
  jenis: '01' | '02' | '04';
  kdStatus: string;
  flag: 'Y' | 'N' | 'O' | 'T';
  nama: string;
  kewenangan: '00' | '01' | '02';
  /** Status description when kdStatus is outside the PIA table (e.g. "58"). */
  uraian?: string;
}

export interface ProjectSpec {
  kbli: string;
  /** KBLI as written in the project (normally = kbli; a planted case may drop the leading zero). */
  kbliWire?: string;
  skala: string;
  risk: 'R' | 'MR' | 'MT' | 'T';
  place: Place;
  namaKegiatan: string;
  /** Investment excluding land and buildings (what PP 7/2021 scale is computed on). */
  capital: number;
  land: number;
  building: number;
  workersL: number;
  workersP: number;
  licences: LicenceSpec[];
  /** Overrides the "lat,lng" of the location (planted swapped or out-of-box coordinates). */
  latLng?: string;
  address: string;
}

export interface HolderSpec {
  person?: Person;
  foreign?: { name: string; passport: string; country: string };
  jabatan: string;
  share: number;
}

/** Everything a dataNIB is built from. Ids are derived from `ids`. */
export interface BusinessSpec {
  nib: string;
  ids: IdSource;
  pengajuanDay: number;
  terbitDay: number;
  perubahanDay: number;
  jenisPelaku: '01' | '02';
  jenisPerseroan: string;
  statusPm: '01' | '02';
  skala: string;
  flagUmk: 'Y' | 'N';
  nama: string;
  npwp: string;
  place: Place;
  address: string;
  rtRw: string;
  modalDitempatkan: number | null;
  modalDasar: number | null;
  persenPma: number;
  negaraPma: string;
  statusNib: string;
  owner: Person;
  holders: HolderSpec[];
  persons: Array<{ person: Person; jabatan: string }>;
  projects: ProjectSpec[];
  dni: string[];
  phoneSeed: number;
}

/**
 * The id digits of one business: ids are prefix + yyyyMMddHHmmss (WIB, on the NIB submission day) + SSS + dddd.
 * Base businesses encode their index in SSS/dddd (SSS < 500) so that an id_izin can be decoded back to its NIB;
 * explicit businesses use SSS >= 500, so the two never collide.
 */
export interface IdSource {
  /** Epoch second (on the submission day) the ids are stamped with. */
  sec: number;
  sss: (k: number) => number;
  dddd: number;
}

export function formatId(prefix: string, sec: number, sss: number, dddd: number): string {
  return `${prefix}${idStamp(sec, sss)}${String(dddd).padStart(4, '0')}`;
}

export function money(n: number): string {
  return String(Math.round(n));
}

function uraianStatus(code: string, fallback?: string): string {
  return (STATUS_IZIN as Record<string, string>)[code] ?? fallback ?? '';
}

const NAMA_IZIN: Record<LicenceSpec['jenis'], string> = {
  '01': 'Persetujuan Kesesuaian Kegiatan Pemanfaatan Ruang',
  '02': 'Izin Usaha Industri',
  '04': 'Sertifikat Standar',
};

function holderDoc(h: HolderSpec, modal: number, address: string): SimPemegangSaham {
  const foreign = h.foreign;
  return {
    jenis_pemegang_saham: '01',
    flag_asing: foreign ? 'Y' : 'N',
    total_modal_pemegang: money(modal * h.share),
    jabatan_pemegang_saham: h.jabatan,
    nama_pemegang_saham: foreign ? foreign.name : (h.person?.name ?? ''),
    jns_identitas_pemegang_saham: foreign ? '02' : '01',
    no_identitas_pemegang_saham: foreign ? foreign.passport : (h.person?.nik ?? ''),
    valid_identitas_pemegang_saham: 'Y',
    negara_asal_pemegang_saham: foreign ? foreign.country : 'ID',
    pengendali_pemegang_saham: h.share >= 0.5 ? 'Y' : 'N',
    npwp_pemegang_saham: foreign ? '' : (h.person?.nik ?? ''),
    alamat_pemegang_saham: address,
    fax_pemegang_saham: '',
    email_pemegang_saham: '',
    flag_pajak_pemegang_saham: '00',
    ket_pajak_pemegang_saham: 'Valid',
  };
}

function pjDoc(p: Person, jabatan: string, place: Place, address: string, n: number): SimPenanggungJawab {
  return {
    flag_asing: 'N',
    jns_identitas_penanggung_jwb: '01',
    no_identitas_penanggung_jwb: p.nik,
    nama_penanggung_jwb: p.name,
    jabatan_penanggung_jwb: jabatan,
    kebangsaan_penanggung_jwb: 'WNI',
    negara_asal_penanggung_jwb: 'ID',
    npwp_penanggung_jwb: p.nik,
    alamat_penanggung_jwb: address,
    rt_rw_penanggung_jwb: '001/002',
    kelurahan_penanggung_jwb: place.name.toUpperCase(),
    daerah_id_penanggung_jwb: place.code,
    kode_pos_penanggung_jwb: place.postal,
    no_hp_penanggung_jwb: phoneFor(n, p.index),
    email_penanggung_jwb: emailFor(p.name, p.index),
    flag_pajak_penanggung_jwb: '00',
    ket_pajak_penanggung_jwb: 'Valid',
  };
}

/** The k-th project of a business, with its one location and one product. */
function projectDoc(spec: BusinessSpec, p: ProjectSpec, k: number): SimProyek {
  const { ids } = spec;
  const projectSec = ids.sec + 60 * (k + 1);
  const idProyek = formatId('R-', projectSec, ids.sss(k), ids.dddd);
  const digits = idProyek.slice(2);
  const info = kbliInfo(p.kbli);
  const kbliWire = p.kbliWire ?? p.kbli;
  const investasiLain = Math.round(p.capital * 0.1);
  const mesin = Math.round(p.capital * 0.4);
  const modalKerja = Math.round(p.capital) - investasiLain - mesin;
  const sub = p.land + p.building + mesin + investasiLain;
  const lokasiId = `L-${digits}01`;
  return {
    id_proyek: idProyek,
    nomor_proyek: `P-${digits}`,
    uraian_usaha: info.uraian,
    nama_kegiatan: p.namaKegiatan,
    deskripsi_kegiatan: `${info.produk} - ${p.namaKegiatan}`,
    kbli: kbliWire,
    sektor: info.sektor,
    skala_usaha: p.skala,
    skala_resiko: p.risk,
    jenis_proyek: '01',
    status_proyek: '01',
    jumlah_tki_l: p.workersL,
    jumlah_tki_p: p.workersP,
    jumlah_tka_l: 0,
    jumlah_tka_p: 0,
    memiliki_menguasai: 'Y',
    jenis_lokasi: '01',
    status_tanah: p.land > 0 ? '02' : '01',
    luas_tanah: String(Math.max(20, Math.round(p.land / 750_000))),
    satuan_luas_tanah: '01',
    pembelian_pematang_tanah: money(p.land),
    bangunan_gedung: money(p.building),
    mesin_peralatan: money(mesin),
    mesin_peralatan_usd: '0',
    investasi_lain: money(investasiLain),
    sub_jumlah: money(sub),
    modal_kerja: money(modalKerja),
    jumlah_investasi: money(sub + modalKerja),
    tanggal_kurs: '',
    nilai_kurs: '',
    flag_perluasan: 'N',
    flag_cabang: 'N',
    npwp_cabang: '',
    nama_cabang: '',
    jenis_identitas_pj: '01',
    no_identitas_pj: spec.owner.nik,
    nama_pj: spec.owner.name,
    kd_kawasan: '',
    satu_lini: 'N',
    data_lokasi_proyek: [
      {
        id_proyek_lokasi: lokasiId,
        proyek_daerah_id: p.place.code,
        kd_kawasan: '',
        alamat_usaha: p.address,
        id_kegiatan: '',
        response_kegiatan: '',
        jenis_kawasan: '',
        jenis_lokasi: '01',
        status_lokasi: '01',
        data_lokasi_proyek: [
          { serial: '1', lat_lng: p.latLng ?? `${p.place.lat.toFixed(4)},${p.place.lng.toFixed(4)}` },
        ],
        data_posisi_proyek: [{ id_proyek_posisi: `PS-${digits}01`, id_proyek_lokasi: lokasiId, posisi_lokasi: '01' }],
      },
    ],
    data_proyek_produk: [
      {
        id_produk: `PR-${digits}01`,
        id_proyek: idProyek,
        kbli: kbliWire,
        id_bidang_usaha: '',
        jenis_produksi: info.produk,
        kapasitas: String(Math.max(1, Math.round(p.capital / 25_000_000))),
        satuan: info.satuanKapasitas,
        merk_dagang: '',
        flag_memiliki_halal: 'N',
        nomor_sertifikat_halal: '',
        flag_memiliki_sni: 'N',
        tkdn: '',
      },
    ],
  };
}

/** The checklist item of licence `l`, the li-th of the k-th project. */
function licenceItem(
  spec: BusinessSpec,
  p: ProjectSpec,
  idProyek: string,
  k: number,
  l: LicenceSpec,
  li: number,
): SimChecklist {
  const { ids } = spec;
  const info = kbliInfo(p.kbli);
  const kbliWire = p.kbliWire ?? p.kbli;
  const stampDay = dayToDate(spec.pengajuanDay);
  const idIzin = formatId('I-', ids.sec + 3600 + 60 * k + li, ids.sss(k) + li, ids.dddd);
  const final = ['50', '57'].includes(l.kdStatus);
  const item: SimChecklist = {
    id_produk: '',
    id_proyek: idProyek,
    id_izin: idIzin,
    jenis_izin: l.jenis,
    kd_izin: `${info.sektor}000000${String(100 + ((ids.dddd + li) % 900))}`,
    kd_daerah: l.kewenangan === '02' ? `${p.place.code.slice(0, 4)}000000` : '',
    nama_izin: l.nama || `${NAMA_IZIN[l.jenis]} ${info.uraian}`,
    instansi: l.kewenangan === '02' ? 'DPMPTSP KABUPATEN' : 'KEMENTERIAN TEKNIS',
    id_bidang_spesifik: '',
    bidang_spesifik: '',
    id_kewenangan: '',
    parameter_kewenangan: '',
    kewenangan: l.kewenangan,
    flag_checklist: l.flag,
    status_checklist: l.kdStatus,
    flag_transaksional: 'N',
    flag_perpanjangan: 'N',
    kbli_konversi: kbliWire,
    no_izin: final ? `${ids.dddd}/${l.jenis}/${stampDay.slice(0, 4)}` : '',
    tgl_izin: final ? stampDay : '',
    file_izin: '',
    data_persyaratan: [],
  };
  const uraian = uraianStatus(l.kdStatus, l.uraian);
  if (uraian) item.uraian = uraian;
  return item;
}

/** Builds the full dataNIB document. */
export function composeBusiness(spec: BusinessSpec): SimDataNib {
  const { ids } = spec;
  const stampDay = dayToDate(spec.pengajuanDay);
  const totalCapital = spec.projects.reduce((s, p) => s + p.capital, 0);
  const modalForHolders = spec.modalDitempatkan ?? totalCapital;
  const projects: SimProyek[] = [];
  const checklist: SimChecklist[] = [];
  spec.projects.forEach((p, k) => {
    const project = projectDoc(spec, p, k);
    projects.push(project);
    p.licences.forEach((l, li) => {
      checklist.push(licenceItem(spec, p, project.id_proyek, k, l, li));
    });
  });
  const individual = spec.jenisPelaku === '02';
  const phone = phoneFor(spec.phoneSeed, spec.owner.index);
  return {
    nib: spec.nib,
    oss_id: formatId('P02-', ids.sec, ids.sss(9), ids.dddd),
    tgl_pengajuan_nib: stampDay,
    tgl_terbit_nib: dayToDate(spec.terbitDay),
    tgl_perubahan_nib: dayToDate(spec.perubahanDay),
    jenis_pelaku_usaha: spec.jenisPelaku,
    jenis_perseroan: spec.jenisPerseroan,
    status_badan_hukum: ['01', '07', '26'].includes(spec.jenisPerseroan) ? '01' : '02',
    status_penanaman_modal: spec.statusPm,
    status_perseroan: 'N',
    flag_umk: spec.flagUmk,
    skala_usaha: spec.skala,
    jenis_perubahan_terakhir: spec.perubahanDay > spec.pengajuanDay ? '02' : '',
    nama_perseroan: spec.nama,
    nama_singkatan: '',
    npwp_perseroan: spec.npwp,
    alamat_perseroan: spec.address,
    rt_rw_perseroan: spec.rtRw,
    kelurahan_perseroan: spec.place.name.toUpperCase(),
    perseroan_daerah_id: spec.place.code,
    kode_pos_perseroan: spec.place.postal,
    nomor_telpon_perseroan: phone,
    email_perusahaan: emailFor(individual ? spec.owner.name : spec.nama, spec.owner.index),
    dalam_bentuk_uang: spec.modalDitempatkan === null ? '' : money(spec.modalDitempatkan),
    dalam_bentuk_lain: spec.modalDitempatkan === null ? '' : '0',
    total_modal_dasar: spec.modalDasar === null ? '' : money(spec.modalDasar),
    total_modal_ditempatkan: spec.modalDitempatkan === null ? '' : money(spec.modalDitempatkan),
    total_pma: spec.persenPma > 0 ? money((modalForHolders * spec.persenPma) / 100) : '0',
    nilai_pma_dominan: spec.persenPma > 0 ? money((modalForHolders * spec.persenPma) / 100) : '0',
    nilai_pmdn: money((modalForHolders * (100 - spec.persenPma)) / 100),
    persen_pma: String(spec.persenPma),
    persen_pmdn: String(100 - spec.persenPma),
    negara_pma_dominan: spec.negaraPma,
    gabung_negara: '',
    flag_perusahaan: 'N',
    flag_ekspor: 'N',
    flag_impor: 'N',
    jenis_api: '',
    no_npp: '',
    no_va: '',
    no_wlkp: '',
    kd_kawasan: '',
    jenis_kawasan: '',
    versi_pia: '4.3.22',
    jangka_waktu: '',
    flag_perubahan_data_teknis: 'N',
    no_pengesahan: individual
      ? ''
      : `AHU-${String(spec.owner.index).padStart(7, '0')}.AH.01.01.TAHUN ${stampDay.slice(0, 4)}`,
    tgl_pengesahan: individual ? '' : stampDay,
    status_nib: spec.statusNib,
    tipe_dokumen: spec.perubahanDay > spec.pengajuanDay ? '5' : '9',
    jenis_id_user_proses: '01',
    no_id_user_proses: spec.owner.nik,
    nama_user_proses: spec.owner.name,
    email_user_proses: emailFor(spec.owner.name, spec.owner.index),
    hp_user_proses: phone,
    jns_kelamin_user_proses: spec.owner.female ? 'P' : 'L',
    daerah_id_user_proses: spec.place.code,
    legalitas: individual
      ? []
      : [
          {
            jenis_legal: '01',
            no_legal: String(1 + (spec.owner.index % 97)),
            tgl_legal: stampDay,
            alamat_notaris: 'JL. PEMUDA NO. 12 REMBANG',
            nama_notaris: 'NOTARIS RAHMAWATI, S.H., M.KN.',
            telepon_notaris: '0295691234',
          },
        ],
    pemegang_saham: spec.holders.map((h) => holderDoc(h, modalForHolders, spec.address)),
    penanggung_jwb: spec.persons.map((p, n) => pjDoc(p.person, p.jabatan, spec.place, spec.address, n)),
    data_proyek: projects,
    data_checklist: checklist,
    data_dni: spec.dni.map((kd_dni) => ({ kd_dni })),
  };
}

/** Money ceilings the world keeps clean values under (PP 7/2021 annual sales, with margin). */
export const VALUE_CEILING: Readonly<Record<string, number>> = {
  '01': 1_500_000_000,
  '02': 10_000_000_000,
  '03': 40_000_000_000,
  '04': 40_000_000_000,
};

export interface PartyUb {
  nib: string;
  nama: string;
  kbli: string;
  idProyek: string;
  abbr: string;
}

export interface PartyUmkm {
  nib: string;
  nama: string;
  kbli: string;
  nik: string;
  skala: string;
}

export interface KemitraanSpec {
  /** Submission instant (epoch second) and id digits. */
  pengajuanSec: number;
  idSss: number;
  idDddd: number;
  /** Overrides the instant embedded in id_kemitraan (planted DATE_INCONSISTENT). */
  idSec?: number;
  perubahanSec: number;
  ub: PartyUb;
  umkm: PartyUmkm;
  pola: string;
  objek: string;
  volume: number;
  satuan: string;
  periode: 'bulan' | 'tahun';
  nilai: number;
  kesepakatanDay: number;
  mulaiDay: number;
  berakhirDay: number | null;
  status: string;
  pelaksanaan: string;
  /** Realisation already decided by the caller; otherwise derived from status and dates. */
  realisasi?: SimRealisasi[];
}

const ROMAN_MONTH = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

export function kemitraanId(sec: number, sss: number, dddd: number): string {
  return formatId('K-', sec, sss, dddd);
}

/** Volumes are whole units (at least 1). */
function formatVolume(v: number): string {
  return String(Math.max(1, Math.round(v)));
}

/** The last quarter that was complete on `day` (a quarter ending on `day` counts). */
export function lastCompleteQuarter(day: number): number {
  return quarterOfDay(day + 1) - 1;
}

/** The first quarter a partnership that started on `mulaiDay` reports in full. */
export function firstFullQuarter(mulaiDay: number): number {
  const q = quarterOfDay(mulaiDay);
  return quarterStartDay(q) === mulaiDay ? q : q + 1;
}

/**
 * Realisation for every complete quarter from the first full quarter after tgl_mulai up to the last complete
 * quarter before `nowDay` (and before tgl_berakhir). Values and volumes stay well below the agreement.
 */
export function realisationFor(
  rng: Rng,
  spec: Pick<KemitraanSpec, 'mulaiDay' | 'berakhirDay' | 'nilai' | 'volume' | 'periode' | 'satuan'>,
  nowDay: number,
  factor = 1,
): SimRealisasi[] {
  const first = firstFullQuarter(spec.mulaiDay);
  let last = lastCompleteQuarter(nowDay - 1);
  if (spec.berakhirDay !== null) last = Math.min(last, lastCompleteQuarter(spec.berakhirDay));
  if (last < first) return [];
  const durationQuarters = spec.berakhirDay === null ? 0 : Math.ceil((spec.berakhirDay - spec.mulaiDay) / 91.3);
  const spread = Math.max(durationQuarters, last - first + 1 + 4);
  const perQuarterVolume = spec.volume * (spec.periode === 'bulan' ? 3 : 0.25);
  const out: SimRealisasi[] = [];
  for (let q = first; q <= last; q++) {
    const value = (spec.nilai / spread) * rng.real(0.5, 0.85) * factor;
    const volume = perQuarterVolume * rng.real(0.4, 0.7) * factor;
    out.push({
      tahun: String(Math.floor(q / 4)),
      triwulan: String((q % 4) + 1),
      nilai_realisasi: String(Math.round(value / 1000) * 1000),
      volume_realisasi: formatVolume(volume),
      satuan: spec.satuan,
      sumber: 'LKPM',
    });
  }
  return out;
}

/** Builds a listKemitraan record. */
export function composeKemitraan(spec: KemitraanSpec, rng: Rng, nowDay: number): SimKemitraan {
  const id = kemitraanId(spec.idSec ?? spec.pengajuanSec, spec.idSss, spec.idDddd);
  const realisasi =
    spec.realisasi ??
    (spec.status === '03' || spec.status === '05' || (spec.status === '06' && rng.chance(0.3))
      ? realisationFor(rng, spec, spec.status === '06' ? Math.min(nowDay, spec.mulaiDay + 200) : nowDay)
      : []);
  const signYear = dayToDate(spec.kesepakatanDay).slice(0, 4);
  return {
    id_kemitraan: id,
    nib_ub: spec.ub.nib,
    nama_ub: spec.ub.nama,
    id_proyek_ub: spec.ub.idProyek,
    kbli_ub: spec.ub.kbli,
    nib_umkm: spec.umkm.nib,
    nama_umkm: spec.umkm.nama,
    kbli_umkm: spec.umkm.kbli,
    nik_umkm: spec.umkm.nik,
    skala_usaha_umkm: spec.umkm.skala,
    pola_kemitraan: spec.pola,
    objek_kemitraan: spec.objek,
    volume: formatVolume(spec.volume),
    satuan: spec.satuan,
    periode_volume: spec.periode,
    nilai_kemitraan: money(spec.nilai),
    tgl_kesepakatan: dayToDate(spec.kesepakatanDay),
    tgl_mulai: dayToDate(spec.mulaiDay),
    tgl_berakhir: spec.berakhirDay === null ? '' : dayToDate(spec.berakhirDay),
    kd_daerah_pelaksanaan: spec.pelaksanaan,
    no_dokumen: `${String(((spec.idDddd * 1000 + spec.idSss) % 9999) + 1).padStart(4, '0')}/KKU/${spec.ub.abbr}/${ROMAN_MONTH[dayParts(spec.kesepakatanDay).month] ?? 'I'}/${signYear}`,
    url_dokumen: `https://oss.go.id/kemitraan/dokumen/${id}.pdf`,
    status_kemitraan: spec.status,
    tgl_pengajuan: wibDateTime(spec.pengajuanSec),
    tgl_perubahan: wibDateTime(spec.perubahanSec),
    realisasi,
  };
}

/** Midday of a day (epoch second), for building instants from day numbers. */
export function noonOf(day: number): number {
  return dayStartSec(day) + DAY_S / 2;
}
