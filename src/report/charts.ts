/*
 * Charts as SVG strings, rendered on the server with Apache ECharts' SSR renderer (no DOM, no browser, no script in
 * the output): the same function draws a chart for the console, the HTML/PDF report and anything else. Pure: input
 * in, string out; the same input gives the same bytes (ECharts' per-instance ids are replaced by a hash of the input),
 * so a chart once drawn is kept and handed out again.
 * Every chart carries role="img", an aria-label and a <title> that say what it shows; its numbers belong in a table
 * beside it. Labels are escaped by ECharts (checked in tests/unit/charts.test.ts); the aria-label and title here.
 */
import { createHash } from 'node:crypto';
import { BarChart, LineChart, PieChart, SankeyChart, ScatterChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { fmtDecimal, fmtId, fmtRupiah } from '../domain/format.js';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  ScatterChart,
  SankeyChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  GraphicComponent,
  SVGRenderer,
]);

/**
 * What the numbers are: 'count' (1.234), 'rupiah' (Rp 1,2 M on axes and bars, Rp 1.234.567 in descriptions), or a
 * measurement unit written after the number ('ton' → 12,5 ton).
 */
export type ChartUnit = 'count' | 'rupiah' | (string & {});

/** Series colours: distinguishable side by side, each at least 3:1 against white (WCAG graphics contrast). */
export const PALETTE: readonly string[] = [
  '#0b5394', // blue
  '#b35c00', // orange
  '#1a7f37', // green
  '#8250df', // purple
  '#b42318', // red
  '#0e7490', // teal
  '#a0356d', // magenta
  '#6e7781', // grey
];

/** Severity colours matching the console's badges. */
export const SEVERITY_COLORS: Readonly<Record<string, string>> = {
  error: '#b42318',
  warning: '#9a6700',
  info: '#0550ae',
};

const INK = '#1b1f24';
const MUTED = '#4a5560';
const LINE = '#d0d7de';
const FONT = 'sans-serif';
const FONT_SIZE = 13;
const DEFAULT_WIDTH = 560;

const SCALES = [
  { at: 1e12, suffix: 'T' },
  { at: 1e9, suffix: 'M' },
  { at: 1e6, suffix: 'jt' },
] as const;

/**
 * Rupiah in the short form of charts and tiles: Rp 950.000, Rp 1,2 jt (juta), Rp 3,4 M (miliar), Rp 1,5 T (triliun),
 * with at most `fractionDigits` decimals; a value that rounds up to the next scale moves to it (Rp 999.960.000 →
 * Rp 1 M).
 */
export function fmtRupiahShort(n: number | null | undefined, fractionDigits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  const factor = 10 ** fractionDigits;
  const scaled = (at: number) => Math.round((abs / at) * factor) / factor;
  for (let i = 0; i < SCALES.length; i++) {
    const s = SCALES[i]!;
    if (abs < s.at) continue;
    const v = scaled(s.at);
    if (v >= 1000 && i > 0) {
      const up = SCALES[i - 1]!;
      return `${sign}Rp ${fmtDecimal(scaled(up.at), fractionDigits)} ${up.suffix}`;
    }
    return `${sign}Rp ${fmtDecimal(v, fractionDigits)} ${s.suffix}`;
  }
  const whole = Math.round(abs);
  if (whole >= 1e6) return `${sign}Rp 1 jt`;
  return `${sign}Rp ${fmtDecimal(whole, 0)}`;
}

/** A value as chart labels show it (short Rupiah), or in full (`short` false: descriptions and tables). */
export function formatValue(n: number | null | undefined, unit: ChartUnit = 'count', short = true): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (unit === 'count') return Number.isInteger(n) ? fmtId(n) : fmtDecimal(n, 1);
  if (unit === 'rupiah') return short ? fmtRupiahShort(n) : fmtRupiah(n);
  return `${fmtDecimal(n, short ? 1 : 3)} ${unit}`;
}

export interface ChartSeries {
  name: string;
  /** One value per category; null: no value. */
  values: readonly (number | null)[];
}

