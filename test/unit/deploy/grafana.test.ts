import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The metrics the controller and the agents export, by type. The dashboard may use these and no
 * others (a histogram through its _bucket, _sum and _count series), and uses every one of them.
 * Kept here until the metrics code has a list of its own to import.
 */
export const METRICS = {
  lvs_ipvs_connections_total: 'counter',
  lvs_ipvs_active_connections: 'gauge',
  lvs_ipvs_inactive_connections: 'gauge',
  lvs_ipvs_incoming_bytes_total: 'counter',
  lvs_ipvs_outgoing_bytes_total: 'counter',
  lvs_ipvs_incoming_packets_total: 'counter',
  lvs_ipvs_outgoing_packets_total: 'counter',
  lvs_ipvs_destination_weight: 'gauge',
  lvs_vrrp_state: 'gauge',
  lvs_health_check_up: 'gauge',
  lvs_health_check_duration_seconds: 'histogram',
  lvs_health_checks_total: 'counter',
  lvs_agent_apply_duration_seconds: 'histogram',
  lvs_agent_apply_errors_total: 'counter',
  lvs_controller_reconcile_duration_seconds: 'histogram',
  lvs_controller_reconcile_errors_total: 'counter',
  lvs_controller_leader: 'gauge',
} as const satisfies Record<string, 'counter' | 'gauge' | 'histogram'>;

const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or']);
for (const k of ['unless', 'offset', 'inf', 'nan', 'atan2']) KEYWORDS.add(k);

/** The metric names a PromQL expression selects (names of series, not of functions or labels). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?![a-zA-Z0-9_:]|\s*\()/g))
    if (!KEYWORDS.has(m[0].toLowerCase())) names.add(m[0]);
  return [...names];
}

/** The metric a series name belongs to, or undefined if it is none of METRICS'. */
function metricOf(series: string): keyof typeof METRICS | undefined {
  if (series in METRICS && METRICS[series as keyof typeof METRICS] !== 'histogram')
    return series as keyof typeof METRICS;
  for (const suffix of HISTOGRAM_SERIES) {
    const base = series.slice(0, -suffix.length);
    if (series.endsWith(suffix) && METRICS[base as keyof typeof METRICS] === 'histogram')
      return base as keyof typeof METRICS;
  }
  return undefined;
}

type Target = { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } };
type Panel = {
  id?: number;
  type: string;
  title?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
};
type Variable = { name: string; type: string; query?: string | { query: string }; datasource?: { uid?: string } };

const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, '..', '..', '..', 'deploy', 'grafana', 'lvs-operator-dashboard.json');
const DS = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };

describe('metricNames', () => {
  it('takes the series out of a PromQL expression, leaving functions, labels, ranges and numbers', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, kind) (rate(a_bucket{kind=~"x|y", b="c{d}"}[$__rate_interval]))) / on (kind) group_left b_total offset 5m > bool 1e3',
      ),
    ).toEqual(['a_bucket', 'b_total']);
    expect(metricNames('lvs_vrrp_state{state="MASTER"} == 1')).toEqual(['lvs_vrrp_state']);
  });
});

describe('deploy/grafana/lvs-operator-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(file, 'utf8'));
  const all: Panel[] = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = all.filter((p) => p.type !== 'row');
  const exprs = queries.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
  const variables: Variable[] = dashboard.templating.list;

  it('is a Grafana dashboard model, schemaVersion 39, with its Prometheus as the ${DS_PROMETHEUS} input', () => {
    expect(dashboard).toMatchObject({ schemaVersion: 39, uid: 'lvs-operator', title: 'lvs-operator' });
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    );
    expect(variables.find((v) => v.name === 'DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it('has service and instance template variables, fed from the metrics', () => {
    for (const name of ['service', 'instance']) {
      const v = variables.find((x) => x.name === name);
      expect(v, name).toMatchObject({ type: 'query', datasource: DS });
      const query = typeof v!.query === 'string' ? v!.query : v!.query!.query;
      const [, metric = '', label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(query) ?? [];
      expect(label, query).toBe(name);
      expect(metricOf(metric), query).toBeDefined();
    }
  });

  it('gives every panel a unique id and a place on the 24-column grid', () => {
    const ids = all.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of all) expect(p.gridPos!.x + p.gridPos!.w, p.title).toBeLessThanOrEqual(24);
  });

  it('gives every panel but rows targets on ${DS_PROMETHEUS}, each with an expression and its own refId', () => {
    expect(queries.length).toBeGreaterThan(0);
    for (const p of queries) {
      expect(p.datasource, p.title).toEqual(DS);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      const refIds = p.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
      for (const t of p.targets!) {
        expect(t.expr?.trim(), p.title).toBeTruthy();
        expect(t.datasource, p.title).toEqual(DS);
      }
    }
  });

  it('uses only the metrics in METRICS, and every one of them', () => {
    const used = new Set<string>();
    for (const { panel, expr } of exprs) {
      const names = metricNames(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const metric = metricOf(name);
        expect(metric, `${panel}: ${name} is not an exported metric (or series of one)`).toBeDefined();
        used.add(metric!);
      }
    }
    expect(Object.keys(METRICS).filter((m) => !used.has(m))).toEqual([]);
  });

  it('takes counters and histogram buckets only through rate() or increase()', () => {
    for (const { panel, expr } of exprs)
      for (const m of expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
        const metric = metricOf(m[0]);
        if (!metric || (METRICS[metric] !== 'counter' && !m[0].endsWith('_bucket'))) continue;
        expect(expr.slice(0, m.index), `${panel}: ${m[0]}`).toMatch(/\b(?:rate|irate|increase)\(\s*$/);
      }
  });
});
