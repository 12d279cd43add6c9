import fc from 'fast-check';
import { allocateDelivery, allocateRedemption, type ProviderCapacity } from './allocation';
import type { DeliveryParty } from './expiry';
import { apportion, proRataTransport } from './pro-rata';

const party = (accountId: number, lots: number, fifoSeq = accountId): DeliveryParty => ({
  accountId,
  lots,
  fifoSeq,
});

/** Random balanced longs and shorts over distinct accounts. */
const sidesArb = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 8 }),
    fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 20, maxLength: 20 }),
  )
  .map(([longLots, shortCount, seqs]) => {
    const oi = longLots.reduce((a, b) => a + b, 0);
    const k = Math.min(shortCount, oi);
    // split oi into k positive parts deterministically from the seqs
    const shortLots = Array.from({ length: k }, () => 1);
    for (let u = k, i = 0; u < oi; u++, i++) shortLots[(i * 7 + seqs[i % 20]!) % k]!++;
    const longs = longLots.map((lots, i) => party(100 + i, lots, seqs[i % 20]!));
    const shorts = shortLots.map((lots, j) => party(200 + j, lots, seqs[(j + 3) % 20]!));
    return { longs, shorts, oi };
  });

describe('pro-rata rounding', () => {
  it('apportion: floors, then the largest remainders, ties to the lower index', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [5, 3, 2])).toEqual([4, 2, 1]); // 3.5, 2.1, 1.4
    expect(apportion(0, [5, 3])).toEqual([0, 0]);
    expect(apportion(5, [0, 2])).toEqual([0, 5]);
  });

  it('apportion: sums to the total, each share within one unit of its quota', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const shares = apportion(total, weights);
        const w = BigInt(weights.reduce((a, b) => a + b, 0));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        shares.forEach((s, j) => {
          const diff = BigInt(s) * w - BigInt(total) * BigInt(weights[j]!);
          expect(diff > -w && diff < w).toBe(true);
        });
      }), // prettier-ignore
    );
  });

  it('transport: a cell takes at most one unit beyond its floor, even on huge numbers (bigint path)', () => {
    const big = 2 ** 40;
    const cells = proRataTransport([big, 1], [1, big]);
    expect(cells.reduce((a, c) => a + c.units, 0)).toBe(big + 1);
    for (const c of cells) expect(c.units).toBeGreaterThan(0);
  });
});

/** The rounding rule as written, done the slow way: every row sorts the columns afresh. */
function referenceTransport(rows: number[], cols: number[]): { row: number; col: number; units: number }[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const floor = (i: number, j: number) => Number((BigInt(rows[i]!) * BigInt(cols[j]!)) / BigInt(total));
  const colLeft = cols.map((c, j) => c - rows.reduce((a, _, i) => a + floor(i, j), 0));
  const out: { row: number; col: number; units: number }[] = [];
  rows.forEach((r, i) => {
    const left = r - cols.reduce((a, _, j) => a + floor(i, j), 0);
    const ranked = cols.map((_, j) => j).sort((x, y) => colLeft[y]! - colLeft[x]! || x - y);
    const extra = new Set(ranked.slice(0, left));
    for (const j of extra) colLeft[j]!--;
    cols.forEach((_, j) => {
      const units = floor(i, j) + (extra.has(j) ? 1 : 0);
      if (units > 0) out.push({ row: i, col: j, units });
    });
  });
  return out;
}

