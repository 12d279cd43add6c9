import fc from 'fast-check';
import type { ComputeClassId } from '@exchange/domain';
import {
  DEFAULT_INDEX_CONFIG,
  computeIndex,
  divRoundHalfEven,
  weightedQuantile,
  type ProviderReport,
} from '@exchange/oracle';

const NOW_MS = 1_780_000_000_000;
const SUITE = 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu';
const SCORE: Record<ComputeClassId, number> = {
  H100: 3_000_000,
  A100: 1_200_000,
  L40S: 600_000,
  RTX4090: 330_000,
};

function rep(
  providerId: string,
  priceMicros: number,
  gpusTotal: number,
  extra: Partial<ProviderReport> = {},
): ProviderReport {
  const computeClass = extra.computeClass ?? 'H100';
  return {
    providerId,
    clusterId: `${providerId}-c`,
    computeClass,
    gpusTotal,
    gpusAvailable: 0,
    utilisationBps: 8_000,
    priceMicros,
    priceKind: 'realised',
    benchmarkSuite: SUITE,
    benchmarkScoreMilli: SCORE[computeClass],
    benchmarkMeasuredAtMs: NOW_MS - 60_000,
    observedAtMs: NOW_MS - 1_000,
    nonce: 1,
    ...extra,
  };
}

describe('robust statistics', () => {
  it('weighted quantiles and half-even division', () => {
    const s = [
      { value: 1, weight: 1 },
      { value: 2, weight: 1 },
      { value: 10, weight: 3 },
    ];
    expect(weightedQuantile(s, 0.5)).toBe(10);
    expect(weightedQuantile(s, 0.25)).toBe(2);
    expect(divRoundHalfEven(5, 2)).toBe(2);
    expect(divRoundHalfEven(7, 2)).toBe(4);
    expect(divRoundHalfEven(2_500_000 * 1_000_000, 400_000)).toBe(6_250_000);
  });
});

describe('computeIndex', () => {
  it('computes class indices, factors, CU prices, band, utilisation and flags outliers', () => {
    const reports = [
      rep('a', 2_400_000, 100),
      rep('b', 2_500_000, 100, { utilisationBps: 6_000 }),
      rep('c', 2_600_000, 100),
      rep('x', 9_000_000, 10), // outlier
      rep('d', 1_000_000, 100, { computeClass: 'A100' }),
      rep('e', 1_000_000, 100, { computeClass: 'A100', benchmarkScoreMilli: 1_500_000 }),
      rep('f', 1_000_000, 100, { computeClass: 'A100', benchmarkScoreMilli: 900_000 }),
    ];
    const snap = computeIndex(reports, NOW_MS);
    expect(snap.factorPpm.H100).toBe(1_000_000);
    expect(snap.factorPpm.A100).toBe(400_000); // median(1.2M, 1.5M, 0.9M) / 3M
    expect(snap.factorPpm.L40S).toBe(200_000); // catalogue fallback
    const h100 = snap.classes.H100;
    expect(h100).toMatchObject({
      status: 'ok',
      priceMicros: 2_500_000,
      providers: 3,
      outlierProviders: ['x'],
    });
    expect(h100.lowMicros).toBe(2_400_000);
    expect(h100.highMicros).toBe(2_600_000);
    expect(h100.utilisationBps).toBe(7_333);
    expect(snap.classes.A100.priceMicros).toBe(1_000_000);
    expect(snap.classes.L40S.status).toBe('stale');
    // A100 at 1.00 per GPU-hour is 2.50 per CU; CU weights are GPU x factor
    expect(snap.composite.status).toBe('ok');
    expect(snap.composite.priceMicros).toBe(2_500_000);
  });

  it('uses only the latest fresh report per provider/cluster; staleness and quorum loss mark it stale', () => {
    const reports = [
      rep('a', 1_000_000, 10, { observedAtMs: NOW_MS - 2_000 }),
      rep('a', 2_400_000, 10),
      rep('b', 2_500_000, 10),
      rep('c', 2_600_000, 10),
    ];
    expect(computeIndex(reports, NOW_MS).classes.H100.priceMicros).toBe(2_500_000);
    // time passes beyond the freshness window: stale, no value carried over
    const later = computeIndex(reports, NOW_MS + DEFAULT_INDEX_CONFIG.freshnessMs + 1);
    expect(later.classes.H100).toMatchObject({ status: 'stale', priceMicros: null, providers: 0 });
    // one provider left: quorum lost
    const lost = computeIndex([...reports.slice(0, 2)], NOW_MS);
    expect(lost.classes.H100).toMatchObject({ status: 'stale', priceMicros: null, providers: 1 });
    // recovery: fresh reports from three providers clear the stale status
    const recovered = computeIndex(
      [
        ...reports,
        rep('b', 2_500_000, 10, { observedAtMs: NOW_MS + 60_000 }),
        rep('c', 2_550_000, 10, { observedAtMs: NOW_MS + 60_000 }),
        rep('a', 2_450_000, 10, { observedAtMs: NOW_MS + 60_000 }),
      ],
      NOW_MS + 60_000 + DEFAULT_INDEX_CONFIG.freshnessMs,
    );
    expect(recovered.classes.H100).toMatchObject({ status: 'ok', priceMicros: 2_500_000, providers: 3 });
  });

  it('counts one benchmark vote per provider cluster: repeating reports cannot move the factor', () => {
    const honest = [
      rep('a', 1_000_000, 100, { computeClass: 'A100', benchmarkScoreMilli: 1_200_000 }),
      rep('b', 1_000_000, 100, { computeClass: 'A100', benchmarkScoreMilli: 1_210_000 }),
      rep('c', 1_000_000, 100, { computeClass: 'A100', benchmarkScoreMilli: 1_190_000 }),
    ];
    const spam = Array.from({ length: 50 }, (_, i) =>
      rep('x', 1_000_000, 10, { computeClass: 'A100', benchmarkScoreMilli: 9_000_000, nonce: i + 2 }),
    );
    expect(computeIndex([...honest, ...spam], NOW_MS).factorPpm.A100).toBe(400_000);
    // a benchmark of another suite is ignored
    const odd = [
      rep('y', 1, 1_000, { computeClass: 'A100', benchmarkSuite: 'other', benchmarkScoreMilli: 1 }),
    ];
    expect(computeIndex([...honest, ...odd], NOW_MS).factorPpm.A100).toBe(400_000);
  });

  it('is deterministic', () => {
    const reports = [rep('a', 2_400_000, 7), rep('b', 2_450_000, 9), rep('c', 2_700_000, 3)];
    expect(computeIndex(reports, NOW_MS)).toEqual(computeIndex([...reports], NOW_MS));
  });
});

