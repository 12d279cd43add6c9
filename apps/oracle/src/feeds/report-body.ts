import { PROVIDER_REPORT_FIELDS, type ProviderReport, type SignedReport } from '@exchange/oracle';
import { malformed } from '../http/oracle-error';

/** Most reports one batch request may carry (the body also stays under the ~100 kB body limit). */
export const MAX_BATCH_REPORTS = 100;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A signed report from a JSON body: { report: { ...the EIP-712 fields... }, signature: "0x..." }.
 * Only the shape is checked here (an object with an object `report` and a string `signature`; the
 * report keeps exactly the signed fields, so nothing unsigned travels on). Field values are the
 * validator's job: a wrong type or range is VALUE_OUT_OF_RANGE, an unknown class UNKNOWN_CLASS.
 */
export function parseSignedReport(body: unknown, at = ''): SignedReport {
  if (!isObject(body)) throw malformed(at || 'body', 'expected an object { report, signature }');
  const report = body.report;
  if (!isObject(report)) throw malformed(`${at}report`, 'expected an object');
  if (typeof body.signature !== 'string') throw malformed(`${at}signature`, 'expected a 0x hex string');
  const fields: Record<string, unknown> = {};
  for (const f of PROVIDER_REPORT_FIELDS) fields[f.name] = report[f.name];
  return { report: fields as unknown as ProviderReport, signature: body.signature };
}

/** A batch body: { reports: [ signed report, ... ] } with 1..MAX_BATCH_REPORTS entries. */
export function parseBatch(body: unknown): SignedReport[] {
  if (!isObject(body) || !Array.isArray(body.reports))
    throw malformed('reports', 'expected an object { reports: [...] }');
  if (body.reports.length === 0) throw malformed('reports', 'expected at least one report');
  return body.reports.map((r: unknown, i: number) => parseSignedReport(r, `reports[${i}].`));
}
