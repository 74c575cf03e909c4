/*
 * Static material for the Rembang world: villages with coordinates, sectors, names and UB templates.
 * Village codes come from config/reference/wilayah.json, except the Kaliori and Gunem villages marked `extra`
 * (the reference lists none there); their codes follow the Kemendagri pattern (7th digit 2 = desa).
 */

export interface Village {
  code: string;
  name: string;
  /** 6-digit kecamatan code. */
  kecamatan: string;
  lat: number;
  lng: number;
  postal: string;
  extra?: boolean;
}

/** Approximate kecamatan centres (all inside the 3317 bounding box -7.05..-6.55, 111.0..111.8). */
export const KECAMATAN_CENTRES: Readonly<Record<string, { lat: number; lng: number; postal: string }>> = {
  '331701': { lat: -6.83, lng: 111.26, postal: '59253' },
  '331702': { lat: -6.9, lng: 111.33, postal: '59255' },
  '331703': { lat: -6.91, lng: 111.45, postal: '59263' },
  '331704': { lat: -6.93, lng: 111.6, postal: '59265' },
  '331705': { lat: -6.74, lng: 111.68, postal: '59274' },
  '331706': { lat: -6.8, lng: 111.64, postal: '59264' },
  '331707': { lat: -6.77, lng: 111.52, postal: '59261' },
  '331708': { lat: -6.8, lng: 111.38, postal: '59254' },
  '331709': { lat: -6.72, lng: 111.25, postal: '59252' },
  '331710': { lat: -6.71, lng: 111.34, postal: '59217' },
  '331711': { lat: -6.77, lng: 111.46, postal: '59262' },
  '331712': { lat: -6.71, lng: 111.57, postal: '59273' },
  '331713': { lat: -6.67, lng: 111.51, postal: '59272' },
  '331714': { lat: -6.69, lng: 111.43, postal: '59271' },
};

const VILLAGE_ROWS: ReadonlyArray<[string, string, boolean?]> = [
  ['3317101019', 'Magersari'],
  ['3317101020', 'Gegunung Kulon'],
  ['3317101022', 'Pacar'],
  ['3317101023', 'Tanjungsari'],
  ['3317101027', 'Leteh'],
  ['3317101028', 'Sidowayah'],
  ['3317101029', 'Kutoharjo'],
  ['3317102025', 'Tasikagung'],
  ['3317102002', 'Turusgede'],
  ['3317102012', 'Weton'],
  ['3317102024', 'Sumberjo'],
  ['3317102026', 'Sawahan'],
  ['3317102034', 'Tireman'],
  ['3317142005', 'Babagan'],
  ['3317142004', 'Karangturi'],
  ['3317142009', 'Soditan'],
  ['3317142008', 'Dasun'],
  ['3317142019', 'Bonang'],
  ['3317142006', 'Dorokandang'],
  ['3317142010', 'Ngemplak'],
  ['3317142017', 'Tasiksono'],
  ['3317122012', 'Kragan'],
  ['3317122024', 'Pandangan Wetan'],
  ['3317122025', 'Pandangan Kulon'],
  ['3317122022', 'Plawangan'],
  ['3317122026', 'Sumurtawang'],
  ['3317122015', 'Narukan'],
  ['3317052023', 'Sarangmeduro'],
  ['3317052020', 'Karangmangu'],
  ['3317052001', 'Lodan Kulon'],
  ['3317052002', 'Lodan Wetan'],
  ['3317052021', 'Bajingjowo'],
  ['3317132012', 'Leran'],
  ['3317132010', 'Sluke'],
  ['3317012009', 'Sumber'],
  ['3317092003', 'Dresi Wetan', true],
  ['3317092005', 'Tasikharjo', true],
  ['3317092008', 'Pantiharjo', true],
  ['3317092011', 'Purworejo', true],
  ['3317032006', 'Tegaldowo', true],
  ['3317032009', 'Timbrangan', true],
  ['3317032003', 'Kajar', true],
];

