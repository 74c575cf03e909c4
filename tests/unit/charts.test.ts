/** The server-side chart renderer (src/report/charts.ts): escaped labels, id-ID numbers, real bars, stable output. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/reference.js';
import {
  barChart,
  donutChart,
  flowChart,
  fmtRupiahShort,
  formatValue,
  lineChart,
  PALETTE,
  SEVERITY_COLORS,
  scatterMap,
} from '../../src/report/charts.js';

const HOSTILE = '<script>alert("x")</script>';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

/** The text content of every <text> element, unescaped as a browser reads it. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

/** The rectangles ECharts draws as bars ("Mx yl w 0l0 hl-w 0Z") in `color`: their width and height. */
function bars(svg: string, color: string): Array<{ w: number; h: number }> {
  const out: Array<{ w: number; h: number }> = [];
  for (const m of svg.matchAll(/<path d="M[\d.-]+ [\d.-]+l([\d.-]+) 0l0 ([\d.-]+)l[\d.-]+ 0Z"[^>]*fill="([^"]+)"/g)) {
    if (m[3]!.toLowerCase() === color.toLowerCase()) out.push({ w: Math.abs(Number(m[1])), h: Math.abs(Number(m[2])) });
  }
  return out;
}

/** The element and attribute names of the markup (text between tags excluded). */
function markup(svg: string): { elements: Set<string>; attributes: Set<string> } {
  const elements = new Set<string>();
  const attributes = new Set<string>();
  const tags = [...svg.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*\/?>/g)];
  // Every opening tag parsed: none hides from the checks below.
  expect(tags.length).toBe(svg.match(/<(?!\/)/g)?.length);
  for (const tag of tags) {
    elements.add(tag[1]!);
    for (const a of tag[2]!.matchAll(/([\w:.-]+)="/g)) attributes.add(a[1]!.toLowerCase());
  }
  return { elements, attributes };
}

/** What a chart may contain: drawing elements only. */
const DRAWING = new Set(['svg', 'title', 'rect', 'path', 'text', 'tspan', 'g', 'defs', 'clipPath', 'circle', 'line']);

/** What a map or a flow diagram may contain besides: the gradient of the flows. */
const DRAWING_WITH_GRADIENTS = new Set([...DRAWING, 'linearGradient', 'stop']);

const ariaLabel = (svg: string) => /^<svg role="img" aria-label="([^"]*)"/.exec(svg)?.[1];

const CHARTS = {
  bar: (label: string, name = 'Terdaftar') =>
    barChart({
      title: `Kemitraan per pola ${label}`,
      categories: [label, '06 Rantai Pasok'],
      series: [{ name, values: [3, 12] }],
    }),
  horizontal: (label: string, name = 'Terdaftar') =>
    barChart({
      title: `Per kecamatan ${label}`,
      categories: [label, 'Lasem'],
      series: [
        { name, values: [4, 9] },
        { name: 'Berjalan', values: [2, 5] },
      ],
      horizontal: true,
    }),
  line: (label: string, name = 'Realisasi') =>
    lineChart({
      title: `Realisasi ${label}`,
      categories: [label, '2026 T2'],
      series: [
        { name, values: [1, 2] },
        { name: 'x', values: [2, 1] },
      ],
    }),
  donut: (label: string, name = 'Berjalan') =>
    donutChart({
      title: `Per status ${label}`,
      slices: [
        { name: label, value: 5 },
        { name, value: 7 },
      ],
    }),
  map: (label: string, name = 'Lokasi proyek UB') =>
    scatterMap({
      title: `Peta ${label}`,
      bounds: REMBANG,
      layers: [
        {
          name: 'Kemitraan per kecamatan',
          color: 'rgba(130, 80, 223, 0.3)',
          labelled: true,
          points: [
            { lat: -6.7, lng: 111.33, n: 12, label: `${label} (12)` },
            { lat: -6.7, lng: 111.44, n: 3, label: 'Lasem (3)' },
          ],
        },
        { name, color: PALETTE[0]!, symbol: 'rect', points: [{ lat: -6.72, lng: 111.35, n: 2 }] },
      ],
    }),
  flow: (label: string, name = 'PT Semen Kendeng') =>
    flowChart({
      title: `Aliran ${label}`,
      unit: 'ton',
      flows: [
        { from: label, to: name, value: 12.5 },
        { from: 'Nelayan Kec. Sarang', to: 'PT Mina Pantura', value: 40 },
      ],
    }),
} as const;

