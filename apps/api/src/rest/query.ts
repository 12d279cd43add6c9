import { DEFAULT_PAGE, MAX_PAGE } from '../trading/read.service';
import { ApiException } from '../http/api-exception';

/** Query parameters: only the named ones, each checked. */
export function checkQuery(query: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(query)) {
    if (!allowed.includes(k)) throw ApiException.of('UNKNOWN_FIELD', `unknown query parameter ${k}`, k);
    if (typeof query[k] !== 'string') throw ApiException.of('VALIDATION_FAILED', `${k} must appear once`, k);
  }
}

export function intParam(value: unknown, name: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw ApiException.of('VALIDATION_FAILED', `${name} must be an integer in [${min}, ${max}]`, name);
  return n;
}

/** A query's `limit`: 1 to MAX_PAGE, DEFAULT_PAGE when absent. */
export function pageLimit(value: unknown): number {
  return intParam(value, 'limit', 1, MAX_PAGE, DEFAULT_PAGE);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An optional time range [from, to) in ms since the epoch; an empty or reversed one is BAD_TIME_RANGE. */
export function timeRange(q: Record<string, unknown>): { fromMs: number; toMs: number } {
  const fromMs = intParam(q.from, 'from', 0, Number.MAX_SAFE_INTEGER, 0);
  const toMs = intParam(q.to, 'to', 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (fromMs >= toMs)
    throw ApiException.of('BAD_TIME_RANGE', `from (${fromMs}) must be before to (${toMs})`, 'from');
  return { fromMs, toMs };
}
