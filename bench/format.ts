// How the report spells numbers, ratios and the list of figures; shared by the table and the
// plot so that both say the same thing. Pure.
import type { Figure, Run } from './results.js';

/** Three significant digits, never an exponent for the sizes benchmarks produce, no trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 || Number.isInteger(value) ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  const fixed = decimals === 3 ? Number(value.toPrecision(3)) : Number(value.toFixed(decimals));
  return String(fixed);
}

export function formatValue(value: number, unit: string): string {
  return `${formatNumber(value)} ${unit}`;
}

/**
 * The ratio as the report prints it: "3.4×"; "∞" when the anchor (or, lower being better, ours)
 * is 0 so that no finite ratio exists; "—" without an anchor or when both are 0.
 */
export function formatRatio(figure: Figure): string {
  if (figure.ratio !== undefined) return `${formatNumber(figure.ratio)}×`;
  if (!figure.anchor) return '—';
  const [top, bottom] =
    figure.better === 'lower' ? [figure.anchor.value, figure.ours.value] : [figure.ours.value, figure.anchor.value];
  return top > 0 && bottom === 0 ? '∞' : '—';
}

/** Which side the ratio favours, in words. */
export function verdict(figure: Figure): string {
  const ratio = formatRatio(figure);
  if (ratio === '—') return figure.anchor ? 'no ratio' : 'no anchor';
  if (figure.ratio === undefined || figure.ratio > 1) return 'lvs-operator better';
  return figure.ratio < 1 ? 'anchor better' : 'equal';
}

/** The day of an ISO time: 2025-01-01. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}

export interface Entry {
  run: Run;
  figure: Figure;
}

/** The part of a figure id before the first "-": the letter. */
function letter(id: string): string {
  return id.split('-')[0] ?? id;
}

/** Every figure of every run, by the letter, then run name, then the run's own order. */
export function entries(runs: readonly Run[]): Entry[] {
  return runs
    .flatMap((run) => run.figures.map((figure) => ({ run, figure })))
    .sort((a, b) => compare(letter(a.figure.id), letter(b.figure.id)) || compare(a.run.name, b.run.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
