import { calibrateSviSlice, sviCoordinates, sviInnerSolve, sviTotalVariance } from '@exchange/pricing';
import type { SviInner } from '@exchange/pricing';
import { nelderMead2 } from './nelder-mead';

/** Least squares w ~ a + d y + c z by Gaussian elimination with partial pivoting (independent check). */
function leastSquares(y: Float64Array, z: Float64Array, w: number[]): [number, number, number] {
  const rows = w.map((_, i) => [1, y[i]!, z[i]!]);
  const m = [0, 1, 2].map((r) => [0, 1, 2].map((c) => rows.reduce((s, row) => s + row[r]! * row[c]!, 0)));
  const v = [0, 1, 2].map((r) => rows.reduce((s, row, i) => s + row[r]! * w[i]!, 0));
  for (let col = 0; col < 3; col++) {
    let p = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[p]![col]!)) p = r;
    [m[col], m[p]] = [m[p]!, m[col]!];
    [v[col], v[p]] = [v[p]!, v[col]!];
    for (let r = col + 1; r < 3; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c < 3; c++) m[r]![c]! -= f * m[col]![c]!;
      v[r]! -= f * v[col]!;
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = v[r]!;
    for (let c = r + 1; c < 3; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return [x[0]!, x[1]!, x[2]!];
}

const sse = (y: Float64Array, z: Float64Array, w: number[], a: number, d: number, c: number) =>
  w.reduce((s, wi, i) => s + (a + d * y[i]! + c * z[i]! - wi) ** 2, 0);

describe('SVI inner problem (closed-form 3x3 least squares)', () => {
  const ks = Array.from({ length: 15 }, (_, i) => -0.7 + 0.1 * i);
  const truth = { a: 0.02, b: 0.2, rho: -0.3, m: 0.05, sigma: 0.25 };
  const ws = ks.map((k, i) => sviTotalVariance(truth, k) * (1 + 0.004 * Math.sin(3 * i)));
  const wMax = Math.max(...ws);
  const y = new Float64Array(ks.length);
  const z = new Float64Array(ks.length);

  it('equals an independent least-squares solve when the optimum is inside the domain', () => {
    let interior = 0;
    for (const m of [-0.1, 0, 0.05, 0.2])
      for (const sigma of [0.15, 0.25, 0.4]) {
        sviCoordinates(ks, ks.length, m, sigma, y, z);
        const inner: SviInner = sviInnerSolve(y, z, ws, ks.length, sigma, wMax, { a: 0, d: 0, c: 0, sse: 0 });
        const [a, d, c] = leastSquares(y, z, ws);
        const feasible = c >= 0 && c <= 4 * sigma && Math.abs(d) <= Math.min(c, 4 * sigma - c) && a >= 0;
        if (!feasible) continue;
        interior++;
        expect(Math.abs(inner.a - a)).toBeLessThan(1e-10);
        expect(Math.abs(inner.d - d)).toBeLessThan(1e-10);
        expect(Math.abs(inner.c - c)).toBeLessThan(1e-10);
        expect(inner.sse).toBeCloseTo(sse(y, z, ws, a, d, c), 15);
      }
    expect(interior).toBeGreaterThan(3);
  });

  it('always returns a point of the domain, no worse than any sampled domain point on the faces', () => {
    for (const m of [-0.6, 0.5])
      for (const sigma of [0.02, 0.1]) {
        sviCoordinates(ks, ks.length, m, sigma, y, z);
        const inner = sviInnerSolve(y, z, ws, ks.length, sigma, wMax, { a: 0, d: 0, c: 0, sse: 0 });
        const s4 = 4 * sigma;
        expect(inner.c).toBeGreaterThanOrEqual(0);
        expect(inner.c).toBeLessThanOrEqual(s4);
        expect(Math.abs(inner.d)).toBeLessThanOrEqual(Math.min(inner.c, s4 - inner.c) + 1e-15);
        expect(inner.a).toBeGreaterThanOrEqual(0);
        expect(inner.a).toBeLessThanOrEqual(wMax);
        expect(inner.sse).toBeCloseTo(sse(y, z, ws, inner.a, inner.d, inner.c), 14);
      }
  });

  it('calibrates the benchmark smile arbitrage-free with the expected fit', () => {
    const vols = ks.map((k, i) => Math.sqrt(sviTotalVariance(truth, k) / 0.5) * (1 + 0.002 * Math.sin(i)));
    const fit = calibrateSviSlice(ks, vols, 0.5);
    expect(fit.status).toBe('OK');
    expect(fit.butterflyMin).toBeGreaterThan(0);
    expect(fit.rmseTotalVariance).toBeLessThan(3e-4);
    expect(Math.abs(fit.params.m - truth.m)).toBeLessThan(0.01);
    expect(Math.abs(fit.params.sigma - truth.sigma)).toBeLessThan(0.02);
  });
});

describe('nelderMead2', () => {
  it('minimises a narrow quadratic valley to the tolerance', () => {
    let evaluations = 0;
    const f = (x: number, y: number) => {
      evaluations++;
      return (x - 1) ** 2 + 50 * (y - 0.5 * x) ** 2;
    };
    const best = nelderMead2(f, [-1, 2], [0.3, 0.3], 500, 1e-14);
    expect(best.x).toBeCloseTo(1, 5);
    expect(best.y).toBeCloseTo(0.5, 5);
    expect(best.value).toBe(f(best.x, best.y));
    expect(evaluations).toBeLessThan(1000);
  });

  it('stops after the iteration budget', () => {
    let evaluations = 0;
    nelderMead2(() => ++evaluations, [0, 0], [1, 1], 5, 0);
    expect(evaluations).toBeLessThanOrEqual(3 + 5 * 4); // reflect, contract, two shrink points per iteration
  });
});