function offsetOf(code: string, salt: number): number {
  let h = salt;
  for (let i = 0; i < code.length; i++) h = (h * 31 + code.charCodeAt(i)) % 1000;
  return (h / 1000 - 0.5) * 0.04;
}

export const VILLAGES: readonly Village[] = VILLAGE_ROWS.map(([code, name, extra]) => {
  const kecamatan = code.slice(0, 6);
  const centre = KECAMATAN_CENTRES[kecamatan];
  if (!centre) throw new Error(`simulator catalog: no centre for kecamatan ${kecamatan}`);
  const v: Village = {
    code,
    name,
    kecamatan,
    lat: Number((centre.lat + offsetOf(code, 7)).toFixed(4)),
    lng: Number((centre.lng + offsetOf(code, 13)).toFixed(4)),
    postal: centre.postal,
  };
  if (extra) v.extra = true;
  return v;
});

export function village(code: string): Village {
  const v = VILLAGES.find((x) => x.code === code);
  if (!v) throw new Error(`simulator catalog: unknown village ${code}`);
  return v;
}

const byKecamatan = (kecs: readonly string[]) => VILLAGES.filter((v) => kecs.includes(v.kecamatan));

/** Coastal fishing villages (Rembang, Lasem, Kragan, Sarang, Sluke). */
export const FISHING_VILLAGES = byKecamatan(['331710', '331714', '331712', '331705', '331713']).filter(
  (v) => !v.code.startsWith('3317101'),
);
/** Salt-pond villages (Kaliori, Lasem, Rembang). */
export const SALT_VILLAGES = byKecamatan(['331709', '331714']).concat(
  VILLAGES.filter((v) => ['3317102025', '3317102034', '3317102026'].includes(v.code)),
);
export const BATIK_VILLAGES = byKecamatan(['331714']);
export const TOWN_VILLAGES = VILLAGES.filter((v) => !v.extra);
export const GUNEM_VILLAGES = byKecamatan(['331703']);

/** Region codes outside Rembang used for out-of-region parties (all with known province/kabupaten prefixes). */
export const OUTSIDE = {
  patiJuwana: { code: '3318172007', name: 'Bajomulyo', postal: '59185', lat: -6.7141, lng: 111.1502 },
  jakartaUtara: { code: '3175031002', name: 'Ancol', postal: '14430', lat: -6.1257, lng: 106.8366 },
  jakartaBarat: { code: '3174051004', name: 'Kedoya Utara', postal: '11520', lat: -6.1709, lng: 106.7638 },
  semarang: { code: '3374121003', name: 'Tanjung Mas', postal: '50174', lat: -6.9526, lng: 110.4256 },
  surabaya: { code: '3578091001', name: 'Perak Timur', postal: '60165', lat: -7.2253, lng: 112.7346 },
} as const;

