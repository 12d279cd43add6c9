import { computeClass } from '@exchange/domain';
import type { ReportRejectCode } from './reason-code';
import { REPORT_REJECT_CODES } from './reason-code';
import type { ProviderReportCodec, ProviderReport, SignedReport } from './report';
import { REPORT_LIMITS } from './report';
import type { ProviderRegistry } from './registry';
import { SignatureVerifier } from './signature';

export interface IngestionConfig {
  /** A report older than this (and a benchmark older than benchmarkFreshnessMs) is STALE_REPORT. */
  readonly freshnessMs: number;
  readonly benchmarkFreshnessMs: number;
  /** Allowed clock skew into the future before FUTURE_REPORT. */
  readonly maxFutureSkewMs: number;
}

export const DEFAULT_INGESTION_CONFIG: IngestionConfig = {
  freshnessMs: 5 * 60_000,
  benchmarkFreshnessMs: 7 * 24 * 3_600_000,
  maxFutureSkewMs: 2_000,
};

export type IngestResult =
  | { readonly ok: true; readonly report: ProviderReport }
  | { readonly ok: false; readonly code: ReportRejectCode };

/**
 * Validates signed reports. State: the last accepted nonce per provider and counters. A rejected
 * report changes no state except its reject counter. Checks, cheapest first: class, values,
 * provider known and active, freshness, nonce, signature.
 */
export class ReportValidator {
  private readonly lastNonce = new Map<string, number>();
  private readonly rejects = new Map<ReportRejectCode, number>(REPORT_REJECT_CODES.map((c) => [c, 0]));
  private acceptedCount = 0;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly codec: ProviderReportCodec,
    private readonly config: IngestionConfig = DEFAULT_INGESTION_CONFIG,
    private readonly verifier = new SignatureVerifier(),
  ) {}

  ingest(signed: SignedReport, nowMs: number): IngestResult {
    return this.apply(signed, nowMs);
  }

  /**
   * Same results and state as calling ingest on each report in order, which is what it does: with
   * libsecp256k1 one signature check has no work to share with another.
   */
  ingestBatch(batch: readonly SignedReport[], nowMs: number): IngestResult[] {
    const results = new Array<IngestResult>(batch.length);
    for (let i = 0; i < batch.length; i++) results[i] = this.apply(batch[i]!, nowMs);
    return results;
  }

  private apply(signed: SignedReport, nowMs: number): IngestResult {
    const code = this.check(signed, nowMs);
    if (code !== undefined) {
      this.rejects.set(code, (this.rejects.get(code) ?? 0) + 1);
      return { ok: false, code };
    }
    this.lastNonce.set(signed.report.providerId, signed.report.nonce);
    this.acceptedCount++;
    return { ok: true, report: signed.report };
  }

  private check(signed: SignedReport, nowMs: number): ReportRejectCode | undefined {
    const r = signed.report;
    if (computeClass(r.computeClass) === undefined) return 'UNKNOWN_CLASS';
    if (!valuesInRange(r)) return 'VALUE_OUT_OF_RANGE';
    const provider = this.registry.get(r.providerId);
    if (provider === undefined) return 'UNKNOWN_PROVIDER';
    if (provider.status !== 'active') return 'PROVIDER_INACTIVE';
    const skewLimitMs = nowMs + this.config.maxFutureSkewMs;
    if (r.observedAtMs > skewLimitMs || r.benchmarkMeasuredAtMs > skewLimitMs) return 'FUTURE_REPORT';
    if (nowMs - r.observedAtMs > this.config.freshnessMs) return 'STALE_REPORT';
    if (nowMs - r.benchmarkMeasuredAtMs > this.config.benchmarkFreshnessMs) return 'STALE_REPORT';
    const last = this.lastNonce.get(r.providerId);
    if (last !== undefined && r.nonce <= last) return 'NONCE_REPLAYED';
    if (!this.verifier.verify(this.codec.digest(r), signed.signature, provider.address))
      return 'BAD_SIGNATURE';
    return undefined;
  }

  lastNonceOf(providerId: string): number | undefined {
    return this.lastNonce.get(providerId);
  }

  get accepted(): number {
    return this.acceptedCount;
  }

  /** Rejections counted per reason code (every code present, zero when unseen). */
  rejectCounts(): Record<ReportRejectCode, number> {
    return Object.fromEntries(this.rejects) as Record<ReportRejectCode, number>;
  }
}

function isUint(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
}

function isId(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0 && v.length <= REPORT_LIMITS.maxIdLength;
}

function valuesInRange(r: ProviderReport): boolean {
  return (
    isId(r.providerId) &&
    isId(r.clusterId) &&
    isId(r.benchmarkSuite) &&
    (r.priceKind === 'asked' || r.priceKind === 'realised') &&
    isUint(r.gpusTotal, REPORT_LIMITS.maxGpus) &&
    r.gpusTotal > 0 &&
    isUint(r.gpusAvailable, r.gpusTotal) &&
    isUint(r.utilisationBps, 10_000) &&
    isUint(r.priceMicros, REPORT_LIMITS.maxPriceMicros) &&
    r.priceMicros > 0 &&
    isUint(r.benchmarkScoreMilli, REPORT_LIMITS.maxScoreMilli) &&
    r.benchmarkScoreMilli > 0 &&
    isUint(r.benchmarkMeasuredAtMs, Number.MAX_SAFE_INTEGER) &&
    isUint(r.observedAtMs, Number.MAX_SAFE_INTEGER) &&
    isUint(r.nonce, Number.MAX_SAFE_INTEGER)
  );
}
