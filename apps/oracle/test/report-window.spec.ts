import fc from 'fast-check';
import { DEFAULT_INDEX_CONFIG, SeededRandom, computeIndex, type ProviderReport } from '@exchange/oracle';
import { ReportWindow } from '../src/index/report-window';

/** Pruning never changes the index: computeIndex on the window equals computeIndex on every report. */
const T0 = 1_790_000_000_000;
const CLASSES = ['H100', 'A100', 'L40S', 'RTX4090'] as const;
const SUITE = 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu';

const reportArb = fc.record({
  provider: fc.integer({ min: 0, max: 5 }),
  cluster: fc.integer({ min: 0, max: 1 }),
  cls: fc.constantFrom(...CLASSES),
  suite: fc.constantFrom(SUITE, SUITE, SUITE, 'other-suite'),
  price: fc.integer({ min: 100_000, max: 5_000_000 }),
  gpus: fc.integer({ min: 1, max: 512 }),
  util: fc.integer({ min: 0, max: 10_000 }),
  score: fc.integer({ min: 100_000, max: 4_000_000 }),
  obsLagMs: fc.integer({ min: -2_000, max: 8 * 60_000 }),
  benchLagMs: fc.integer({ min: -2_000, max: 9 * 86_400_000 }),
  advanceMs: fc.integer({ min: 0, max: 2 * 60_000 }),
  prune: fc.boolean(),
});

it('prunes only reports that cannot change any later index', () => {
  fc.assert(
    fc.property(fc.array(reportArb, { minLength: 1, maxLength: 120 }), (steps) => {
      const window = new ReportWindow();
      const all: ProviderReport[] = [];
      const nonces = new Map<string, number>();
      let now = T0;
      for (const s of steps) {
        now += s.advanceMs;
        const providerId = `p${s.provider}`;
        const nonce = (nonces.get(providerId) ?? 0) + 1;
        nonces.set(providerId, nonce);
        const r: ProviderReport = {
          providerId,
          clusterId: `c${s.cluster}`,
          computeClass: s.cls,
          gpusTotal: s.gpus,
          gpusAvailable: 0,
          utilisationBps: s.util,
          priceMicros: s.price,
          priceKind: 'asked',
          benchmarkSuite: s.suite,
          benchmarkScoreMilli: s.score,
          benchmarkMeasuredAtMs: now - s.benchLagMs,
          observedAtMs: now - s.obsLagMs,
          nonce,
        };
        all.push(r);
        expect(window.add(r)).toBe(true);
        expect(window.add(r)).toBe(false); // a redelivery is not added twice
        if (s.prune) window.prune(now, DEFAULT_INDEX_CONFIG);
        for (const t of [now, now + 1_000, now + 10 * 60_000])
          expect(computeIndex(window.reports(), t)).toEqual(computeIndex(all, t));
      }
      expect(window.size).toBe(window.reports().length);
    }),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 20_260_504 },
  );
});

it('keeps the window small under a steady feed (benchmarks up to an hour old, as the simulator sends)', () => {
  const window = new ReportWindow();
  const rng = new SeededRandom(5);
  for (let step = 0; step < 2_000; step++) {
    const now = T0 + step * 5_000;
    for (let p = 0; p < 4; p++)
      window.add({
        providerId: `p${p}`,
        clusterId: 'c0',
        computeClass: 'H100',
        gpusTotal: 8,
        gpusAvailable: 0,
        utilisationBps: 5_000,
        priceMicros: 2_500_000,
        priceKind: 'asked',
        benchmarkSuite: SUITE,
        benchmarkScoreMilli: 3_000_000,
        benchmarkMeasuredAtMs: now - rng.int(0, 3_600_000),
        observedAtMs: now - 500,
        nonce: step + 1,
      });
    window.prune(now, DEFAULT_INDEX_CONFIG);
  }
  expect(window.size).toBeLessThan(4 * 60);
});