export const MALE_NAMES = [
  'SUPARNO',
  'SUTRISNO',
  'SLAMET',
  'AHMAD FAUZI',
  'MUHAMMAD ROFIQ',
  'BAMBANG',
  'JOKO',
  'AGUS',
  'HARTONO',
  'SUNARTO',
  'SUKARDI',
  'KASMADI',
  'RUSMAN',
  'TARMUJI',
  'SUYANTO',
  'WARSITO',
  'MUSLIKH',
  'ABDUL ROHMAN',
  'NUR KHOLIS',
  'SUGENG',
  'PURWANTO',
  'RIYANTO',
  'MASHURI',
  'SAIFUL ANAM',
  'ZAINAL ARIFIN',
  'KUSNADI',
  'DARMANTO',
  'SUROTO',
  'HERU',
  'TEGUH',
] as const;
export const FEMALE_NAMES = [
  'SITI AMINAH',
  'SRI WAHYUNI',
  'SUPARMI',
  'SUMIATI',
  'ENDANG',
  'NUR HIDAYAH',
  'WATINI',
  'KASMI',
  'SUWARNI',
  'SITI MUSRIFAH',
  'LILIK',
  'RATNA',
  'DWI ASTUTI',
  'UMI KULSUM',
  'TRI HANDAYANI',
  'SULASTRI',
  'MARYATI',
  'NGATINI',
  'RUKAYAH',
  'YULI',
  'ISTIQOMAH',
  'LESTARI',
  'MUNAWAROH',
  'SUPRIYATI',
  'KARTINI',
  'FATIMAH',
  'WIDAYATI',
  'NINGSIH',
] as const;
export const FAMILY_NAMES = [
  '',
  '',
  '',
  'WIBOWO',
  'SANTOSO',
  'PRASETYO',
  'HIDAYAT',
  'SETIAWAN',
  'NUGROHO',
  'RAHAYU',
  'SUSANTO',
  'PURNOMO',
  'KURNIAWAN',
  'SAPUTRO',
  'WAHYUDI',
  'UTOMO',
  'HANDOKO',
  'SUBEKTI',
  'MUSTOFA',
  'ASTUTI',
  'MULYONO',
] as const;
export const NAME_WORDS = [
  'SUMBER REJEKI',
  'BAROKAH',
  'MAKMUR',
  'JAYA ABADI',
  'SRI REJEKI',
  'TIRTA',
  'BAHARI',
  'SEGORO',
  'SAMUDRA',
  'MINA LESTARI',
  'BINTANG',
  'MULIA',
  'BERKAH',
  'SENTOSA',
  'ANUGERAH',
  'LANGGENG',
  'MANUNGGAL',
  'RAHAYU',
  'SEJAHTERA',
  'SARI LAUT',
  'MITRA USAHA',
  'PANTURA',
  'KARTINI',
  'DEWI SRI',
  'TUNAS HARAPAN',
  'MAJU BERSAMA',
  'SINAR JAYA',
  'CAHAYA',
  'GEMAH RIPAH',
  'NUSA INDAH',
  'LASEM RAYA',
  'KENDENG',
  'DAMPO AWANG',
  'SIDO MAKMUR',
  'TRI MANUNGGAL',
] as const;
export const BATIK_WORDS = [
  'SEKAR JAGAD',
  'KENDHEL',
  'LATOHAN',
  'TIGA NEGERI',
  'PUSAKA',
  'NUSANTARA',
  'SRIWIJAYA',
  'MAWAR',
  'PESONA',
  'PANJI',
  'SEKAR KAWUNG',
  'GUNUNG RING',
  'LOK CAN',
  'PRATAMA',
  'MARGO RUKUN',
  'SIDOMUKTI',
] as const;
export const STREETS = [
  'JL. PANTURA',
  'JL. JATIROGO',
  'JL. GAJAH MADA',
  'JL. DIPONEGORO',
  'JL. KARTINI',
  'JL. PEMUDA',
  'JL. SULTAN AGUNG',
  'JL. JENDRAL SUDIRMAN',
  'JL. DR. WAHIDIN',
  'JL. SOEKARNO HATTA',
  'JL. RAYA LASEM',
  'JL. SUNAN BONANG',
  'JL. DESA',
] as const;

/** A KBLI the world uses, with the PIA sector code and product wording. */
export interface SectorKbli {
  kbli: string;
  sektor: string;
  uraian: string;
  produk: string;
  satuanKapasitas: string;
}