interface CommonSpec {
  /** What the chart shows: the start of its aria-label and <title>; drawn on the chart only with `showTitle`. */
  title: string;
  unit?: ChartUnit;
  width?: number;
  height?: number;
  showTitle?: boolean;
}

export interface BarChartSpec extends CommonSpec {
  categories: readonly string[];
  series: readonly ChartSeries[];
  /** Bars from the left (long category names read better); default: columns from the bottom. */
  horizontal?: boolean;
  /** Series stacked on each other instead of side by side. */
  stacked?: boolean;
  /** One colour per series (default PALETTE). */
  colors?: readonly string[];
  /** One colour per category, for a single series (severities). */
  categoryColors?: readonly string[];
}

export interface LineChartSpec extends CommonSpec {
  categories: readonly string[];
  series: readonly ChartSeries[];
  colors?: readonly string[];
}

export interface DonutSlice {
  name: string;
  value: number;
  color?: string;
}

export interface DonutChartSpec extends CommonSpec {
  slices: readonly DonutSlice[];
  /** The caption under the total in the hole (default "total"). */
  totalLabel?: string;
}

/** Text for an element body or a quoted attribute. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const MAX_DESCRIBED = 12;

/** "A 12, B 4, … dan 3 lainnya": the data in words, for the aria-label. */
function describeItems(items: readonly string[]): string {
  if (items.length === 0) return 'tidak ada data';
  const shown = items.slice(0, MAX_DESCRIBED).join('; ');
  return items.length > MAX_DESCRIBED ? `${shown}; dan ${fmtId(items.length - MAX_DESCRIBED)} lainnya` : shown;
}

function describeSeries(categories: readonly string[], series: readonly ChartSeries[], unit: ChartUnit): string {
  const items = categories.map((c, i) => {
    if (series.length === 1) return `${c}: ${formatValue(series[0]!.values[i], unit, false)}`;
    return `${c}: ${series.map((s) => `${s.name} ${formatValue(s.values[i], unit, false)}`).join(', ')}`;
  });
  return describeItems(items);
}

/** The fixed text style of every label. */
const text = (color = MUTED) => ({ color, fontFamily: FONT, fontSize: FONT_SIZE });

/** ECharts → SVG, always disposing the instance (a live one keeps the process from exiting). */
function render(option: Record<string, unknown>, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    // Without animation: false, SSR would draw the first frame of the animation (bars of height 0).
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: text(), ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const FORBIDDEN_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'image', 'a', 'use']);

/**
 * Whether the markup is only drawing: no element that runs, embeds or links anything, no event handler attribute,
 * no unquoted attribute. A last check that holds whatever ECharts does with a label (text between tags is escaped, so
 * every `<` starts a tag of ECharts' own).
 */
function onlyDrawing(svg: string): boolean {
  for (const tag of svg.matchAll(/<([^>]*)>/g)) {
    const body = tag[1]!;
    if (body.startsWith('/') || body.startsWith('![CDATA[')) continue;
    const name = /^([a-zA-Z][\w:-]*)/.exec(body)?.[1]?.toLowerCase();
    if (!name || FORBIDDEN_ELEMENTS.has(name)) return false;
    const rest = body.slice(name.length).replace(/\/$/, '');
    const attrs = [...rest.matchAll(/\s+([a-zA-Z_:][\w:.-]*)="([^"]*)"/g)];
    if (rest.replace(/\s+([a-zA-Z_:][\w:.-]*)="([^"]*)"/g, '').trim() !== '') return false;
    for (const [, attr, value] of attrs) {
      if (/^on/i.test(attr!) || /href$/i.test(attr!) || /javascript:/i.test(value!)) return false;
    }
  }
  return true;
}

/**
 * Makes ECharts' output stable and self-describing: drops its hover <style> (a CSP without inline styles refuses it;
 * hover needs script anyway) and instance class names, replaces the per-instance id prefix with a hash of the input
 * (the same chart twice gives the same bytes; two charts on one page never share a clip-path id), and adds role,
 * aria-label and <title>.
 */
