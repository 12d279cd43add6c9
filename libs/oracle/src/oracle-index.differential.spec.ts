import fc from 'fast-check';
import { COMPUTE_CLASSES, REFERENCE_COMPUTE_CLASS, type ComputeClassId } from '@exchange/domain';
import {
  DEFAULT_INDEX_CONFIG,
  aggregate,
  computeIndex,
  divRoundHalfEven,
  latestFresh,
  performanceFactors,
  weightedQuantile,
  type IndexConfig,
  type IndexId,
  type IndexSample,
  type IndexSnapshot,
  type IndexValue,
  type ProviderReport,
  type Weighted,
} from '@exchange/oracle';

/**
 * Differential test: computeIndex (column buffers, one sort per index, merged deviations, stamps)
 * against the obvious reference below (objects, maps, sets and a stable sort per quantile), which
 * is the index's definition written plainly. Results must be identical, key order included.
 */
const NOW_MS = 1_780_000_000_000;
const PPM = 1_000_000;

function byValue<T extends Weighted>(items: T[]): T[] {
  return [...items].sort((a, b) => a.value - b.value); // stable: ties keep sample order
}

function refLatest(
  reports: readonly ProviderReport[],
  accept: (r: ProviderReport) => boolean,
  timeOf: (r: ProviderReport) => number,
): ProviderReport[] {
  const byProvider = new Map<string, ProviderReport[]>();
  for (const r of reports) {
    if (!accept(r)) continue;
    const clusters = byProvider.get(r.providerId) ?? [];
    byProvider.set(r.providerId, clusters);
    const k = clusters.findIndex((c) => c.clusterId === r.clusterId);
    if (k < 0) clusters.push(r);
    else if (timeOf(r) >= timeOf(clusters[k]!)) clusters[k] = r;
  }
  return [...byProvider.values()].flat();
}

function refFactors(
  reports: readonly ProviderReport[],
  nowMs: number,
  windowMs: number,
): Record<ComputeClassId, number> {
  const latest = refLatest(
    reports,
    (r) =>
      !(nowMs - r.benchmarkMeasuredAtMs > windowMs || r.benchmarkMeasuredAtMs > nowMs) &&
      COMPUTE_CLASSES.some((c) => c.id === r.computeClass && c.benchmarkSuite === r.benchmarkSuite),
    (r) => r.benchmarkMeasuredAtMs,
  );
  const scoreOf = (id: ComputeClassId): number => {
    const votes = latest.filter((r) => r.computeClass === id);
    if (votes.length === 0) return COMPUTE_CLASSES.find((c) => c.id === id)!.referenceScore * 1000;
    return weightedQuantile(
      byValue(votes.map((r) => ({ value: r.benchmarkScoreMilli, weight: r.gpusTotal }))),
      0.5,
    );
  };
  const reference = scoreOf(REFERENCE_COMPUTE_CLASS);
  const out = {} as Record<ComputeClassId, number>;
  for (const c of COMPUTE_CLASSES) out[c.id] = Math.max(1, divRoundHalfEven(scoreOf(c.id) * PPM, reference));
  return out;
}

function refFresh(reports: readonly ProviderReport[], nowMs: number, freshnessMs: number): ProviderReport[] {
  return refLatest(
    reports,
    (r) => r.observedAtMs <= nowMs && nowMs - r.observedAtMs <= freshnessMs,
    (r) => r.observedAtMs,
  );
}

function refAggregate(
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
  if (samples.length === 0) return stale;
  const mid = weightedQuantile(byValue(samples), 0.5);
  const deviation = (s: IndexSample): number => Math.abs(s.value - mid);
  const mad = weightedQuantile(byValue(samples.map((s) => ({ value: deviation(s), weight: s.weight }))), 0.5);
  const limit = config.madMultiplier * Math.max(mad, divRoundHalfEven(mid * config.madFloorBps, 10_000));
  const kept = samples.filter((s) => deviation(s) <= limit);
  const outliers = new Set(samples.filter((s) => deviation(s) > limit).map((s) => s.providerId));
  const providers = new Set(kept.map((s) => s.providerId)).size;
  const result = { ...stale, providers, outlierProviders: [...outliers].sort() };
  if (providers < config.minProviders) return result;
  const gpus = kept.reduce((sum, s) => sum + s.gpus, 0);
  const utilisation = kept.reduce((sum, s) => sum + s.utilisationBps * s.gpus, 0);
  return {
    ...result,
    status: 'ok',
    priceMicros: mid,
    lowMicros: weightedQuantile(byValue(kept), 0.25),
    highMicros: weightedQuantile(byValue(kept), 0.75),
    utilisationBps: divRoundHalfEven(utilisation, gpus),
  };
}

function refComputeIndex(
  reports: readonly ProviderReport[],
  nowMs: number,
  config: IndexConfig,
): IndexSnapshot {
  const factorPpm = refFactors(reports, nowMs, config.benchmarkWindowMs);
  const fresh = refFresh(reports, nowMs, config.freshnessMs);
  const sample = (r: ProviderReport, value: number, weight: number): IndexSample => ({
    providerId: r.providerId,
    utilisationBps: r.utilisationBps,
    gpus: r.gpusTotal,
    value,
    weight,
  });
  const classes = {} as Record<ComputeClassId, IndexValue>;
  for (const c of COMPUTE_CLASSES) {
    const samples = fresh
      .filter((r) => r.computeClass === c.id)
      .map((r) => sample(r, r.priceMicros, r.gpusTotal));
    classes[c.id] = refAggregate(c.id, samples, nowMs, config);
  }
  const composite = fresh.map((r) => {
    const factor = factorPpm[r.computeClass];
    return sample(r, divRoundHalfEven(r.priceMicros * PPM, factor), r.gpusTotal * factor);
  });
  return { asOfMs: nowMs, factorPpm, classes, composite: refAggregate('CU', composite, nowMs, config) };
}

