import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addMultiple, buildTable, type Jacobian } from './secp256k1-tables';

/** Differential test: table multiplication against @noble/curves on random scalars. */
const Point = secp256k1.Point;
const N = Point.Fn.ORDER;
const P = Point.Fp.ORDER;
const G_TABLE = buildTable(Point.BASE, 6);
const Q = Point.BASE.multiply(0x1234567890abcdefn);
const Q_TABLE = buildTable(Q, 4);

function toAffine(acc: Jacobian): { x: bigint; y: bigint } | undefined {
  if (acc.Z === 0n) return undefined;
  const zInv = Point.Fp.inv(acc.Z);
  const z2 = (zInv * zInv) % P;
  return { x: (acc.X * z2) % P, y: (((acc.Y * z2) % P) * zInv) % P };
}

const scalar = fc.bigInt({ min: 0n, max: N - 1n });

describe('fixed-base table multiplication', () => {
  it('u1*G + u2*Q equals noble for random scalars', () => {
    fc.assert(
      fc.property(scalar, scalar, (u1, u2) => {
        const acc: Jacobian = { X: 0n, Y: 1n, Z: 0n };
        addMultiple(acc, G_TABLE, u1);
        addMultiple(acc, Q_TABLE, u2);
        const expected = Point.BASE.multiplyUnsafe(u1).add(Q.multiplyUnsafe(u2));
        if (expected.is0()) expect(acc.Z).toBe(0n);
        else expect(toAffine(acc)).toEqual(expected.toAffine());
      }),
      { numRuns: 60 },
    );
  });

  it('handles the doubling, inverse and edge-scalar cases', () => {
    for (const k of [1n, 2n, 3n, 255n, 256n, N - 1n, N - 2n, (N - 1n) / 2n]) {
      const acc: Jacobian = { X: 0n, Y: 1n, Z: 0n };
      addMultiple(acc, G_TABLE, k);
      expect(toAffine(acc)).toEqual(Point.BASE.multiply(k).toAffine());
    }
    // k*G + (N-k)*G is infinity; k*G + k*G doubles
    const inf: Jacobian = { X: 0n, Y: 1n, Z: 0n };
    addMultiple(inf, G_TABLE, 5n);
    addMultiple(inf, G_TABLE, N - 5n);
    expect(inf.Z).toBe(0n);
    const dbl: Jacobian = { X: 0n, Y: 1n, Z: 0n };
    addMultiple(dbl, G_TABLE, 7n);
    addMultiple(dbl, G_TABLE, 7n);
    expect(toAffine(dbl)).toEqual(Point.BASE.multiply(14n).toAffine());
  });
});
