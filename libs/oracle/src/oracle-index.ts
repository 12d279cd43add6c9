import { COMPUTE_CLASSES, REFERENCE_COMPUTE_CLASS, type ComputeClassId } from '@exchange/domain';
import { LatestReports, classIndexOf } from './latest-reports';
import type { ProviderReport } from './report';
import {
  deviationQuantileOf,
  divRoundHalfEven,
  quantileOf,
  sortedOrderInto,
  type Weighted,
} from './robust-stats';

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
const TWO_POW_53 = 2 ** 53;
const CLASS_COUNT = COMPUTE_CLASSES.length;
const REFERENCE_CLASS = classIndexOf(REFERENCE_COMPUTE_CLASS);

/** One index's samples as columns: value, weight, provider number, utilisation, GPUs. */
interface ColumnViews {
  readonly values: Float64Array;
  readonly weights: Float64Array;
  readonly providers: Int32Array;
  readonly utilisation: Float64Array;
  readonly gpus: Float64Array;
}

/** Column buffers, so the aggregation allocates no per-sample objects; grown and reused. */
class Columns implements ColumnViews {
  values = new Float64Array(0);
  weights = new Float64Array(0);
  providers = new Int32Array(0);
  utilisation = new Float64Array(0);
  gpus = new Float64Array(0);

  reserve(n: number): void {
    if (n <= this.values.length) return;
    const size = Math.max(n, 2 * this.values.length, 64);
    this.values = new Float64Array(size);
    this.weights = new Float64Array(size);
    this.providers = new Int32Array(size);
    this.utilisation = new Float64Array(size);
    this.gpus = new Float64Array(size);
  }

  /** Columns [from, from + n) as views. */
  slice(from: number, n: number): ColumnViews {
    const to = from + n;
    return {
      values: this.values.subarray(from, to),
      weights: this.weights.subarray(from, to),
      providers: this.providers.subarray(from, to),
      utilisation: this.utilisation.subarray(from, to),
      gpus: this.gpus.subarray(from, to),
    };
  }
}

/** Aggregation scratch: sort orders, packed sort keys, keep flags, per-provider stamps. */
class Scratch {
  order = new Uint32Array(0);
  order2 = new Uint32Array(0);
  keys = new Float64Array(0);
  deviations = new Float64Array(0);
  keep = new Uint8Array(0);
  keptStamp = new Int32Array(0);
  outlierStamp = new Int32Array(0);
  private stamp = 0;

  reserve(samples: number, providers: number): void {
    if (samples > this.order.length) {
      const n = Math.max(samples, 2 * this.order.length, 64);
      this.order = new Uint32Array(n);
      this.order2 = new Uint32Array(n);
      this.keys = new Float64Array(n);
      this.deviations = new Float64Array(n);
      this.keep = new Uint8Array(n);
    }
    if (providers > this.keptStamp.length) {
      const n = Math.max(providers, 2 * this.keptStamp.length, 64);
      this.keptStamp = new Int32Array(n);
      this.outlierStamp = new Int32Array(n);
      this.stamp = 0;
    }
  }

