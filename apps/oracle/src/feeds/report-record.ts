import type { ProviderReport, SignedReport } from '@exchange/oracle';

/**
 * A record of the oracle log (TOPICS.oracleReports, keyed by provider): an accepted signed report
 * and the time the oracle accepted it, as JSON (the report's integers are safe integers).
 */
export interface ReportRecord {
  readonly receivedAtMs: number;
  readonly signed: SignedReport;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeReportRecord(record: ReportRecord): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      v: 1,
      receivedAtMs: record.receivedAtMs,
      report: record.signed.report,
      signature: record.signed.signature,
    }),
  );
}

/** The record, or undefined when the bytes are not a version-1 report record. */
export function decodeReportRecord(bytes: Uint8Array): ReportRecord | undefined {
  try {
    const raw = JSON.parse(decoder.decode(bytes)) as {
      v?: unknown;
      receivedAtMs?: unknown;
      report?: unknown;
      signature?: unknown;
    };
    if (raw.v !== 1 || typeof raw.receivedAtMs !== 'number' || typeof raw.signature !== 'string')
      return undefined;
    if (typeof raw.report !== 'object' || raw.report === null) return undefined;
    const report = raw.report as ProviderReport;
    if (typeof report.providerId !== 'string' || !Number.isSafeInteger(report.nonce)) return undefined;
    return { receivedAtMs: raw.receivedAtMs, signed: { report, signature: raw.signature } };
  } catch {
    return undefined;
  }
}
