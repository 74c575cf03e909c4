/** The reader of the reference data shipped under config/reference (regions, KBLI), and of the project root. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Region and KBLI reference data shipped under config/reference. */
export interface Reference {
  provinces: Readonly<Record<string, string>>;
  kabupaten: Readonly<Record<string, string>>;
  /** Provinces whose kabupaten list above is complete (an unknown kabupaten there is an error). */
  kabupatenCompleteForProvinces: readonly string[];
  kecamatan: Readonly<Record<string, string>>;
  desa: Readonly<Record<string, string>>;
  boundingBoxes: Readonly<Record<string, { lat_min: number; lat_max: number; lng_min: number; lng_max: number }>>;
  kbli: Readonly<Record<string, string>>;
}

/** The project root: the folder holding package.json, found from this file in src/ or in dist/src/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error(`oss-sync: cannot find the project root (package.json) from ${fileURLToPath(import.meta.url)}`);
}

let cached: Reference | undefined;

/** Loads config/reference once (it is static data shipped with the app). */
export function loadReference(root = projectRoot()): Reference {
  if (cached) return cached;
  const read = (name: string) => JSON.parse(readFileSync(join(root, 'config', 'reference', name), 'utf8'));
  const wilayah = read('wilayah.json');
  const kbli = read('kbli.json');
  cached = Object.freeze({
    provinces: wilayah.provinces,
    kabupaten: wilayah.kabupaten,
    kabupatenCompleteForProvinces: wilayah.kabupaten_complete_for_provinces,
    kecamatan: wilayah.kecamatan,
    desa: wilayah.desa,
    boundingBoxes: wilayah.bounding_boxes,
    kbli: kbli.codes,
  });
  return cached;
}

/** "Kabupaten Rembang" for 3317, "Kota Semarang" for 3374, the province's name for a 2-digit region. */
export function regionName(kdDaerah: string): string {
  const ref = loadReference();
  const name = kdDaerah.length === 2 ? ref.provinces[kdDaerah] : ref.kabupaten[kdDaerah];
  if (!name) return kdDaerah;
  return kdDaerah.length === 2 || /^(Kota|Kabupaten)\b/.test(name) ? name : `Kabupaten ${name}`;
}

/** Approximate kecamatan centroids (config/reference/kecamatan-centroid.json), for maps without tiles. */
export type KecamatanCentroids = Readonly<Record<string, { nama: string; lat: number; lng: number }>>;

/** The centroids of the kecamatan of a region. */
export function loadKecamatanCentroids(kdDaerah: string, root = projectRoot()): KecamatanCentroids {
  const file = join(root, 'config', 'reference', 'kecamatan-centroid.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { kecamatan?: KecamatanCentroids };
  return Object.fromEntries(Object.entries(parsed.kecamatan ?? {}).filter(([kd]) => kd.startsWith(kdDaerah)));
}