function finish(svg: string, key: string, label: string): string {
  const prefix = `ch${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
  const cleaned = svg
    .replace(/<style\b[\s\S]*?<\/style>\s*/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
    .replace(/\bzr\d+-/g, `${prefix}-`);
  if (!cleaned.startsWith('<svg ')) throw new Error('ECharts did not render an SVG');
  const out = cleaned.replace(
    /^<svg ([^>]*)>/,
    `<svg role="img" aria-label="${escapeXml(label)}" $1><title>${escapeXml(label)}</title>`,
  );
  if (!onlyDrawing(out)) throw new Error('chart SVG contains markup that is not allowed');
  return out;
}

const titleOption = (spec: CommonSpec) =>
  spec.showTitle
    ? { title: { text: spec.title, left: 8, top: 4, textStyle: { ...text(INK), fontSize: 15, fontWeight: 'bold' } } }
    : {};

const legendOption = (top: number) => ({
  legend: { top, left: 8, itemGap: 16, textStyle: text(INK), icon: 'roundRect' },
});

/** Whether `unit` is a measurement written after the number ('ton', 'kg', 'liter'). */
const isMeasure = (unit: ChartUnit) => unit !== 'count' && unit !== 'rupiah';

/**
 * The value axis. A measurement unit is the axis' name, written once: on every tick label ("1.500 ton") the labels of
 * a horizontal axis run into each other.
 */
function valueAxis(unit: ChartUnit, horizontal = false) {
  const measure = isMeasure(unit);
  return {
    type: 'value',
    ...(unit === 'count' ? { minInterval: 1 } : {}),
    ...(measure
      ? horizontal
        ? { name: unit, nameLocation: 'middle', nameGap: 28, nameTextStyle: text() }
        : { name: unit, nameLocation: 'end', nameGap: 12, nameTextStyle: { ...text(), align: 'left' } }
      : {}),
    axisLabel: {
      ...text(),
      hideOverlap: true,
      formatter: (v: number) => formatValue(v, measure ? 'count' : unit),
    },
    splitLine: { lineStyle: { color: LINE } },
  };
}

/**
 * The key of a chart: a hash of its kind and every input (the output depends on nothing else; a map's input can be
 * thousands of points, so the memo keeps the hash, not the input).
 */
const keyOf = (kind: string, spec: unknown) =>
  createHash('sha256')
    .update(`${kind}:${JSON.stringify(spec)}`)
    .digest('hex');

const rendered = new Map<string, string>();
/** Charts kept (a console page draws five; ECharts takes tens of milliseconds per chart, a lookup none). */
const RENDERED_MAX = 200;
/** Characters of SVG kept at most (a report's map of many points is hundreds of kilobytes). */
const RENDERED_MAX_CHARS = 16_000_000;
let renderedChars = 0;

/** The chart of `key`, drawn once: the same input gives the same bytes, so a drawn chart is kept (least recently used out). */
function memo(key: string, draw: () => string): string {
  const hit = rendered.get(key);
  if (hit !== undefined) {
    rendered.delete(key);
    rendered.set(key, hit);
    return hit;
  }
  const svg = draw();
  rendered.set(key, svg);
  renderedChars += svg.length;
  while (rendered.size > RENDERED_MAX || (renderedChars > RENDERED_MAX_CHARS && rendered.size > 1)) {
    const oldest = rendered.keys().next().value!;
    renderedChars -= rendered.get(oldest)!.length;
    rendered.delete(oldest);
  }
  return svg;
}

/** A bar chart: one bar per category and series (grouped, or stacked). */
export function barChart(spec: BarChartSpec): string {
  const key = keyOf('bar', spec);
  return memo(key, () => drawBar(spec, key));
}

function drawBar(spec: BarChartSpec, key: string): string {
  const unit = spec.unit ?? 'count';
  const multi = spec.series.length > 1;
  const colors = spec.colors ?? PALETTE;
  const n = Math.max(1, spec.categories.length);
  const width = spec.width ?? DEFAULT_WIDTH;
  const headTop = spec.showTitle ? 32 : 8;
  const gridTop = headTop + (multi ? 32 : 8);
  const band = spec.stacked || !multi ? 30 : Math.max(30, 14 * spec.series.length + 12);
  const height = spec.height ?? (spec.horizontal ? gridTop + n * band + 36 : 320);
  const categoryAxis = {
    type: 'category',
    data: [...spec.categories],
    ...(spec.horizontal ? { inverse: true } : {}),
    axisTick: { show: false },
    axisLine: { lineStyle: { color: MUTED } },
    axisLabel: {
      ...text(INK),
      interval: 0,
      ...(spec.horizontal
        ? { width: Math.round(width * 0.32), overflow: 'truncate', ellipsis: '…' }
        : { width: Math.max(40, Math.floor((width - 80) / n) - 4), overflow: 'break' }),
    },
  };
  const showLabels = !spec.stacked;
  const option = {
    ...titleOption(spec),
    ...(multi ? legendOption(headTop) : {}),
    color: [...colors],
    grid: {
      left: 8,
      right: spec.horizontal && showLabels ? 72 : 16,
      top: gridTop,
      bottom: 8,
      outerBoundsMode: 'same',
      // 'all': the unit's axis name too.
      outerBoundsContain: isMeasure(unit) ? 'all' : 'axisLabel',
    },
    xAxis: spec.horizontal ? valueAxis(unit, true) : categoryAxis,
    yAxis: spec.horizontal ? categoryAxis : valueAxis(unit),
    series: spec.series.map((s) => ({
      type: 'bar',
      name: s.name,
      ...(spec.stacked ? { stack: 'total' } : {}),
      barMaxWidth: 40,
      data: s.values.map((v, i) => {
        const color = !multi ? spec.categoryColors?.[i] : undefined;
        return color ? { value: v, itemStyle: { color } } : v;
      }),
      label: {
        show: showLabels,
        position: spec.horizontal ? 'right' : 'top',
        ...text(INK),
        formatter: (p: { value: number | null }) => (p.value ? formatValue(p.value, unit) : ''),
      },
    })),
  };
  const label = `Diagram batang: ${spec.title}. ${describeSeries(spec.categories, spec.series, unit)}`;
  return finish(render(option, width, height), key, label);
}

/** A line chart: one line per series over the categories (quarters, months). */
export function lineChart(spec: LineChartSpec): string {
  const key = keyOf('line', spec);
  return memo(key, () => drawLine(spec, key));
}

function drawLine(spec: LineChartSpec, key: string): string {
  const unit = spec.unit ?? 'count';
  const multi = spec.series.length > 1;
  const width = spec.width ?? DEFAULT_WIDTH;
  const height = spec.height ?? 300;
  const headTop = spec.showTitle ? 32 : 8;
  const showLabels = spec.categories.length <= 12 && spec.series.length <= 2;
  const option = {
    ...titleOption(spec),
    ...(multi ? legendOption(headTop) : {}),
    color: [...(spec.colors ?? PALETTE)],
    grid: {
      left: 8,
      right: 24,
      top: headTop + (multi ? 40 : 16) + (isMeasure(unit) ? 16 : 0),
      bottom: 8,
      outerBoundsMode: 'same',
      outerBoundsContain: isMeasure(unit) ? 'all' : 'axisLabel',
    },
    xAxis: {
      type: 'category',
      data: [...spec.categories],
      boundaryGap: false,
      axisLine: { lineStyle: { color: MUTED } },
      axisLabel: { ...text(INK), hideOverlap: true },
    },
    yAxis: valueAxis(unit),
    series: spec.series.map((s) => ({
      type: 'line',
      name: s.name,
      data: [...s.values],
      symbol: 'circle',
      symbolSize: 7,
      lineStyle: { width: 2.5 },
      connectNulls: false,
      label: {
        show: showLabels,
        position: 'top',
        ...text(INK),
        formatter: (p: { value: number | null }) => (p.value === null ? '' : formatValue(p.value, unit)),
      },
    })),
  };
  const label = `Diagram garis: ${spec.title}. ${describeSeries(spec.categories, spec.series, unit)}`;
  return finish(render(option, width, height), key, label);
}

const percent = (part: number, total: number) => (total > 0 ? `${fmtDecimal((part / total) * 100, 1)}%` : '0%');

/** A donut: each slice's share of the total, the total in the hole, a legend with value and share. */
export function donutChart(spec: DonutChartSpec): string {
  const key = keyOf('donut', spec);
  return memo(key, () => drawDonut(spec, key));
}

function drawDonut(spec: DonutChartSpec, key: string): string {
  const unit = spec.unit ?? 'count';
  const width = spec.width ?? DEFAULT_WIDTH;
  const headTop = spec.showTitle ? 32 : 0;
  const height = spec.height ?? Math.max(260, headTop + 40 + spec.slices.length * 26);
  const total = spec.slices.reduce((a, s) => a + (Number.isFinite(s.value) ? s.value : 0), 0);
  const cx = Math.round(width * 0.24);
  const cy = Math.round(headTop + (height - headTop) / 2);
  const radius = Math.min(cx - 8, (height - headTop) / 2 - 12);
  const legendText = new Map(
    spec.slices.map((s) => [s.name, `${s.name}: ${formatValue(s.value, unit)} (${percent(s.value, total)})`]),
  );
  const option = {
    ...titleOption(spec),
    color: [...PALETTE],
    legend: {
      orient: 'vertical',
      left: Math.round(width * 0.47),
      top: 'middle',
      itemGap: 10,
      icon: 'roundRect',
      textStyle: { ...text(INK), width: Math.round(width * 0.5), overflow: 'truncate', ellipsis: '…' },
      formatter: (name: string) => legendText.get(name) ?? name,
    },
    graphic: [
      {
        type: 'text',
        x: cx,
        y: cy - 10,
        style: {
          text: formatValue(total, unit),
          fill: INK,
          font: `bold 18px ${FONT}`,
          textAlign: 'center',
          textVerticalAlign: 'middle',
        },
      },
      {
        type: 'text',
        x: cx,
        y: cy + 14,
        style: {
          text: spec.totalLabel ?? 'total',
          fill: MUTED,
          font: `${FONT_SIZE}px ${FONT}`,
          textAlign: 'center',
          textVerticalAlign: 'middle',
        },
      },
    ],
    series: [
      {
        type: 'pie',
        radius: [Math.round(radius * 0.58), Math.round(radius)],
        center: [cx, cy],
        stillShowZeroSum: false,
        avoidLabelOverlap: true,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
        label: { show: false },
        labelLine: { show: false },
        data: spec.slices.map((s, i) => ({
          name: s.name,
          value: s.value,
          itemStyle: { color: s.color ?? PALETTE[i % PALETTE.length] },
        })),
      },
    ],
  };
  const items = spec.slices.map((s) => `${s.name}: ${formatValue(s.value, unit, false)} (${percent(s.value, total)})`);
  const label = `Diagram donat: ${spec.title}. Total ${formatValue(total, unit, false)}. ${describeItems(items)}`;
  return finish(render(option, width, height), key, label);
}

export interface MapPoint {
  lat: number;
  lng: number;
  /** What the point stands for (locations, partnerships): its size grows with the square root. */
  n: number;
  /** Drawn beside the point when its layer is labelled (a kecamatan's name and count). */
  label?: string;
}

export interface MapLayer {
  /** The legend's name; with the layer's count, part of the description. */
  name: string;
  points: readonly MapPoint[];
  symbol?: 'circle' | 'rect';
  /** The fill (a translucent fill keeps labels readable, item opacity would fade them). */
  color: string;
  borderColor?: string;
  opacity?: number;
  /** Symbol size in px: min + scale × √n. */
  size?: { min: number; scale: number };
  /** Points drawn with their label under them. */
  labelled?: boolean;
  /** Drawing order (higher on top; default the layer's position). */
  z?: number;
}

export interface ScatterMapSpec extends CommonSpec {
  /** The frame: no tiles, no outlines, only graticule lines every `gridStep` degrees. */
  bounds: { latMin: number; latMax: number; lngMin: number; lngMax: number };
  layers: readonly MapLayer[];
  /** Degrees between graticule lines (default 0.1). */
  gridStep?: number;
  /** What the map shows in words, after "Peta titik: " (default: the title, then each layer's count or labels). */
  description?: string;
}

const degrees = (v: number) => `${fmtDecimal(v, 2)}°`;

/**
 * A point map: layers of points on longitude/latitude axes of equal scale (at the frame's middle latitude) over the
 * frame, drawn without map tiles or anything from the internet. `width` is the whole chart's; the height follows.
 */
export function scatterMap(spec: ScatterMapSpec): string {
  const key = keyOf('map', spec);
  return memo(key, () => drawMap(spec, key));
}

function drawMap(spec: ScatterMapSpec, key: string): string {
  const b = spec.bounds;
  const headTop = spec.showTitle ? 32 : 0;
  // Room for the longitude label under the right edge (22 px) and the latitudes on the left (46 px).
  const grid = { left: 46, right: 22, top: headTop + 40, bottom: 28 };
  const plotWidth = (spec.width ?? 690) - grid.left - grid.right;
  const midLat = ((b.latMin + b.latMax) / 2) * (Math.PI / 180);
  const plotHeight =
    spec.height !== undefined
      ? spec.height - grid.top - grid.bottom
      : Math.round((plotWidth * (b.latMax - b.latMin)) / ((b.lngMax - b.lngMin) * Math.cos(midLat)));
  const width = plotWidth + grid.left + grid.right;
  const height = plotHeight + grid.top + grid.bottom;
  const axis = (min: number, max: number) => ({
    type: 'value',
    min,
    max,
    interval: spec.gridStep ?? 0.1,
    axisLabel: { ...text(), fontSize: 10, hideOverlap: true, formatter: degrees },
    splitLine: { lineStyle: { color: '#eef1f4' } },
    axisLine: { show: true, lineStyle: { color: LINE } },
  });
  const size = (n: number, s: { min: number; scale: number }) => Math.round((s.min + Math.sqrt(n) * s.scale) * 10) / 10;
  const option = {
    ...titleOption(spec),
    legend: { top: headTop + 6, left: 8, itemGap: 14, textStyle: { ...text(INK), fontSize: 12 } },
    // The plot keeps its size ('none': ECharts would shrink it to fit labels, and the scales would differ).
    grid: { ...grid, width: plotWidth, height: plotHeight, outerBoundsMode: 'none' },
    xAxis: axis(b.lngMin, b.lngMax),
    yAxis: axis(b.latMin, b.latMax),
    series: spec.layers.map((layer, i) => ({
      type: 'scatter',
      name: layer.name,
      symbol: layer.symbol ?? 'circle',
      itemStyle: {
        color: layer.color,
        ...(layer.borderColor ? { borderColor: layer.borderColor, borderWidth: 1 } : {}),
        ...(layer.opacity !== undefined ? { opacity: layer.opacity } : {}),
      },
      data: layer.points.map((p) => ({
        value: [p.lng, p.lat, p.n],
        symbolSize: size(p.n, layer.size ?? { min: 4, scale: 1.5 }),
        ...(p.label !== undefined ? { name: p.label } : {}),
      })),
      label: layer.labelled
        ? {
            show: true,
            position: 'bottom',
            distance: 2,
            ...text(INK),
            fontSize: 10,
            formatter: (p: { name: string }) => p.name,
          }
        : { show: false },
      z: layer.z ?? i + 1,
    })),
  };
  const items = spec.layers.map((layer) => {
    if (!layer.labelled) return `${layer.name}: ${fmtId(layer.points.reduce((a, p) => a + p.n, 0))}`;
    const named = layer.points.filter((p) => p.n > 0).map((p) => p.label ?? `${degrees(p.lat)} ${degrees(p.lng)}`);
    return `${layer.name}: ${named.length ? named.join(', ') : 'tidak ada'}`;
  });
  const label = `Peta titik: ${spec.description ?? `${spec.title}. ${describeItems(items)}`}`;
  return finish(render(option, width, height), key, label);
}

export interface Flow {
  from: string;
  to: string;
  value: number;
}

export interface FlowChartSpec extends CommonSpec {
  /** One flow per pair or more (a pair's flows are added); a flow of 0 is not drawn. */
  flows: readonly Flow[];
  /** At most this many nodes on a side (default 12): the smallest beyond it are merged into one. */
  maxNodes?: number;
  /** The merged node's noun: "3 kelompok lain" (default "lainnya"). */
  otherFrom?: string;
  otherTo?: string;
  /** The colours of the left and the right nodes (default PALETTE[1], PALETTE[0]). */
  colors?: readonly [string, string];
}

const MAX_FLOW_NODES = 12;

/** The `max` names with the largest total, or all when merging would save no more than one node. */
function largest(flows: readonly Flow[], name: (f: Flow) => string, max: number): Set<string> {
  const totals = new Map<string, number>();
  for (const f of flows) totals.set(name(f), (totals.get(name(f)) ?? 0) + f.value);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([n]) => n);
  return new Set(ranked.length <= max + 1 ? ranked : ranked.slice(0, max));
}

/**
 * A flow diagram (sankey) from the sources on the left to the targets on the right, the width of each flow its value,
 * labels outside the nodes. Beyond `maxNodes` on a side, the smallest are merged into "n … lain" (the table beside
 * lists every flow).
 */
export function flowChart(spec: FlowChartSpec): string {
  const key = keyOf('flow', spec);
  return memo(key, () => drawFlow(spec, key));
}

function drawFlow(spec: FlowChartSpec, key: string): string {
  const unit = spec.unit ?? 'count';
  const flows = spec.flows;
  const max = spec.maxNodes ?? MAX_FLOW_NODES;
  const keptFrom = largest(flows, (f) => f.from, max);
  const keptTo = largest(flows, (f) => f.to, max);
  const otherFrom = new Set(flows.map((f) => f.from).filter((g) => !keptFrom.has(g))).size;
  const otherTo = new Set(flows.map((f) => f.to).filter((u) => !keptTo.has(u))).size;
  const fromOf = (f: Flow) => (keptFrom.has(f.from) ? f.from : `${fmtId(otherFrom)} ${spec.otherFrom ?? 'lainnya'}`);
  const toOf = (f: Flow) => (keptTo.has(f.to) ? f.to : `${fmtId(otherTo)} ${spec.otherTo ?? 'lainnya'}`);
  const sources = [...new Set(flows.map(fromOf))];
  const targets = [...new Set(flows.map(toOf))];
  const [fromColor, toColor] = spec.colors ?? [PALETTE[1]!, PALETTE[0]!];
  // Node names are the nodes' ids in ECharts: a target named like a source gets a mark of its side.
  const nodes = [
    ...sources.map((name) => ({ name, itemStyle: { color: fromColor }, label: { position: 'left' } })),
    ...targets.map((name) => ({
      name: sources.includes(name) ? `${name} (tujuan)` : name,
      itemStyle: { color: toColor },
      label: { position: 'right' },
    })),
  ];
  const weights = new Map<string, number>();
  for (const f of flows) {
    const k = `${sources.indexOf(fromOf(f))}>${sources.length + targets.indexOf(toOf(f))}`;
    weights.set(k, (weights.get(k) ?? 0) + f.value);
  }
  const links = [...weights]
    .map(([k, value]) => {
      const [source, target] = k.split('>').map(Number) as [number, number];
      return { source, target, value };
    })
    .filter((l) => l.value > 0);
  const width = spec.width ?? 740;
  const headTop = spec.showTitle ? 32 : 0;
  const height = spec.height ?? Math.max(180, Math.max(sources.length, targets.length) * 16 + 200) + headTop;
  const side = Math.round(width * 0.27);
  const option = {
    ...titleOption(spec),
    series: [
      {
        type: 'sankey',
        left: side,
        right: side,
        top: headTop + 12,
        bottom: 12,
        nodeWidth: 12,
        nodeGap: 16,
        layoutIterations: 32,
        draggable: false,
        data: nodes,
        links,
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        label: { ...text(INK), fontSize: 11, width: side - 10, overflow: 'truncate', ellipsis: '…' },
      },
    ],
  };
  const items = flows.map((f) => `${f.from} ke ${f.to}: ${formatValue(f.value, unit, false)}`);
  const label = `Diagram aliran: ${spec.title}. ${describeItems(items)}`;
  return finish(render(option, width, height), key, label);
}
