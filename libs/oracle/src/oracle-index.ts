import { COMPUTE_CLASSES, REFERENCE_COMPUTE_CLASS, type ComputeClassId } from '@exchange/domain';
import type { ProviderReport } from './report';
import { divRoundHalfEven, sortedOrder, weightedQuantileOf, type Weighted } from './robust-stats';

/**
 * The index: a pure function of accepted reports (in acceptance order) and a time. Per class, and
 * for the composite CU index (CU = one H100-equivalent hour):
 * - the latest report per provider/cluster observed within `freshnessMs` of `nowMs`;
 * - value = capacity-weighted median of prices (weights: GPUs, or CU capacity for the composite);
 *   its breakdown point is half the weight, so a coalition under half the capacity cannot move it
 *   outside the honest price range;
 * - outliers: |price - median| > madMultiplier x max(weighted MAD, madFloorBps of the median); they
 *   are listed, do not count towards the quorum, and are left out of the band and utilisation;
 * - quorum: at least `minProviders` distinct non-outlier providers, else status 'stale' and no value;
 * - band: weighted 25th and 75th percentiles of the non-outliers;
 * - utilisation: capacity-weighted mean of utilisation (bps) of the non-outliers.
 * Prices are integer micro-USDC per GPU-hour (class) or per CU (composite); CU prices round half
 * to even. Performance factors: see performanceFactors. Weights are GPUs (integers) or GPUs x factor
 * ppm; their sums are exact below 2^53 (about 9e15), beyond which only quantile ties could differ.
 */
export interface IndexConfig {
  readonly freshnessMs: number;
  readonly benchmarkWindowMs: number;
  readonly minProviders: number;
  readonly madMultiplier: number;
  readonly madFloorBps: number;
}

export const DEFAULT_INDEX_CONFIG: IndexConfig = {
  freshnessMs: 5 * 60_000,
  benchmarkWindowMs: 7 * 24 * 3_600_000,
  minProviders: 3,
  madMultiplier: 5,
  madFloorBps: 50,
};

export type IndexId = ComputeClassId | 'CU';
export type IndexStatus = 'ok' | 'stale';

export interface IndexValue {
  readonly indexId: IndexId;
  readonly status: IndexStatus;
  /** Weighted median; null when stale. */
  readonly priceMicros: number | null;
  readonly lowMicros: number | null;
  readonly highMicros: number | null;
  readonly utilisationBps: number | null;
  readonly providers: number;
  readonly outlierProviders: readonly string[];
  readonly asOfMs: number;
}

export interface IndexSnapshot {
  readonly asOfMs: number;
  /** Performance factor per class against H100, parts per million. */
  readonly factorPpm: Readonly<Record<ComputeClassId, number>>;
  readonly classes: Readonly<Record<ComputeClassId, IndexValue>>;
  readonly composite: IndexValue;
}

/** One quote in an index: value (micro-USDC) and capacity weight, with its provider and utilisation. */
export interface IndexSample extends Weighted {
  readonly providerId: string;
  readonly utilisationBps: number;
  readonly gpus: number;
}

const PPM = 1_000_000;

const CLASS_BY_ID = new Map(COMPUTE_CLASSES.map((c) => [c.id as string, c]));

/**
 * Performance factor per class (ppm of H100): the GPU-weighted median of the latest benchmark score
 * of each provider/cluster measured within the window (one vote per cluster, so repeating reports
 * gains nothing), over the same for H100; the catalogue's reference score stands in for a class
 * without benchmarks. Scores of another suite are ignored.
 */
export function performanceFactors(
  reports: readonly ProviderReport[],
  nowMs: number,
  windowMs: number,
): Record<ComputeClassId, number> {
  const latest = latestPerCluster(
    reports,
    (r) => {
      if (nowMs - r.benchmarkMeasuredAtMs > windowMs || r.benchmarkMeasuredAtMs > nowMs) return false;
      const spec = CLASS_BY_ID.get(r.computeClass);
      return spec !== undefined && r.benchmarkSuite === spec.benchmarkSuite;
    },
    (r) => r.benchmarkMeasuredAtMs,
  );
  const votes = new Map<ComputeClassId, { scores: number[]; gpus: number[] }>(
    COMPUTE_CLASSES.map((c) => [c.id, { scores: [], gpus: [] }]),
  );
  for (const r of latest) {
    const v = votes.get(r.computeClass)!;
    v.scores.push(r.benchmarkScoreMilli);
    v.gpus.push(r.gpusTotal);
  }
  const scoreOf = (id: ComputeClassId): number => {
    const v = votes.get(id)!;
    if (v.scores.length === 0) return CLASS_BY_ID.get(id)!.referenceScore * 1000;
    const values = Float64Array.from(v.scores);
    return weightedQuantileOf(values, Float64Array.from(v.gpus), sortedOrder(values), 0.5);
  };
  const reference = scoreOf(REFERENCE_COMPUTE_CLASS);
  const out = {} as Record<ComputeClassId, number>;
  for (const c of COMPUTE_CLASSES) out[c.id] = Math.max(1, divRoundHalfEven(scoreOf(c.id) * PPM, reference));
  return out;
}

