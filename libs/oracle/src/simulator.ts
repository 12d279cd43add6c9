import { COMPUTE_CLASSES, Dec, toMinor, type ComputeClassId } from '@exchange/domain';
import type { ProviderReport, ProviderReportCodec, SignedReport } from './report';
import { addressOfPrivateKey } from './signature';
import type { ProviderRecord } from './registry';

/** mulberry32: a small seeded generator; the simulator's only source of randomness. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A 32-byte private key (hex), valid for secp256k1 with overwhelming probability. */
  privateKey(): string {
    let hex = '0x';
    for (let i = 0; i < 8; i++) hex += this.int(0, 0xffffffff).toString(16).padStart(8, '0');
    return hex;
  }
}

export type Fault = 'honest' | 'stale' | 'outlier' | 'bad_signature' | 'replay';

export interface SimulatedProvider {
  readonly providerId: string;
  readonly clusterId: string;
  readonly computeClass: ComputeClassId;
  readonly privateKey: string;
  readonly address: string;
  readonly gpusTotal: number;
  readonly fault: Fault;
  /** Multiplicative price bias of this provider (honest spread), e.g. 0.97..1.03. */
  readonly bias: number;
  nonce: number;
}

export interface SimulatorConfig {
  readonly seed: number;
  readonly providersPerClass: number;
  /** Fraction of providers that are faulty (spread over the fault kinds). */
  readonly faultyFraction: number;
}

const FAULTS: readonly Fault[] = ['stale', 'outlier', 'bad_signature', 'replay'];
const DAY_MS = 86_400_000;

/**
 * Seeded simulation of provider clusters: diurnal utilisation, a random-walk price drift per class
 * with occasional shocks, benchmark noise, and faulty or hostile providers. Floats drive the
 * simulation only; every report carries integer micro-USDC prices. Deterministic for a seed.
 */
export class ProviderSimulator {
  readonly providers: SimulatedProvider[] = [];
  private readonly rng: SeededRandom;
  private readonly classLevel = new Map<ComputeClassId, number>();
  private readonly lastSigned = new Map<string, SignedReport>();

  constructor(
    private readonly codec: ProviderReportCodec,
    config: SimulatorConfig,
  ) {
    this.rng = new SeededRandom(config.seed);
    let n = 0;
    for (const c of COMPUTE_CLASSES) {
      this.classLevel.set(c.id, Number(toMinor(new Dec(c.referencePrice))));
      for (let i = 0; i < config.providersPerClass; i++, n++) {
        const privateKey = this.rng.privateKey();
        const faulty = this.rng.next() < config.faultyFraction;
        this.providers.push({
          providerId: `prov-${n}`,
          clusterId: `${c.id.toLowerCase()}-cluster-${i}`,
          computeClass: c.id,
          privateKey,
          address: addressOfPrivateKey(privateKey),
          gpusTotal: this.rng.int(8, 512),
          fault: faulty ? FAULTS[this.rng.int(0, FAULTS.length - 1)]! : 'honest',
          bias: 0.97 + 0.06 * this.rng.next(),
          nonce: 0,
        });
      }
    }
  }

  registryRecords(): ProviderRecord[] {
    return this.providers.map((p) => ({
      providerId: p.providerId,
      address: p.address,
      stakeMicros: 10_000_000_000n,
      status: 'active',
    }));
  }

  /** Moves the class price levels: small drift, rare +-15% shocks. */
  private drift(): void {
    for (const [id, level] of this.classLevel) {
      const shock = this.rng.next() < 0.01 ? (this.rng.next() < 0.5 ? 0.85 : 1.15) : 1;
      this.classLevel.set(id, Math.max(10_000, Math.round(level * (1 + 0.002 * this.rng.normal()) * shock)));
    }
  }

  /** One report per provider at nowMs (signed; faulty providers misbehave). */
  step(nowMs: number): SignedReport[] {
    this.drift();
    const out: SignedReport[] = [];
    for (const p of this.providers) out.push(this.reportOf(p, nowMs));
    return out;
  }

  private reportOf(p: SimulatedProvider, nowMs: number): SignedReport {
    const previous = this.lastSigned.get(p.providerId);
    if (p.fault === 'replay' && previous !== undefined && this.rng.next() < 0.5) return previous;
    const phase = ((nowMs % DAY_MS) / DAY_MS) * 2 * Math.PI;
    const utilisation = Math.min(1, Math.max(0, 0.7 + 0.2 * Math.sin(phase) + 0.05 * this.rng.normal()));
    const level = this.classLevel.get(p.computeClass)!;
    const outlier = p.fault === 'outlier' ? 3 + 2 * this.rng.next() : 1;
    const spec = COMPUTE_CLASSES.find((c) => c.id === p.computeClass)!;
    const observedAtMs = p.fault === 'stale' ? nowMs - 3_600_000 : nowMs - this.rng.int(0, 1_000);
    p.nonce++;
    const report: ProviderReport = {
      providerId: p.providerId,
      clusterId: p.clusterId,
      computeClass: p.computeClass,
      gpusTotal: p.gpusTotal,
      gpusAvailable: Math.round(p.gpusTotal * (1 - utilisation)),
      utilisationBps: Math.round(utilisation * 10_000),
      priceMicros: Math.max(1, Math.round(level * p.bias * (1 + 0.01 * this.rng.normal()) * outlier)),
      priceKind: this.rng.next() < 0.5 ? 'asked' : 'realised',
      benchmarkSuite: spec.benchmarkSuite,
      benchmarkScoreMilli: Math.round(spec.referenceScore * 1000 * (1 + 0.03 * this.rng.normal())),
      benchmarkMeasuredAtMs: nowMs - this.rng.int(0, 3_600_000),
      observedAtMs,
      nonce: p.nonce,
    };
    let signed = this.codec.sign(report, p.privateKey);
    if (p.fault === 'bad_signature')
      signed = { report: { ...report, priceMicros: report.priceMicros + 1 }, signature: signed.signature };
    this.lastSigned.set(p.providerId, signed);
    return signed;
  }
}