// Honest providers quote within +-1% of a common level, so none is ever flagged as an outlier (the
// outlier limit is at least 5 x 50 bps of the median) and the quorum always holds.
const honestArb = fc
  .tuple(
    fc.integer({ min: 1_000_000, max: 4_000_000 }),
    fc.array(
      fc.record({ bps: fc.integer({ min: -100, max: 100 }), gpus: fc.integer({ min: 1, max: 1_000 }) }),
      {
        minLength: 3,
        maxLength: 12,
      },
    ),
  )
  .map(([level, quotes]) =>
    quotes.map((q) => ({ priceMicros: level + Math.trunc((level * q.bps) / 10_000), gpus: q.gpus })),
  );

describe('manipulation resistance (properties)', () => {
  it('a coalition with under half the capacity cannot move the index outside the honest range', () => {
    fc.assert(
      fc.property(
        honestArb,
        fc.array(
          fc.record({
            priceMicros: fc.integer({ min: 1, max: 1_000_000_000 }),
            share: fc.integer({ min: 1, max: 1_000 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (honest, attackers) => {
          const honestWeight = honest.reduce((s, h) => s + h.gpus, 0);
          const shares = attackers.reduce((s, a) => s + a.share, 0);
          const reports = honest.map((h, i) => rep(`h${i}`, h.priceMicros, h.gpus));
          // coalition weight strictly below the honest weight (so under half of the total)
          let budget = honestWeight - 1;
          attackers.forEach((a, i) => {
            const gpus = Math.floor(((honestWeight - 1) * a.share) / shares);
            if (gpus > 0 && budget - gpus >= 0) {
              budget -= gpus;
              reports.push(rep(`x${i}`, a.priceMicros, gpus));
            }
          });
          const value = computeIndex(reports, NOW_MS).classes.H100;
          const prices = honest.map((h) => h.priceMicros);
          expect(value.status).toBe('ok');
          expect(value.priceMicros!).toBeGreaterThanOrEqual(Math.min(...prices));
          expect(value.priceMicros!).toBeLessThanOrEqual(Math.max(...prices));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a single provider with weight share w < 1/2 moves the index at most to the others quantiles 1/2 -+ w', () => {
    fc.assert(
      fc.property(
        honestArb,
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 49 }),
        (honest, price, pct) => {
          const others = honest.map((h, i) => rep(`h${i}`, h.priceMicros, h.gpus));
          const otherWeight = honest.reduce((s, h) => s + h.gpus, 0);
          // attacker weight a = pct% of the total: a = otherWeight * pct / (100 - pct)
          const gpus = Math.max(1, Math.floor((otherWeight * pct) / (100 - pct)));
          const w = gpus / (otherWeight + gpus);
          const before = computeIndex(others, NOW_MS).classes.H100.priceMicros!;
          const after = computeIndex([...others, rep('attacker', price, gpus)], NOW_MS).classes.H100
            .priceMicros!;
          const sorted = others
            .map((r) => ({ value: r.priceMicros, weight: r.gpusTotal }))
            .sort((a, b) => a.value - b.value);
          // bound: between the others' weighted quantiles at (1/2 - w)/(1 - w) and 1/2/(1 - w)
          const lo = weightedQuantile(sorted, Math.max(0, (0.5 - w) / (1 - w)) - 1e-12);
          const hi = weightedQuantile(sorted, Math.min(1, 0.5 / (1 - w)) + 1e-12);
          expect(after).toBeGreaterThanOrEqual(Math.min(lo, before));
          expect(after).toBeLessThanOrEqual(Math.max(hi, before));
        },
      ),
      { numRuns: 150 },
    );
  });
});