export const KBLI_INFO: Readonly<Record<string, SectorKbli>> = {
  '03111': {
    kbli: '03111',
    sektor: '032',
    uraian: 'PENANGKAPAN IKAN DI LAUT',
    produk: 'Ikan segar hasil tangkapan',
    satuanKapasitas: 'ton/tahun',
  },
  '08930': {
    kbli: '08930',
    sektor: '020',
    uraian: 'EKSTRAKSI GARAM (TAMBAK GARAM RAKYAT)',
    produk: 'Garam krosok',
    satuanKapasitas: 'ton/tahun',
  },
  '10211': {
    kbli: '10211',
    sektor: '019',
    uraian: 'INDUSTRI PENGGARAMAN/PENGERINGAN IKAN',
    produk: 'Ikan asin',
    satuanKapasitas: 'ton/tahun',
  },
  '10212': {
    kbli: '10212',
    sektor: '019',
    uraian: 'INDUSTRI PENGASAPAN IKAN',
    produk: 'Ikan asap',
    satuanKapasitas: 'kg/bulan',
  },
  '10213': {
    kbli: '10213',
    sektor: '019',
    uraian: 'INDUSTRI PEMBEKUAN IKAN',
    produk: 'Ikan beku',
    satuanKapasitas: 'ton/tahun',
  },
  '10214': {
    kbli: '10214',
    sektor: '019',
    uraian: 'INDUSTRI PEMINDANGAN IKAN',
    produk: 'Ikan pindang',
    satuanKapasitas: 'kg/bulan',
  },
  '10215': {
    kbli: '10215',
    sektor: '019',
    uraian: 'INDUSTRI TERASI',
    produk: 'Terasi udang',
    satuanKapasitas: 'kg/bulan',
  },
  '10774': {
    kbli: '10774',
    sektor: '019',
    uraian: 'INDUSTRI PENGOLAHAN GARAM',
    produk: 'Garam beryodium',
    satuanKapasitas: 'ton/tahun',
  },
  '10792': {
    kbli: '10792',
    sektor: '019',
    uraian: 'INDUSTRI SIRUP KAWIS',
    produk: 'Sirup kawis',
    satuanKapasitas: 'liter/bulan',
  },
  '10794': {
    kbli: '10794',
    sektor: '019',
    uraian: 'INDUSTRI KERUPUK, KERIPIK DAN PEYEK',
    produk: 'Kerupuk ikan',
    satuanKapasitas: 'kg/bulan',
  },
  '13134': {
    kbli: '13134',
    sektor: '019',
    uraian: 'INDUSTRI BATIK TULIS',
    produk: 'Kain batik tulis Lasem',
    satuanKapasitas: 'pcs/bulan',
  },
  '23941': {
    kbli: '23941',
    sektor: '019',
    uraian: 'INDUSTRI SEMEN',
    produk: 'Semen portland',
    satuanKapasitas: 'ton/tahun',
  },
  '31001': {
    kbli: '31001',
    sektor: '019',
    uraian: 'INDUSTRI FURNITUR DARI KAYU',
    produk: 'Mebel kayu jati',
    satuanKapasitas: 'unit/bulan',
  },
  '46206': {
    kbli: '46206',
    sektor: '090',
    uraian: 'PERDAGANGAN BESAR HASIL PERIKANAN',
    produk: 'Ikan segar',
    satuanKapasitas: 'ton/tahun',
  },
  '47111': {
    kbli: '47111',
    sektor: '090',
    uraian: 'PERDAGANGAN ECERAN DI MINIMARKET',
    produk: 'Barang kebutuhan sehari-hari',
    satuanKapasitas: 'gerai',
  },
  '47241': {
    kbli: '47241',
    sektor: '090',
    uraian: 'PERDAGANGAN ECERAN ROTI DAN KUE',
    produk: 'Roti dan kue',
    satuanKapasitas: 'pcs/hari',
  },
  '49431': {
    kbli: '49431',
    sektor: '022',
    uraian: 'ANGKUTAN BERMOTOR UNTUK BARANG UMUM',
    produk: 'Jasa angkutan barang',
    satuanKapasitas: 'unit',
  },
};

export function kbliInfo(kbli: string): SectorKbli {
  return (
    KBLI_INFO[kbli] ?? { kbli, sektor: '019', uraian: 'KEGIATAN USAHA', produk: 'Produk', satuanKapasitas: 'unit' }
  );
}
