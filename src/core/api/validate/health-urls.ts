// The health check's URLs checked again in code, after the CRD schema's patterns and CEL rules:
// objects from an API server with an older CRD, or from a file, never reach the agent with a
// status range it cannot read. Each problem names its field and value.
import { MD5_DIGEST, parseStatusCode, URL_PATH } from '../http-urls.js';
import type { HealthCheckDefaults, HealthCheckOverride, ObjectMeta } from '../objects.js';
import type { ValidationError } from './errors.js';
import { issue } from './issue.js';

const SINGLE_FIELDS = ['path', 'host', 'expectedStatus'] as const;

export function checkHealthCheckUrls(
  object: { kind: string; metadata: ObjectMeta },
  check: HealthCheckDefaults | HealthCheckOverride | undefined,
): ValidationError[] {
  if (check?.urls === undefined) return [];
  const out: ValidationError[] = [];
  for (const field of SINGLE_FIELDS) {
    if (check[field] !== undefined)
      out.push(
        issue(
          'error',
          object,
          `spec.healthCheck.${field}`,
          check[field],
          'cannot be set with spec.healthCheck.urls: urls replaces path, host and expectedStatus (put it in a url)',
        ),
      );
  }
  const urls: readonly unknown[] = check.urls;
  if (urls.length === 0)
    out.push(issue('error', object, 'spec.healthCheck.urls', check.urls, 'must list at least one url'));
  check.urls.forEach((url, i) => {
    const at = `spec.healthCheck.urls[${i}]`;
    if (!URL_PATH.test(url.path))
      out.push(issue('error', object, `${at}.path`, url.path, 'must start with / and hold no blanks'));
    url.expectedStatus?.forEach((code, j) => {
      const range = parseStatusCode(code);
      if ('error' in range) out.push(issue('error', object, `${at}.expectedStatus[${j}]`, code, range.error));
    });
    if (url.digest !== undefined && !MD5_DIGEST.test(url.digest))
      out.push(issue('error', object, `${at}.digest`, url.digest, 'must be an MD5 digest: 32 lowercase hex digits'));
  });
  return out;
}
