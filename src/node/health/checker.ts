// One destination's check as its plan describes it: the seam between the scheduler and the
// network. The scheduler takes a Checker so its tests run on fake ones.
import { planUrls } from '../../core/api/http-urls.js';
import type { HealthCheckPlan } from '../../core/api/objects.js';
import type { CheckResult } from './check-result.js';
import { checkHttpUrls } from './http-check.js';
import { checkTcp } from './tcp-check.js';

/** Runs one check of `address` as `check` says. Must not throw (a rejection counts as a failure anyway). */
export type Checker = (address: string, check: HealthCheckPlan) => Promise<CheckResult>;

export const networkChecker: Checker = (address, check) => {
  const timeoutMs = Math.max(1, Math.round(check.timeout * 1000));
  switch (check.type) {
    case 'TCP':
      return checkTcp({ address, port: check.port, timeoutMs });
    case 'HTTP':
    case 'HTTPS':
      return checkHttpUrls({ address, port: check.port, timeoutMs, tls: check.type === 'HTTPS' }, planUrls(check));
    case 'None':
      return Promise.resolve({ ok: true, message: 'not checked (type None)', latencyMs: 0 });
  }
};
