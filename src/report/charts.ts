/*
 * Charts as SVG strings, rendered on the server with Apache ECharts' SSR renderer (no DOM, no browser, no script in
 * the output): the same function draws a chart for the console, the HTML/PDF report and anything else. Pure: input
 * in, string out; the same input gives the same bytes (ECharts' per-instance ids are replaced by a hash of the input),
 * so a chart once drawn is kept and handed out again.
 * Every chart carries role="img", an aria-label and a <title> that say what it shows; its numbers belong in a table
 * beside it. Labels are escaped by ECharts (checked in tests/unit/charts.test.ts); the aria-label and title here.
 */
import { createHash } from 'node:crypto';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { fmtDecimal, fmtId, fmtRupiah } from '../domain/format.js';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
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

function valueAxis(unit: ChartUnit) {
  return {
    type: 'value',
    ...(unit === 'count' ? { minInterval: 1 } : {}),
    axisLabel: { ...text(), formatter: (v: number) => formatValue(v, unit) },
    splitLine: { lineStyle: { color: LINE } },
  };
}

/** The key of a chart: its kind and every input (the output depends on nothing else). */
const keyOf = (kind: string, spec: unknown) => `${kind}:${JSON.stringify(spec)}`;

const rendered = new Map<string, string>();
/** Charts kept (a console page draws five; ECharts takes tens of milliseconds per chart, a lookup none). */
const RENDERED_MAX = 200;

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
  if (rendered.size > RENDERED_MAX) rendered.delete(rendered.keys().next().value!);
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
      outerBoundsContain: 'axisLabel',
    },
    xAxis: spec.horizontal ? valueAxis(unit) : categoryAxis,
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
      top: headTop + (multi ? 40 : 16),
      bottom: 8,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
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
