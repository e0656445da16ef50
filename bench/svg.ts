// The summary plot: for each figure a pair of horizontal bars, lvs-operator over its anchor.
// Figures measure seconds, MiB and connections, so each pair is scaled to its own larger value:
// the plot compares within a pair, never across pairs, and the numbers are written beside the
// bars. Pure: runs in, an SVG document out, no dependencies.
import { day, entries, formatRatio, formatValue, verdict, type Entry } from './format.js';
import type { Measurement, Run } from './results.js';

const WIDTH = 960;
const MARGIN = 16;
const LABEL_WIDTH = 300;
const BAR_X = MARGIN + LABEL_WIDTH + 10;
const BAR_WIDTH = 500;
const BAR_HEIGHT = 18;
const HEADER_HEIGHT = 64;
const ROW_HEIGHT = 104;
const OURS_COLOR = '#2b6cb0';
const ANCHOR_COLOR = '#a0aec0';
/** Without text measurement, labels are cut by characters; 12px sans fits about this many in LABEL_WIDTH. */
const LABEL_CHARS = 46;
const TITLE_CHARS = 90;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x}" y="${y}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

/** Bar length for `value` when the pair's larger value gets the full width; nonzero values stay visible. */
export function barLength(value: number, largest: number): number {
  if (!(largest > 0) || !(value > 0)) return 0;
  return Math.max(1, Math.round((value / largest) * BAR_WIDTH));
}

function bar(y: number, m: Measurement, unit: string, largest: number, color: string, who: string): string[] {
  const length = barLength(m.value, largest);
  return [
    text(MARGIN, y + 13, cut(`${who}: ${m.label}`, LABEL_CHARS), 'class="label"'),
    `<rect x="${BAR_X}" y="${y}" width="${length}" height="${BAR_HEIGHT}" fill="${color}"><title>${escapeXml(`${m.label}: ${formatValue(m.value, unit)}`)}</title></rect>`,
    text(BAR_X + length + 6, y + 13, formatValue(m.value, unit), 'class="value"'),
  ];
}

function row({ run, figure }: Entry, top: number): string[] {
  const largest = Math.max(figure.ours.value, figure.anchor?.value ?? 0);
  const ratio = figure.anchor ? `ratio ${formatRatio(figure)} (${verdict(figure)})` : 'no anchor';
  return [
    text(MARGIN, top + 14, cut(figure.title, TITLE_CHARS), 'class="title"'),
    text(WIDTH - MARGIN, top + 14, ratio, 'class="ratio" text-anchor="end"'),
    ...bar(top + 24, figure.ours, figure.unit, largest, OURS_COLOR, 'ours'),
    ...(figure.anchor ? bar(top + 46, figure.anchor, figure.unit, largest, ANCHOR_COLOR, 'anchor') : []),
    text(
      MARGIN,
      top + 82,
      `${figure.id} · ${figure.better} is better · run ${run.name}, ${day(run.measuredAt)}`,
      'class="meta"',
    ),
  ];
}

export function summarySvg(runs: readonly Run[]): string {
  const list = entries(runs);
  const height = HEADER_HEIGHT + Math.max(1, list.length) * ROW_HEIGHT;
  const body = list.length
    ? list.flatMap((entry, i) => row(entry, HEADER_HEIGHT + i * ROW_HEIGHT))
    : [text(MARGIN, HEADER_HEIGHT + 20, 'No benchmark results yet.', 'class="label"')];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.ratio{font-size:13px;font-weight:bold}.label,.value{font-size:12px}.meta{font-size:11px;fill:#718096}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(MARGIN, 24, 'lvs-operator benchmarks', 'class="title"'),
    `<rect x="${MARGIN}" y="36" width="12" height="12" fill="${OURS_COLOR}"/>`,
    text(MARGIN + 18, 46, 'lvs-operator', 'class="label"'),
    `<rect x="${MARGIN + 110}" y="36" width="12" height="12" fill="${ANCHOR_COLOR}"/>`,
    text(
      MARGIN + 128,
      46,
      'anchor, measured in the same run · each pair scaled to its larger value · ratio > 1: lvs-operator better',
      'class="label"',
    ),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