/** The frame of Kabupaten Rembang's maps. */
const REMBANG = { latMin: -7.05, latMax: -6.55, lngMin: 111.0, lngMax: 111.8 };

/** The points a map draws: its symbols are placed by a transform matrix (legend symbols are translated). */
const mapPoints = (svg: string, fill: string) =>
  [...svg.matchAll(/<path d="[^"]*" transform="matrix\(([\d.]+),0,0,[\d.]+,([\d.]+),([\d.]+)\)" fill="([^"]+)"/g)]
    .filter((m) => m[4] === fill)
    .map((m) => ({ scale: Number(m[1]), x: Number(m[2]), y: Number(m[3]) }));

/** The tick labels of an axis ("111,2°") with where they are drawn. */
const ticks = (svg: string, suffix: string) =>
  [...svg.matchAll(/transform="translate\(([\d.]+) ([\d.]+)\)" fill="[^"]+">(-?[\d.,]+)°<\/text>/g)]
    .filter((m) => m[3]!.startsWith(suffix))
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), v: Number(m[3]!.replace(/\./g, '').replace(',', '.')) }));

describe('chart SVG', () => {
  it.each(Object.keys(CHARTS) as Array<keyof typeof CHARTS>)(
    '%s: a label or series name with markup comes out as text, never as markup',
    (kind) => {
      const svg = CHARTS[kind](HOSTILE, HOSTILE_NAME);
      const { elements, attributes } = markup(svg);
      expect([...elements].filter((e) => !DRAWING_WITH_GRADIENTS.has(e))).toEqual([]);
      if (kind !== 'flow') expect([...elements].filter((e) => !DRAWING.has(e))).toEqual([]);
      expect([...attributes].filter((a) => a.startsWith('on'))).toEqual([]);
      expect(svg).not.toMatch(/<script|<img/i);
      // The description names the label, escaped once (a browser shows it as typed).
      expect(ariaLabel(svg)).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(svg).toContain(`<title>${ariaLabel(svg)}</title>`);
      if (kind !== 'horizontal' && kind !== 'flow') expect(svg).toContain('&lt;script&gt;');
      // Drawn text reads exactly as typed (the horizontal chart and the flow diagram truncate long labels with an
      // ellipsis).
      const drawn = texts(svg).join('\n');
      if (kind === 'bar' || kind === 'line' || kind === 'map') expect(drawn).toContain(HOSTILE);
      if (kind !== 'bar') expect(drawn).toContain('<img src=x');
    },
  );

  it.each(Object.keys(CHARTS) as Array<keyof typeof CHARTS>)(
    '%s: is one accessible image without styles, classes or instance ids',
    (kind) => {
      const svg = CHARTS[kind]('Rembang');
      expect(svg).toMatch(
        /^<svg role="img" aria-label="(Diagram (batang|garis|donat|aliran)|Peta titik): [^"]+" [^>]*viewBox="[^"]+">/,
      );
      expect(svg).toMatch(/<title>(Diagram (batang|garis|donat|aliran)|Peta titik): /);
      expect(svg).not.toContain('<style');
      expect(svg).not.toMatch(/class="zr\d/);
      expect(svg).not.toMatch(/\bzr\d+-/);
      expect(svg).not.toContain('ecmeta_');
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    },
  );

  it('gives the same bytes for the same input, and distinct clip-path ids for different charts', () => {
    // (A second call is served from the memo; the test below draws the same charts afresh in another process.)
    const a = CHARTS.line('2026 T1');
    expect(CHARTS.line('2026 T1')).toBe(a);
    const b = CHARTS.line('2025 T4');
    const ids = (svg: string) => [...svg.matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(a).length).toBeGreaterThan(0);
    for (const id of ids(a)) {
      expect(a).toContain(`url(#${id})`);
      expect(ids(b)).not.toContain(id);
    }
  });

  it('draws bars with their real length (no animation frame of height 0), each value labelled id-ID', () => {
    const svg = barChart({
      title: 'Temuan aktif per tingkat',
      categories: ['Berat', 'Sedang', 'Informasi'],
      series: [{ name: 'Temuan', values: [1234, 5678, 250] }],
    });
    const drawn = bars(svg, PALETTE[0]!);
    expect(drawn).toHaveLength(3);
    for (const b of drawn) {
      expect(b.w).toBeGreaterThan(0);
      expect(b.h).toBeGreaterThan(0);
    }
    // The bars' heights keep the values' proportions.
    expect(drawn[1]!.h / drawn[0]!.h).toBeCloseTo(5678 / 1234, 1);
    const labels = texts(svg);
    expect(labels).toEqual(expect.arrayContaining(['1.234', '5.678', '250']));
    expect(labels.some((t) => /\d,\d{3}/.test(t))).toBe(false);
  });

  it('draws horizontal, grouped bars of every series with length and per-category colours', () => {
    const svg = barChart({
      title: 'Per kecamatan',
      categories: ['Rembang', 'Lasem', 'Sarang'],
      series: [
        { name: 'Terdaftar', values: [40, 30, 20] },
        { name: 'Berjalan', values: [20, 10, 5] },
      ],
      horizontal: true,
    });
    for (const color of PALETTE.slice(0, 2)) {
      const drawn = bars(svg, color);
      expect(drawn).toHaveLength(3);
      for (const b of drawn) expect(b.w * b.h).toBeGreaterThan(0);
    }
    const sev = barChart({
      title: 'Per tingkat',
      categories: ['Berat', 'Sedang'],
      series: [{ name: 'Temuan', values: [2, 3] }],
      categoryColors: [SEVERITY_COLORS.error!, SEVERITY_COLORS.warning!],
    });
    expect(bars(sev, SEVERITY_COLORS.error!)).toHaveLength(1);
    expect(bars(sev, SEVERITY_COLORS.warning!)).toHaveLength(1);
  });

  it('writes axis and value labels in id-ID: thousands with a dot, decimals with a comma, short Rupiah', () => {
    const rupiah = barChart({
      title: 'Nilai kemitraan per pola',
      categories: ['Rantai Pasok', 'Perdagangan Umum'],
      series: [{ name: 'Nilai', values: [1_250_000_000, 3_400_000_000_000] }],
      unit: 'rupiah',
    });
    const labels = texts(rupiah);
    expect(labels).toEqual(expect.arrayContaining(['Rp 1,3 M', 'Rp 3,4 T', 'Rp 0']));
    expect(labels.filter((t) => t.startsWith('Rp ')).length).toBeGreaterThan(4);
    expect(ariaLabel(rupiah)).toContain('Rantai Pasok: Rp 1.250.000.000');

    const volume = lineChart({
      title: 'Volume realisasi',
      categories: ['2026 T1', '2026 T2', '2026 T3'],
      series: [{ name: 'Ikan', values: [12.5, 1500.25, null] }],
      unit: 'ton',
    });
    expect(texts(volume)).toEqual(expect.arrayContaining(['12,5 ton', '1.500,3 ton']));
    expect(ariaLabel(volume)).toContain('2026 T2: 1.500,25 ton');
    expect(ariaLabel(volume)).toContain('2026 T3: -');

    const donut = donutChart({
      title: 'Kemitraan per status',
      slices: [
        { name: '03 Berjalan', value: 7_500 },
        { name: '05 Selesai', value: 2_500 },
      ],
    });
    expect(texts(donut)).toEqual(
      expect.arrayContaining(['10.000', '03 Berjalan: 7.500 (75%)', '05 Selesai: 2.500 (25%)']),
    );
  });

  it.each([
    [0, 'Rp 0'],
    [950_000, 'Rp 950.000'],
    [999_999.6, 'Rp 1 jt'],
    [1_200_000, 'Rp 1,2 jt'],
    [45_750_000, 'Rp 45,8 jt'],
    [999_960_000, 'Rp 1 M'],
    [1_234_567_890, 'Rp 1,2 M'],
    [1_500_000_000_000, 'Rp 1,5 T'],
    [-2_500_000, '-Rp 2,5 jt'],
    [Number.NaN, '-'],
  ])('fmtRupiahShort(%d) is %s', (n, expected) => {
    expect(fmtRupiahShort(n)).toBe(expected);
  });

  it.each([
    [2_030_481_290_000, 'Rp 2,03 T'],
    [77_781_927_000, 'Rp 77,78 M'],
    [999_996_000, 'Rp 1 M'],
    [1_500_000, 'Rp 1,5 jt'],
  ])('fmtRupiahShort(%d, 2 decimals) is %s', (n, expected) => {
    expect(fmtRupiahShort(n, 2)).toBe(expected);
  });

  it.each([
    [1234, 'count', true, '1.234'],
    [12.5, 'ton', true, '12,5 ton'],
    [12.345, 'kg', false, '12,345 kg'],
    [2_000_000, 'rupiah', true, 'Rp 2 jt'],
    [2_000_000, 'rupiah', false, 'Rp 2.000.000'],
    [null, 'count', true, '-'],
  ] as const)('formatValue(%s, %s, short %s) is %s', (n, unit, short, expected) => {
    expect(formatValue(n, unit, short)).toBe(expected);
  });

  it('describes an empty chart as having no data, and draws no slice for a zero total', () => {
    const svg = donutChart({ title: 'Temuan per tingkat', slices: [] });
    expect(ariaLabel(svg)).toContain('tidak ada data');
    expect(texts(svg)).toContain('0');
  });

  it('lets a process that rendered charts exit on its own, with the same bytes as this one drew', () => {
    const script = `
      import { createHash } from 'node:crypto';
      import { barChart, donutChart, lineChart } from './src/report/charts.ts';
      const s = [
        barChart({ title: 'a', categories: ['x'], series: [{ name: 'n', values: [1] }] }),
        lineChart({ title: 'b', categories: ['x', 'y'], series: [{ name: 'n', values: [1, 2] }] }),
        donutChart({ title: 'c', slices: [{ name: 'x', value: 1 }] }),
      ];
      console.log(s.map((x) => createHash('sha256').update(x).digest('hex')).join(' '));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot(),
      encoding: 'utf8',
      // A guard, not a measurement: a process kept alive by an undisposed chart would otherwise never end.
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    // Another process, another ECharts instance counter: the same charts, byte for byte.
    const here = [
      barChart({ title: 'a', categories: ['x'], series: [{ name: 'n', values: [1] }] }),
      lineChart({ title: 'b', categories: ['x', 'y'], series: [{ name: 'n', values: [1, 2] }] }),
      donutChart({ title: 'c', slices: [{ name: 'x', value: 1 }] }),
    ].map((x) => createHash('sha256').update(x).digest('hex'));
    expect(child.stdout.trim()).toBe(here.join(' '));
  });
});

describe('the unit of a measured chart', () => {
  it('is the value axis name, written once: the tick labels of a horizontal axis carry only numbers', () => {
    const svg = barChart({
      title: 'Volume per komoditas',
      categories: ['Ikan tongkol', 'Garam krosok', 'Ikan teri kering'],
      series: [
        { name: 'Disepakati', values: [1500.25, 3200, 870] },
        { name: 'Realisasi', values: [1200, 2900.5, 120] },
      ],
      unit: 'ton',
      horizontal: true,
      width: 520,
    });
    const drawn = texts(svg);
    expect(drawn.filter((t) => t === 'ton')).toHaveLength(1);
    // The axis: 0, 500, 1.000 … without the unit; the bars' own labels keep it.
    expect(drawn).toEqual(expect.arrayContaining(['0', '1.000', '3.000']));
    expect(drawn.filter((t) => /^[\d.]+ ton$/.test(t) && !/,/.test(t)).sort()).toEqual(
      ['1.200 ton', '120 ton', '3.200 ton', '870 ton'].sort(),
    );
    expect(drawn).toEqual(expect.arrayContaining(['1.500,3 ton', '2.900,5 ton']));
    expect(ariaLabel(svg)).toContain('Ikan tongkol: Disepakati 1.500,25 ton, Realisasi 1.200 ton');
  });

  it('is the axis name of a line chart too; rupiah and counts keep their own labels', () => {
    const svg = lineChart({
      title: 'Volume realisasi',
      categories: ['2026 T1', '2026 T2'],
      series: [{ name: 'Ikan', values: [1200, 3000] }],
      unit: 'kg',
    });
    expect(texts(svg).filter((t) => t === 'kg')).toHaveLength(1);
    expect(
      texts(svg)
        .filter((t) => / kg$/.test(t))
        .sort(),
    ).toEqual(['1.200 kg', '3.000 kg']);
  });
});

describe('scatterMap', () => {
  it('draws every point of every layer inside the frame, sized by the square root of its count', () => {
    const svg = scatterMap({
      title: 'Lokasi',
      bounds: REMBANG,
      layers: [
        {
          name: 'Lokasi proyek UB',
          color: PALETTE[0]!,
          symbol: 'rect',
          size: { min: 6, scale: 2 },
          points: [
            { lat: -6.7, lng: 111.3, n: 1 },
            { lat: -6.9, lng: 111.6, n: 16 },
          ],
        },
        {
          name: 'Lokasi proyek UMKM mitra',
          color: PALETTE[1]!,
          points: [
            { lat: -6.6, lng: 111.1, n: 4 },
            { lat: -6.65, lng: 111.2, n: 1 },
            { lat: -7.0, lng: 111.7, n: 9 },
          ],
        },
      ],
    });
    const ub = mapPoints(svg, PALETTE[0]!);
    expect(ub).toHaveLength(2);
    // symbolSize min + √n × scale: 8 and 14 px (the path is a 2 × 2 square, scaled by half the size).
    expect(ub.map((p) => p.scale * 2)).toEqual([8, 14]);
    expect(mapPoints(svg, PALETTE[1]!)).toHaveLength(3);
    // West is left, north is up: the point at 111,3° −6,7° lies left of and above the one at 111,6° −6,9°.
    expect(ub[0]!.x).toBeLessThan(ub[1]!.x);
    expect(ub[0]!.y).toBeLessThan(ub[1]!.y);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Lokasi proyek UB', 'Lokasi proyek UMKM mitra', '111,4°']));
    expect(ariaLabel(svg)).toBe('Peta titik: Lokasi. Lokasi proyek UB: 17; Lokasi proyek UMKM mitra: 14');
  });

  it("draws a degree of latitude as long as a degree of longitude at the frame's latitude (÷ cos φ)", () => {
    const svg = CHARTS.map('Rembang');
    const lat = ticks(svg, '-');
    const lng = ticks(svg, '11');
    expect(lat.length).toBeGreaterThan(3);
    expect(lng.length).toBeGreaterThan(3);
    const pxPerLat = Math.abs(lat.at(-1)!.y - lat[0]!.y) / Math.abs(lat.at(-1)!.v - lat[0]!.v);
    const pxPerLng = Math.abs(lng.at(-1)!.x - lng[0]!.x) / Math.abs(lng.at(-1)!.v - lng[0]!.v);
    expect(pxPerLat / pxPerLng).toBeCloseTo(1 / Math.cos((6.8 * Math.PI) / 180), 2);
  });

  it("labels the points of a labelled layer, and the description can be the caller's", () => {
    const svg = CHARTS.map('Rembang');
    expect(texts(svg)).toEqual(expect.arrayContaining(['Rembang (12)', 'Lasem (3)']));
    expect(ariaLabel(svg)).toBe(
      'Peta titik: Peta Rembang. Kemitraan per kecamatan: Rembang (12), Lasem (3); Lokasi proyek UB: 2',
    );
    const described = scatterMap({
      title: 'Peta',
      bounds: REMBANG,
      layers: [],
      description: '3 lokasi proyek UB & 4 lokasi <UMKM>',
    });
    expect(ariaLabel(described)).toBe('Peta titik: 3 lokasi proyek UB &amp; 4 lokasi &lt;UMKM&gt;');
  });

  it('gives the same bytes for the same input, and other ids for another map', () => {
    const a = CHARTS.map('Rembang');
    expect(CHARTS.map('Rembang')).toBe(a);
    const b = CHARTS.map('Lasem');
    const ids = (svg: string) => [...svg.matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
    for (const id of ids(a)) expect(ids(b)).not.toContain(id);
  });
});

describe('flowChart', () => {
  const flows = [
    { from: 'Nelayan Kec. Sarang', to: 'PT Mina Pantura', value: 40 },
    { from: 'Nelayan Kec. Sarang', to: 'PT Mina Pantura', value: 10 },
    { from: 'Petambak garam Kec. Kaliori', to: 'PT Garam Lasem', value: 25.5 },
    { from: 'Nelayan Kec. Kragan', to: 'PT Mina Pantura', value: 0 },
  ];

  it('draws a node per source and target, labelled on their side, and describes every flow with its unit', () => {
    const svg = flowChart({ title: 'Aliran pasokan (ton)', unit: 'ton', flows });
    const drawn = texts(svg);
    expect(drawn).toEqual(
      expect.arrayContaining([
        'Nelayan Kec. Sarang',
        'Petambak garam Kec. Kaliori',
        'PT Mina Pantura',
        'PT Garam Lasem',
      ]),
    );
    expect(svg).toMatch(/text-anchor="end"[^>]*>Nelayan Kec\. Sarang</);
    expect(svg).toMatch(/text-anchor="start"[^>]*>PT Mina Pantura</);
    // Nodes in the source colour on the left, the target colour on the right.
    expect(svg.match(new RegExp(`fill="${PALETTE[1]}"`, 'g'))?.length).toBeGreaterThanOrEqual(2);
    expect(svg.match(new RegExp(`fill="${PALETTE[0]}"`, 'g'))?.length).toBeGreaterThanOrEqual(2);
    // Two links (the pair's flows added; a flow of 0 not drawn), both filled with the gradient.
    expect(svg.match(/fill="url\(#ch[0-9a-f]+-g\d+\)"/g)).toHaveLength(2);
    expect(ariaLabel(svg)).toBe(
      'Diagram aliran: Aliran pasokan (ton). Nelayan Kec. Sarang ke PT Mina Pantura: 40 ton; Nelayan Kec. Sarang ke ' +
        'PT Mina Pantura: 10 ton; Petambak garam Kec. Kaliori ke PT Garam Lasem: 25,5 ton; Nelayan Kec. Kragan ke ' +
        'PT Mina Pantura: 0 ton',
    );
  });

  it('merges the smallest sources and targets beyond maxNodes into one node each', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      from: `Nelayan Kec. ${String.fromCharCode(65 + i)}`,
      to: `PT ${String.fromCharCode(65 + i)}`,
      value: 100 - i,
    }));
    const svg = flowChart({
      title: 'Aliran',
      unit: 'ton',
      flows: many,
      maxNodes: 5,
      otherFrom: 'kelompok lain',
      otherTo: 'usaha besar lain',
    });
    const drawn = texts(svg);
    expect(drawn).toEqual(expect.arrayContaining(['Nelayan Kec. E', '3 kelompok lain', 'PT E', '3 usaha besar lain']));
    expect(drawn).not.toContain('Nelayan Kec. F');
    expect(drawn).not.toContain('PT H');
    // Merging one node into "1 … lain" saves nothing: six nodes stay six.
    const six = texts(flowChart({ title: 'Aliran', unit: 'ton', flows: many.slice(0, 6), maxNodes: 5 }));
    expect(six).toContain('Nelayan Kec. F');
    expect(six.some((t) => t.includes('lainnya'))).toBe(false);
  });

  it('keeps a target apart from a source of the same name', () => {
    const svg = flowChart({ title: 'Aliran', unit: 'unit', flows: [{ from: 'Koperasi', to: 'Koperasi', value: 3 }] });
    expect(texts(svg)).toEqual(expect.arrayContaining(['Koperasi', 'Koperasi (tujuan)']));
    expect(svg.match(/fill="url\(/g)).toHaveLength(1);
  });
});