/** Latest report per provider/cluster, observed within the freshness window (not in the future). */
export function latestFresh(
  reports: readonly ProviderReport[],
  nowMs: number,
  freshnessMs: number,
): ProviderReport[] {
  return latestPerCluster(
    reports,
    (r) => r.observedAtMs <= nowMs && nowMs - r.observedAtMs <= freshnessMs,
    (r) => r.observedAtMs,
  );
}

/** Among accepted reports, the latest by `timeOf` per provider/cluster (later in the list wins ties). */
function latestPerCluster(
  reports: readonly ProviderReport[],
  accept: (r: ProviderReport) => boolean,
  timeOf: (r: ProviderReport) => number,
): ProviderReport[] {
  // per provider a short array of its clusters' latest reports: cheaper than nested maps
  const byProvider = new Map<string, ProviderReport[]>();
  for (const r of reports) {
    if (!accept(r)) continue;
    const clusters = byProvider.get(r.providerId);
    if (clusters === undefined) {
      byProvider.set(r.providerId, [r]);
      continue;
    }
    let k = 0;
    while (k < clusters.length && clusters[k]!.clusterId !== r.clusterId) k++;
    if (k === clusters.length) clusters.push(r);
    else if (timeOf(r) >= timeOf(clusters[k]!)) clusters[k] = r;
  }
  const out: ProviderReport[] = [];
  for (const clusters of byProvider.values()) for (const r of clusters) out.push(r);
  return out;
}

export function computeIndex(
  reports: readonly ProviderReport[],
  nowMs: number,
  config: IndexConfig = DEFAULT_INDEX_CONFIG,
): IndexSnapshot {
  const factorPpm = performanceFactors(reports, nowMs, config.benchmarkWindowMs);
  const fresh = latestFresh(reports, nowMs, config.freshnessMs);
  const perClass = new Map<ComputeClassId, IndexSample[]>(COMPUTE_CLASSES.map((c) => [c.id, []]));
  const composite: IndexSample[] = [];
  for (const r of fresh) {
    const factor = factorPpm[r.computeClass];
    const providerId = r.providerId;
    const utilisationBps = r.utilisationBps;
    const gpus = r.gpusTotal;
    perClass
      .get(r.computeClass)!
      .push({ providerId, utilisationBps, gpus, value: r.priceMicros, weight: gpus });
    const value = divRoundHalfEven(r.priceMicros * PPM, factor);
    composite.push({ providerId, utilisationBps, gpus, value, weight: gpus * factor });
  }
  const classes = {} as Record<ComputeClassId, IndexValue>;
  for (const c of COMPUTE_CLASSES) classes[c.id] = aggregate(c.id, perClass.get(c.id)!, nowMs, config);
  return { asOfMs: nowMs, factorPpm, classes, composite: aggregate('CU', composite, nowMs, config) };
}

/** Robust aggregation of one index's samples (see the module comment). */
export function aggregate(
  indexId: IndexId,
  samples: IndexSample[],
  nowMs: number,
  config: IndexConfig,
): IndexValue {
  const stale: IndexValue = {
    indexId,
    status: 'stale',
    priceMicros: null,
    lowMicros: null,
    highMicros: null,
    utilisationBps: null,
    providers: 0,
    outlierProviders: [],
    asOfMs: nowMs,
  };
  const n = samples.length;
  if (n === 0) return stale;
  const values = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = samples[i]!.value;
    weights[i] = samples[i]!.weight;
  }
  const order = sortedOrder(values);
  const mid = weightedQuantileOf(values, weights, order, 0.5);
  const deviations = new Float64Array(n);
  for (let i = 0; i < n; i++) deviations[i] = Math.abs(values[i]! - mid);
  const mad = weightedQuantileOf(deviations, weights, sortedOrder(deviations), 0.5);
  const floor = divRoundHalfEven(mid * config.madFloorBps, 10_000);
  const limit = config.madMultiplier * Math.max(mad, floor);
  const keep = new Uint8Array(n);
  const kept: IndexSample[] = [];
  const outliers = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (deviations[i]! > limit) outliers.add(samples[i]!.providerId);
    else {
      keep[i] = 1;
      kept.push(samples[i]!);
    }
  }
  const keptProviders = new Set<string>();
  for (const s of kept) keptProviders.add(s.providerId);
  const result = { ...stale, providers: keptProviders.size, outlierProviders: [...outliers].sort() };
  if (keptProviders.size < config.minProviders) return result;
  let utilNumerator = 0;
  let gpus = 0;
  for (const s of kept) {
    utilNumerator += s.utilisationBps * s.gpus;
    gpus += s.gpus;
  }
  return {
    ...result,
    status: 'ok',
    priceMicros: mid,
    lowMicros: weightedQuantileOf(values, weights, order, 0.25, keep),
    highMicros: weightedQuantileOf(values, weights, order, 0.75, keep),
    utilisationBps: divRoundHalfEven(utilNumerator, gpus),
  };
}
