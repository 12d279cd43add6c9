import type { ComputeClassId } from '@exchange/domain';
import { FlatStructHasher, type Eip712Domain, type FlatField } from './eip712';
import { signDigest } from './signature';

/**
 * A provider's signed observation of one cluster. Units: prices are integer micro-USDC per
 * GPU-hour (USDC has 6 decimals; safe integers), utilisation is basis points (0..10,000), benchmark
 * scores are thousandths of the suite's unit (tokens/s per GPU x 1000), times are Unix ms.
 */
export type PriceKind = 'asked' | 'realised';

export interface ProviderReport {
  readonly providerId: string;
  readonly clusterId: string;
  readonly computeClass: ComputeClassId;
  readonly gpusTotal: number;
  readonly gpusAvailable: number;
  readonly utilisationBps: number;
  readonly priceMicros: number;
  readonly priceKind: PriceKind;
  readonly benchmarkSuite: string;
  readonly benchmarkScoreMilli: number;
  readonly benchmarkMeasuredAtMs: number;
  readonly observedAtMs: number;
  readonly nonce: number;
}

export interface SignedReport {
  readonly report: ProviderReport;
  /** 0x r ‖ s ‖ v, 65 bytes. */
  readonly signature: string;
}

export const PROVIDER_REPORT_FIELDS: readonly FlatField[] = [
  { name: 'providerId', type: 'string' },
  { name: 'clusterId', type: 'string' },
  { name: 'computeClass', type: 'string' },
  { name: 'gpusTotal', type: 'uint32' },
  { name: 'gpusAvailable', type: 'uint32' },
  { name: 'utilisationBps', type: 'uint16' },
  { name: 'priceMicros', type: 'uint64' },
  { name: 'priceKind', type: 'string' },
  { name: 'benchmarkSuite', type: 'string' },
  { name: 'benchmarkScoreMilli', type: 'uint64' },
  { name: 'benchmarkMeasuredAtMs', type: 'uint64' },
  { name: 'observedAtMs', type: 'uint64' },
  { name: 'nonce', type: 'uint64' },
];

/** Limits a report's values must respect (VALUE_OUT_OF_RANGE otherwise). */
export const REPORT_LIMITS = {
  maxIdLength: 64,
  maxGpus: 1_000_000,
  maxPriceMicros: 1_000_000_000, // 1,000 USDC per GPU-hour
  // score x 10^6 (ppm factor arithmetic) must stay a safe integer
  maxScoreMilli: 1_000_000_000,
} as const;

/** EIP-712 codec for provider reports under one domain. */
export class ProviderReportCodec {
  readonly hasher: FlatStructHasher;

  constructor(readonly domain: Eip712Domain) {
    this.hasher = new FlatStructHasher('ProviderReport', PROVIDER_REPORT_FIELDS, domain);
  }

  /** ethers-style `types` for TypedDataEncoder / Wallet.signTypedData / verifyTypedData. */
  get types(): Record<string, { name: string; type: string }[]> {
    return this.hasher.ethersTypes;
  }

  digest(report: ProviderReport): Uint8Array {
    return this.hasher.digest(report as unknown as Record<string, unknown>);
  }

  sign(report: ProviderReport, privateKeyHex: string): SignedReport {
    return { report, signature: signDigest(this.digest(report), privateKeyHex) };
  }
}
