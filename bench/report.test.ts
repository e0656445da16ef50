// The report's pure parts: the results helpers' arithmetic, the README table and its splicing,
// and the plot. Timings themselves are never tested.
import { describe, expect, it } from 'vitest';
import { formatNumber, formatRatio } from './format.js';
import { figure, median, ratioOf, type Figure, type Run } from './results.js';
import { barLength, escapeXml, summarySvg } from './svg.js';
import { benchTable, END_MARKER, readmeSection, spliceReadme, START_MARKER } from './table.js';

const machine = { cpus: 2, model: 'Test CPU', kernel: '6.1.0', node: 'v24.0.0' };

function run(name: string, figures: Figure[]): Run {
  return { name, measuredAt: '2025-03-04T05:06:07.000Z', machine, figures };
}

const outage = figure({
  id: 'a-outage',
  title: 'Outage on a director crash',
  unit: 's',
  better: 'lower',
  ours: { label: 'advert 0.1 s', samples: [0.4, 0.3, 0.5] },
  anchor: { label: 'seed, advert 1 s', samples: [3.2, 3.6, 3.4, 3.0] },
  note: 'median of the samples',
});
const survived = figure({
  id: 'e-sync',
  title: 'Connections surviving a crash',
  unit: 'connections',
  better: 'higher',
  ours: { label: 'with sync', value: 100 },
  anchor: { label: 'without sync', value: 0 },
});
const memory = figure({
  id: 'g-agent-rss',
  title: 'Agent memory',
  unit: 'MiB',
  better: 'lower',
  ours: { label: 'agent | idle', value: 42 },
});

describe('results helpers', () => {
  it('takes the median of odd and even sample counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('makes the ratio > 1 when lvs-operator is better, whichever way is better', () => {
    expect(ratioOf('lower', 2, 8)).toBe(4);
    expect(ratioOf('higher', 8, 2)).toBe(4);
    expect(ratioOf('lower', 8, 2)).toBe(0.25);
  });

  it('leaves the ratio out when it is not finite', () => {
    expect(ratioOf('higher', 5, 0)).toBeUndefined();
    expect(ratioOf('lower', 0, 0)).toBeUndefined();
    expect(survived.ratio).toBeUndefined();
  });

  it('puts the medians and the ratio into a figure and keeps the samples', () => {
    expect(outage.ours).toEqual({ label: 'advert 0.1 s', value: 0.4, samples: [0.4, 0.3, 0.5] });
    expect(outage.anchor?.value).toBe(3.3);
    expect(outage.ratio).toBeCloseTo(8.25);
    expect(memory.anchor).toBeUndefined();
    expect(memory.ratio).toBeUndefined();
  });
});

describe('formatting', () => {
  it('prints three significant digits without float noise', () => {
    expect(formatNumber(1343.359165)).toBe('1343');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(0.0265163)).toBe('0.0265');
    expect(formatNumber(100)).toBe('100');
  });

  it('prints ∞ for a zero anchor and — without one', () => {
    expect(formatRatio(outage)).toBe('8.25×');
    expect(formatRatio(survived)).toBe('∞');
    expect(formatRatio(memory)).toBe('—');
  });
});

describe('README table', () => {
  const runs = [run('vm', [survived, outage]), run('plan', [memory])];

  it('lists the figures in the issue order with both sides, ratio and run', () => {
    expect(benchTable(runs).split('\n')).toEqual([
      '| figure | lvs-operator | anchor | ratio | measured |',
      '| --- | --- | --- | ---: | --- |',
      '| Outage on a director crash | 0.4 s (advert 0.1 s) | 3.3 s (seed, advert 1 s) | 8.25× | vm, 2025-03-04 |',
      '| Connections surviving a crash | 100 connections (with sync) | 0 connections (without sync) | ∞ | vm, 2025-03-04 |',
      '| Agent memory | 42 MiB (agent \\| idle) | — | — | plan, 2025-03-04 |',
    ]);
  });

  it('adds the notes and the plot', () => {
    const section = readmeSection(runs, 'bench/results/summary.svg');
    expect(section).toContain('](bench/results/summary.svg)');
    expect(section).toContain('- **Outage on a director crash**: median of the samples');
    expect(section).toContain('2 × Test CPU, Linux 6.1.0');
  });

  it('replaces only what is between the markers', () => {
    const readme = ['# x', '', START_MARKER, 'old', 'older', END_MARKER, '', 'tail'].join('\n');
    expect(spliceReadme(readme, 'new')).toBe(['# x', '', START_MARKER, 'new', END_MARKER, '', 'tail'].join('\n'));
    const spliced = spliceReadme(readme, 'new')!;
    expect(spliceReadme(spliced, 'new')).toBe(spliced);
  });

  it('refuses a README without both markers in order', () => {
    expect(spliceReadme('# x\n', 'new')).toBeUndefined();
    expect(spliceReadme(`${START_MARKER}\n`, 'new')).toBeUndefined();
    expect(spliceReadme(`${END_MARKER}\n${START_MARKER}\n`, 'new')).toBeUndefined();
  });
});

describe('summary plot', () => {
  const svg = summarySvg([run('vm', [outage, survived]), run('plan', [memory])]);

  it('is one svg document with balanced elements', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const stack: string[] = [];
    for (const [, close, name, selfClosing] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (close) expect(stack.pop()).toBe(name);
      else stack.push(name!);
    }
    expect(stack).toEqual([]);
  });

  it('draws a bar per side scaled to the larger of the pair', () => {
    expect(barLength(3.3, 3.3)).toBe(500);
    expect(barLength(0.4, 3.3)).toBe(61);
    expect(barLength(0, 3.3)).toBe(0);
    expect(barLength(1e-9, 3.3)).toBe(1);
    expect(svg).toContain('width="500"');
    expect(svg).toContain('width="61"');
  });

  it('labels values, ratio and the side that wins', () => {
    expect(svg).toContain('ratio 8.25× (lvs-operator better)');
    expect(svg).toContain('ratio ∞ (lvs-operator better)');
    expect(svg).toContain('no anchor');
    expect(svg).toContain('>3.3 s<');
  });

  it('escapes text', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&#60;b &#38; &#34;c&#34; &#39;d&#39;&#62;');
    expect(summarySvg([run('x', [{ ...memory, title: '<script>' }])])).not.toContain('<script>');
  });

  it('says so when there is nothing to plot', () => {
    expect(summarySvg([])).toContain('No benchmark results yet.');
  });
});