  /** A fresh stamp: a provider is marked in this round when its stamp entry equals it. */
  nextStamp(): number {
    if (this.stamp >= 0x3fffffff) {
      this.keptStamp.fill(0);
      this.outlierStamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

// Working state, reused by every call on this thread (the functions below are synchronous).
const latest = new LatestReports();
const classColumns = new Columns();
const compositeColumns = new Columns();
const sampleColumns = new Columns();
const scratch = new Scratch();
const classStart = new Int32Array(CLASS_COUNT + 1);
const classFill = new Int32Array(CLASS_COUNT);
const factorOfClass = new Float64Array(CLASS_COUNT);

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
  latest.collect(reports, nowMs, -1, windowMs);
  try {
    return factorsOf(latest);
  } finally {
    latest.release();
  }
}

/** Factors from the collected benchmark reports, grouped by class in collection order. */
function factorsOf(latestReports: LatestReports): Record<ComputeClassId, number> {
  const { benchProviders, benchHead, benchNext, benchReport, benchClass } = latestReports;
  classStart.fill(0);
  let votes = 0;
  for (let a = 0; a < latestReports.benchProviderCount; a++)
    for (let s = benchHead[benchProviders[a]!]!; s >= 0; s = benchNext[s]!) {
      classStart[benchClass[s]! + 1]!++;
      votes++;
    }
  for (let k = 0; k < CLASS_COUNT; k++) classStart[k + 1]! += classStart[k]!;
  classFill.set(classStart.subarray(0, CLASS_COUNT));
  classColumns.reserve(votes);
  const { values, weights } = classColumns;
  for (let a = 0; a < latestReports.benchProviderCount; a++)
    for (let s = benchHead[benchProviders[a]!]!; s >= 0; s = benchNext[s]!) {
      const r = benchReport[s]!;
      const at = classFill[benchClass[s]!]!++;
      values[at] = r.benchmarkScoreMilli;
      weights[at] = r.gpusTotal;
    }
  scratch.reserve(votes, 0);
  const scoreOf = (k: number): number => {
    const from = classStart[k]!;
    const n = classStart[k + 1]! - from;
    if (n === 0) return COMPUTE_CLASSES[k]!.referenceScore * 1000;
    const v = values.subarray(from, from + n);
    sortedOrderInto(v, n, scratch.order, scratch.keys);
    return quantileOf(v, weights.subarray(from, from + n), scratch.order, n, 0.5);
  };
  const reference = scoreOf(REFERENCE_CLASS);
  const out = {} as Record<ComputeClassId, number>;
  for (let k = 0; k < CLASS_COUNT; k++)
    out[COMPUTE_CLASSES[k]!.id] = Math.max(1, divRoundHalfEven(scoreOf(k) * PPM, reference));
  return out;
}

/** Latest report per provider/cluster, observed within the freshness window (not in the future). */
export function latestFresh(
  reports: readonly ProviderReport[],
  nowMs: number,
  freshnessMs: number,
): ProviderReport[] {
  latest.collect(reports, nowMs, freshnessMs, -1);
  const out: ProviderReport[] = [];
  for (let a = 0; a < latest.freshProviderCount; a++)
    for (let s = latest.freshHead[latest.freshProviders[a]!]!; s >= 0; s = latest.freshNext[s]!)
      out.push(latest.freshReport[s]!);
  latest.release();
  return out;
}

export function computeIndex(
  reports: readonly ProviderReport[],
  nowMs: number,
  config: IndexConfig = DEFAULT_INDEX_CONFIG,
): IndexSnapshot {
  latest.collect(reports, nowMs, config.freshnessMs, config.benchmarkWindowMs);
  try {
    const factorPpm = factorsOf(latest);
    for (let k = 0; k < CLASS_COUNT; k++) factorOfClass[k] = factorPpm[COMPUTE_CLASSES[k]!.id];
    const samples = fillColumns(latest);
    const classes = {} as Record<ComputeClassId, IndexValue>;
    for (let k = 0; k < CLASS_COUNT; k++) {
      const from = classStart[k]!;
      const n = classStart[k + 1]! - from;
      const id = COMPUTE_CLASSES[k]!.id;
      classes[id] = aggregateColumns(id, classColumns.slice(from, n), n, latest, nowMs, config);
    }
    const composite = aggregateColumns('CU', compositeColumns, samples, latest, nowMs, config);
    return { asOfMs: nowMs, factorPpm, classes, composite };
  } finally {
    latest.release();
  }
}

/**
 * Fresh samples into the class columns (grouped by class, in collection order) and the composite
 * columns (CU prices, rounded half to even, and CU capacity weights); returns the sample count.
 */
function fillColumns(latestReports: LatestReports): number {
  const { freshProviders, freshHead, freshNext, freshReport, freshClass } = latestReports;
  classStart.fill(0);
  let samples = 0;
  for (let a = 0; a < latestReports.freshProviderCount; a++)
    for (let s = freshHead[freshProviders[a]!]!; s >= 0; s = freshNext[s]!) {
      const k = freshClass[s]!;
      if (k < 0) throw new RangeError(`unknown compute class ${freshReport[s]!.computeClass}`);
      classStart[k + 1]!++;
      samples++;
    }
  for (let k = 0; k < CLASS_COUNT; k++) classStart[k + 1]! += classStart[k]!;
  classFill.set(classStart.subarray(0, CLASS_COUNT));
  classColumns.reserve(samples);
  compositeColumns.reserve(samples);
  const c = classColumns;
  const u = compositeColumns;
  let j = 0;
  for (let a = 0; a < latestReports.freshProviderCount; a++) {
    const p = freshProviders[a]!;
    for (let s = freshHead[p]!; s >= 0; s = freshNext[s]!) {
      const r = freshReport[s]!;
      const k = freshClass[s]!;
      const factor = factorOfClass[k]!;
      const gpus = r.gpusTotal;
      const at = classFill[k]!++;
      c.values[at] = r.priceMicros;
      c.weights[at] = gpus;
      c.providers[at] = p;
      c.utilisation[at] = r.utilisationBps;
      c.gpus[at] = gpus;
      u.values[j] = divRoundHalfEven(r.priceMicros * PPM, factor);
      u.weights[j] = gpus * factor;
      u.providers[j] = p;
      u.utilisation[j] = r.utilisationBps;
      u.gpus[j] = gpus;
      j++;
    }
  }
  return samples;
}

/** Robust aggregation of one index's samples (see the module comment). */
export function aggregate(
  indexId: IndexId,
  samples: IndexSample[],
  nowMs: number,
  config: IndexConfig,
): IndexValue {
  const n = samples.length;
  const providers = new Map<string, number>();
  const providerIds: string[] = [];
  sampleColumns.reserve(n);
  const c = sampleColumns;
  for (let i = 0; i < n; i++) {
    const sample = samples[i]!;
    let p = providers.get(sample.providerId);
    if (p === undefined) {
      p = providerIds.length;
      providers.set(sample.providerId, p);
      providerIds.push(sample.providerId);
    }
    c.values[i] = sample.value;
    c.weights[i] = sample.weight;
    c.providers[i] = p;
    c.utilisation[i] = sample.utilisationBps;
    c.gpus[i] = sample.gpus;
  }
  return aggregateColumns(indexId, c, n, { providerIds, providerCount: providerIds.length }, nowMs, config);
}

function staleValue(
  indexId: IndexId,
  providers: number,
  outlierProviders: string[],
  nowMs: number,
): IndexValue {
  return {
    indexId,
    status: 'stale',
    priceMicros: null,
    lowMicros: null,
    highMicros: null,
    utilisationBps: null,
    providers,
    outlierProviders,
    asOfMs: nowMs,
  };
}

/**
 * The aggregation over columns [0, n): one sort of the values serves the median, the MAD (the
 * deviations are merged from the sorted values rather than sorted again, when weight sums are
 * exact) and the band; distinct providers are counted with stamps instead of sets.
 */
function aggregateColumns(
  indexId: IndexId,
  c: ColumnViews,
  n: number,
  names: { readonly providerIds: readonly string[]; readonly providerCount: number },
  nowMs: number,
  config: IndexConfig,
): IndexValue {
  if (n === 0) return staleValue(indexId, 0, [], nowMs);
  const { values, weights } = c;
  scratch.reserve(n, names.providerCount);
  const order = scratch.order;
  sortedOrderInto(values, n, order, scratch.keys);
  const mid = quantileOf(values, weights, order, n, 0.5);
  let total = 0;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    total += w;
    if (!(Number.isInteger(w) && w >= 0)) integral = false;
  }
  const mad =
    integral && total <= TWO_POW_53
      ? deviationQuantileOf(values, weights, order, n, mid, 0.5, total)
      : sortedDeviationQuantile(values, weights, n, mid);
  const floor = divRoundHalfEven(mid * config.madFloorBps, 10_000);
  const limit = config.madMultiplier * Math.max(mad, floor);
  const keep = scratch.keep;
  const stamp = scratch.nextStamp();
  const outliers: string[] = [];
  let keptProviders = 0;
  let utilNumerator = 0;
  let gpus = 0;
  for (let i = 0; i < n; i++) {
    const p = c.providers[i]!;
    if (Math.abs(values[i]! - mid) > limit) {
      keep[i] = 0;
      if (scratch.outlierStamp[p] !== stamp) {
        scratch.outlierStamp[p] = stamp;
        outliers.push(names.providerIds[p]!);
      }
      continue;
    }
    keep[i] = 1;
    if (scratch.keptStamp[p] !== stamp) {
      scratch.keptStamp[p] = stamp;
      keptProviders++;
    }
    utilNumerator += c.utilisation[i]! * c.gpus[i]!;
    gpus += c.gpus[i]!;
  }
  const stale = staleValue(indexId, keptProviders, outliers.sort(), nowMs);
  if (keptProviders < config.minProviders) return stale;
  return {
    ...stale,
    status: 'ok',
    priceMicros: mid,
    lowMicros: quantileOf(values, weights, order, n, 0.25, keep),
    highMicros: quantileOf(values, weights, order, n, 0.75, keep),
    utilisationBps: divRoundHalfEven(utilNumerator, gpus),
  };
}

/** The weighted median of |value - mid| by sorting the deviations (ties by index). */
function sortedDeviationQuantile(
  values: Float64Array,
  weights: Float64Array,
  n: number,
  mid: number,
): number {
  const deviations = scratch.deviations;
  for (let i = 0; i < n; i++) deviations[i] = Math.abs(values[i]! - mid);
  sortedOrderInto(deviations, n, scratch.order2, scratch.keys);
  return quantileOf(deviations, weights, scratch.order2, n, 0.5);
}