const HOUR_MS = 3_600_000;
const reportArb = fc
  .record({
    provider: fc.integer({ min: 0, max: 12 }),
    cluster: fc.integer({ min: 0, max: 2 }),
    cls: fc.constantFrom(...COMPUTE_CLASSES),
    gpusTotal: fc.oneof(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 1_000_000 })),
    utilisationBps: fc.integer({ min: 0, max: 10_000 }),
    priceMicros: fc.oneof(
      fc.constantFrom(1_000_000, 1_000_001, 2_000_000), // ties
      fc.integer({ min: 950_000, max: 1_050_000 }),
      fc.integer({ min: 1, max: 1_000_000_000 }),
    ),
    otherSuite: fc.boolean(),
    benchmarkScoreMilli: fc.oneof(
      fc.integer({ min: 300_000, max: 3_300_000 }),
      fc.constantFrom(1, 1_000_000_000), // extreme factors: CU weights past 2^53
    ),
    benchmarkAgeMs: fc.oneof(fc.integer({ min: -1_000, max: 8 * 24 * HOUR_MS }), fc.constant(0)),
    observedAgeMs: fc.oneof(fc.integer({ min: -5_000, max: 400_000 }), fc.constantFrom(0, 1_000)),
  })
  .map((g): ProviderReport => ({
    providerId: `p${g.provider}`,
    clusterId: `c${g.cluster}`,
    computeClass: g.cls.id,
    gpusTotal: g.gpusTotal,
    gpusAvailable: 0,
    utilisationBps: g.utilisationBps,
    priceMicros: g.priceMicros,
    priceKind: 'asked',
    benchmarkSuite: g.otherSuite ? 'other-suite' : g.cls.benchmarkSuite,
    benchmarkScoreMilli: g.benchmarkScoreMilli,
    benchmarkMeasuredAtMs: NOW_MS - g.benchmarkAgeMs,
    observedAtMs: NOW_MS - g.observedAgeMs,
    nonce: 1,
  }));
const configArb = fc.oneof(
  fc.constant(DEFAULT_INDEX_CONFIG),
  fc.record({
    freshnessMs: fc.constantFrom(60_000, DEFAULT_INDEX_CONFIG.freshnessMs),
    benchmarkWindowMs: fc.constantFrom(HOUR_MS, DEFAULT_INDEX_CONFIG.benchmarkWindowMs),
    minProviders: fc.integer({ min: 1, max: 5 }),
    madMultiplier: fc.constantFrom(1, 2, 5),
    madFloorBps: fc.constantFrom(0, 10, 50),
  }),
);

describe('computeIndex against the reference', () => {
  it('gives identical snapshots, fresh sets and factors', () => {
    fc.assert(
      fc.property(fc.array(reportArb, { maxLength: 80 }), configArb, (reports, config) => {
        const expected = refComputeIndex(reports, NOW_MS, config);
        const actual = computeIndex(reports, NOW_MS, config);
        expect(actual).toEqual(expected);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
        const fresh = latestFresh(reports, NOW_MS, config.freshnessMs);
        const expectedFresh = refFresh(reports, NOW_MS, config.freshnessMs);
        expect(fresh.length).toBe(expectedFresh.length);
        fresh.forEach((r, i) => expect(r).toBe(expectedFresh[i]));
        expect(performanceFactors(reports, NOW_MS, config.benchmarkWindowMs)).toEqual(
          refFactors(reports, NOW_MS, config.benchmarkWindowMs),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('aggregate agrees on raw samples, including inexact weight sums (non-integer, past 2^53)', () => {
    const sampleArb = fc.record({
      providerId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      utilisationBps: fc.integer({ min: 0, max: 10_000 }),
      gpus: fc.integer({ min: 1, max: 100 }),
      value: fc.oneof(fc.constantFrom(5, 6, 7, 100), fc.integer({ min: 1, max: 1_000_000_000 })),
      weight: fc.oneof(
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom(0.5, 2.25, 2 ** 52 + 1, 2 ** 53, 3e15),
        fc.integer({ min: 1, max: 1_000_000 }).map((w) => w * 1e9),
      ),
    });
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 40 }), configArb, (samples, config) => {
        const actual = aggregate('CU', samples, NOW_MS, config);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(refAggregate('CU', samples, NOW_MS, config)));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps agreeing over many calls with changing providers (reused buffers and numbering)', () => {
    for (let round = 0; round < 4; round++) {
      const reports: ProviderReport[] = Array.from({ length: 3_000 }, (_, i) => ({
        providerId: `r${round}-${i % 1_400}`,
        clusterId: `c${i % 3}`,
        computeClass: COMPUTE_CLASSES[i % COMPUTE_CLASSES.length]!.id,
        gpusTotal: 1 + ((i * 37) % 500),
        gpusAvailable: 0,
        utilisationBps: (i * 13) % 10_000,
        priceMicros: 1_000_000 + ((i * 7_919 + round) % 90_000),
        priceKind: 'asked',
        benchmarkSuite: COMPUTE_CLASSES[i % COMPUTE_CLASSES.length]!.benchmarkSuite,
        benchmarkScoreMilli: 1_000_000 + ((i * 104_729) % 2_000_000),
        benchmarkMeasuredAtMs: NOW_MS - (i % 5) * 1_000,
        observedAtMs: NOW_MS - (i % 11) * 1_000,
        nonce: i,
      }));
      expect(computeIndex(reports, NOW_MS)).toEqual(refComputeIndex(reports, NOW_MS, DEFAULT_INDEX_CONFIG));
    }
  });
});