describe('pro-rata transport against the rule done the slow way', () => {
  it('gives the same cells, with remainders of a few columns or of dozens', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (rows, colCount, seed) => {
          // columns of 1-3 units (many small providers: rows' remainders span many columns), their
          // sum adjusted to the rows' total
          const total = rows.reduce((a, b) => a + b, 0);
          const cols = Array.from(
            { length: Math.min(colCount, total) },
            (_, j) => 1 + ((seed >>> (j % 31)) % 3),
          );
          let diff = total - cols.reduce((a, b) => a + b, 0);
          for (let j = 0; diff !== 0; j = (j + 1) % cols.length) {
            const step = diff > 0 ? 1 : cols[j]! > 1 ? -1 : 0;
            cols[j]! += step;
            diff -= step;
          }
          expect(proRataTransport(rows, cols)).toEqual(referenceTransport(rows, cols));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('physical delivery allocation', () => {
  it('pro rata by position: 6 and 4 long against 5 and 5 short', () => {
    const r = allocateDelivery([party(1, 6), party(2, 4)], [party(3, 5), party(4, 5)]);
    expect(r).toEqual({
      status: 'ALLOCATED',
      openInterestLots: 10,
      matches: [
        { lesseeAccountId: 1, providerAccountId: 3, lots: 3 },
        { lesseeAccountId: 1, providerAccountId: 4, lots: 3 },
        { lesseeAccountId: 2, providerAccountId: 3, lots: 2 },
        { lesseeAccountId: 2, providerAccountId: 4, lots: 2 },
      ],
    });
  });

  it('remainders go FIFO: older longs first, to the shorts with the most left, ties to the older short', () => {
    // quotas are 2/3 and 1/3 for each long: all floors are 0
    const r = allocateDelivery(
      [party(11, 1, 30), party(12, 1, 10), party(13, 1, 20)],
      [party(21, 2, 5), party(22, 1, 1)],
    );
    if (r.status !== 'ALLOCATED') throw new Error(r.code);
    expect(r.matches).toEqual([
      { lesseeAccountId: 12, providerAccountId: 21, lots: 1 }, // oldest long, short with 2 left
      { lesseeAccountId: 13, providerAccountId: 22, lots: 1 }, // both have 1 left: the older short (seq 1)
      { lesseeAccountId: 11, providerAccountId: 21, lots: 1 },
    ]);
    // equal fifoSeq: the lower account id is older
    const tie = allocateDelivery([party(5, 1, 0), party(4, 1, 0)], [party(9, 1, 0), party(8, 1, 0)]);
    if (tie.status !== 'ALLOCATED') throw new Error(tie.code);
    expect(tie.matches[0]).toEqual({ lesseeAccountId: 4, providerAccountId: 8, lots: 1 });
  });

  it('refuses what cannot be delivered, with a code', () => {
    expect(allocateDelivery([party(1, 5)], [party(2, 4)])).toEqual({ status: 'REJECTED', code: 'OPEN_INTEREST_MISMATCH' }); // prettier-ignore
    expect(allocateDelivery([party(1, 5)], [party(1, 5)])).toEqual({ status: 'REJECTED', code: 'DUPLICATE_ACCOUNT' }); // prettier-ignore
    expect(allocateDelivery([party(1, 0)], [party(2, 0)])).toEqual({ status: 'REJECTED', code: 'INVALID_QUANTITY' }); // prettier-ignore
    expect(allocateDelivery([party(-3, 1)], [party(2, 1)])).toEqual({ status: 'REJECTED', code: 'INVALID_POSITION' }); // prettier-ignore
    expect(allocateDelivery([], [])).toEqual({ status: 'ALLOCATED', openInterestLots: 0, matches: [] });
  });

  it('conserves lots: every long receives and every short delivers exactly its lots, each pair the floor of its pro-rata quota or one more', () => {
    fc.assert(
      fc.property(sidesArb, ({ longs, shorts, oi }) => {
        const r = allocateDelivery(longs, shorts);
        if (r.status !== 'ALLOCATED') throw new Error(r.code);
        expect(r.openInterestLots).toBe(oi);
        expect(r.matches.reduce((a, m) => a + m.lots, 0)).toBe(oi);
        for (const l of longs) expect(r.matches.filter((m) => m.lesseeAccountId === l.accountId).reduce((a, m) => a + m.lots, 0)).toBe(l.lots); // prettier-ignore
        for (const s of shorts) expect(r.matches.filter((m) => m.providerAccountId === s.accountId).reduce((a, m) => a + m.lots, 0)).toBe(s.lots); // prettier-ignore
        for (const l of longs)
          for (const s of shorts) {
            const x = r.matches.find((m) => m.lesseeAccountId === l.accountId && m.providerAccountId === s.accountId)?.lots ?? 0; // prettier-ignore
            // the floor of the quota or one more: floor(quota) <= x <= floor(quota) + 1
            const floor = Math.floor((l.lots * s.lots) / oi);
            expect(x === floor || x === floor + 1).toBe(true);
          }
        for (const m of r.matches) expect(m.lots).toBeGreaterThan(0);
      }),
    );
  });

  it('is deterministic: the order the positions come in does not matter', () => {
    fc.assert(
      fc.property(sidesArb, fc.integer(), ({ longs, shorts }, seed) => {
        const shuffle = <T>(xs: T[]) => xs.map((x, i) => [((i + 1) * (seed | 1)) % 997, x] as const).sort((a, b) => a[0] - b[0]).map((p) => p[1]); // prettier-ignore
        expect(allocateDelivery(shuffle(longs), shuffle(shorts))).toEqual(allocateDelivery(longs, shorts));
      }),
    );
  });

  it('allocates 10,000 longs against 200 providers', () => {
    const longs = Array.from({ length: 10_000 }, (_, i) => party(1_000 + i, 1 + (i % 7), i));
    const oi = longs.reduce((a, l) => a + l.lots, 0);
    const shorts = Array.from({ length: 200 }, (_, j) => party(100_000 + j, Math.floor(oi / 200) + (j < oi % 200 ? 1 : 0), j)); // prettier-ignore
    const r = allocateDelivery(longs, shorts);
    if (r.status !== 'ALLOCATED') throw new Error(r.code);
    expect(r.matches.reduce((a, m) => a + m.lots, 0)).toBe(oi);
  });
});

describe('token redemption allocation', () => {
  const provider = (accountId: number, capacityGpus: number, fifoSeq = accountId): ProviderCapacity => ({ accountId, capacityGpus, fifoSeq }); // prettier-ignore

  it('shares a request among providers by committed capacity, remainders FIFO', () => {
    const r = allocateRedemption(
      [{ requestId: 'r1', lesseeAccountId: 1, gpuCount: 5, fifoSeq: 1 }],
      [provider(10, 6), provider(11, 3), provider(12, 3)],
    );
    // quotas 2.5, 1.25, 1.25: floors 2, 1, 1; the one left to the largest remainder (provider 10)
    expect(r).toEqual({
      status: 'ALLOCATED',
      matches: [
        { requestId: 'r1', lesseeAccountId: 1, providerAccountId: 10, gpuCount: 3 },
        { requestId: 'r1', lesseeAccountId: 1, providerAccountId: 11, gpuCount: 1 },
        { requestId: 'r1', lesseeAccountId: 1, providerAccountId: 12, gpuCount: 1 },
      ],
      remaining: [provider(10, 3), provider(11, 2), provider(12, 2)],
    });
  });

  it('refuses a request that committed capacity cannot cover, or a provider leasing to itself', () => {
    const req = [{ requestId: 'r1', lesseeAccountId: 1, gpuCount: 5, fifoSeq: 1 }];
    expect(allocateRedemption(req, [provider(10, 4)])).toEqual({
      status: 'REJECTED',
      code: 'INSUFFICIENT_CAPACITY',
    });
    expect(allocateRedemption(req, [provider(1, 9)])).toEqual({
      status: 'REJECTED',
      code: 'DUPLICATE_ACCOUNT',
    });
    expect(allocateRedemption([{ ...req[0]!, gpuCount: 0 }], [provider(10, 9)])).toEqual({ status: 'REJECTED', code: 'INVALID_QUANTITY' }); // prettier-ignore
  });

  it('conserves GPUs: each request gets exactly its GPUs, no provider above its capacity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
        (gpus, caps) => {
          const requests = gpus.map((g, i) => ({ requestId: `r${i}`, lesseeAccountId: 1 + i, gpuCount: g, fifoSeq: i }));
          const providers = caps.map((c, j) => provider(100 + j, c, j));
          const r = allocateRedemption(requests, providers);
          const demand = gpus.reduce((a, b) => a + b, 0);
          const capacity = caps.reduce((a, b) => a + b, 0);
          if (demand > capacity) return expect(r).toEqual({ status: 'REJECTED', code: 'INSUFFICIENT_CAPACITY' });
          if (r.status !== 'ALLOCATED') throw new Error(r.code);
          for (const q of requests) expect(r.matches.filter((m) => m.requestId === q.requestId).reduce((a, m) => a + m.gpuCount, 0)).toBe(q.gpuCount); // prettier-ignore
          for (const p of providers) {
            const used = r.matches.filter((m) => m.providerAccountId === p.accountId).reduce((a, m) => a + m.gpuCount, 0);
            expect(used).toBeLessThanOrEqual(p.capacityGpus);
            expect(r.remaining.find((x) => x.accountId === p.accountId)!.capacityGpus).toBe(p.capacityGpus - used);
            const diff = BigInt(used) * BigInt(capacity) - BigInt(demand) * BigInt(p.capacityGpus); // within one GPU of its share
            expect(diff > -BigInt(capacity) && diff < BigInt(capacity)).toBe(true);
          }
        },
      ), // prettier-ignore
    );
  });
});
