import fc from 'fast-check';
import { QUOTE_CURRENCY, SystemAccount } from '@exchange/domain';
import { Ledger } from '@exchange/ledger';
import {
  businessDateOf,
  isBusinessDate,
  markToMarket,
  markToMarketKey,
  referenceCostMinor,
  type FuturePosition,
} from './mark-to-market';
import { netChanges, type SettlementTransfer } from './transfer';

const TV = 720_000n; // 0.001 USDC x 720 GPU-hours x 10^6
const post = (ledger: Ledger, ts: readonly SettlementTransfer[]) => {
  for (const t of ts) ledger.transfer(t.debitAccountId, t.creditAccountId, t.asset, t.amountMinor);
};
const input = (positions: FuturePosition[], priceTicks: number, businessDate = '2026-12-01') => ({
  instrumentId: 7,
  businessDate,
  settlementPriceTicks: priceTicks,
  tickValueMinor: TV,
  positions,
});

/**
 * The risk stage's fill rule (libs/risk RiskStage.fill): cost grows with the lots opened at their
 * price; a reduction realises P&L against Clearing with the cost closed pro rata (bigint division).
 */
function fill(ledger: Ledger, book: Map<number, FuturePosition>, accountId: number, dq: number, priceTicks: number) {
  const p = book.get(accountId) ?? { accountId, qtyLots: 0, costMinor: 0n };
  const lotValue = BigInt(priceTicks) * TV;
  let { qtyLots, costMinor } = p;
  if (qtyLots === 0 || Math.sign(qtyLots) === Math.sign(dq)) {
    qtyLots += dq;
    costMinor += BigInt(dq) * lotValue;
  } else {
    const closed = Math.min(Math.abs(qtyLots), Math.abs(dq));
    const costClosed = (costMinor * BigInt(closed)) / BigInt(Math.abs(qtyLots));
    const realised = BigInt(Math.sign(qtyLots) * closed) * lotValue - costClosed;
    costMinor -= costClosed;
    qtyLots += Math.sign(dq) * closed;
    const rest = Math.abs(dq) - closed;
    qtyLots += Math.sign(dq) * rest;
    costMinor += BigInt(Math.sign(dq) * rest) * lotValue;
    if (realised > 0n) ledger.transfer(SystemAccount.Clearing, accountId, QUOTE_CURRENCY, realised);
    if (realised < 0n) ledger.transfer(accountId, SystemAccount.Clearing, QUOTE_CURRENCY, -realised);
  }
  if (qtyLots === 0) book.delete(accountId);
  else book.set(accountId, { accountId, qtyLots, costMinor });
} // prettier-ignore

const tradesArb = fc.array(
  fc.record({
    buyer: fc.integer({ min: 1, max: 6 }),
    seller: fc.integer({ min: 1, max: 6 }),
    lots: fc.integer({ min: 1, max: 50 }),
    priceTicks: fc.integer({ min: 1, max: 100_000 }),
  }),
  { maxLength: 40 },
);

function trade(trades: { buyer: number; seller: number; lots: number; priceTicks: number }[]) {
  const ledger = new Ledger();
  const book = new Map<number, FuturePosition>();
  for (const t of trades) {
    if (t.buyer === t.seller) continue;
    fill(ledger, book, t.buyer, t.lots, t.priceTicks);
    fill(ledger, book, t.seller, -t.lots, t.priceTicks);
  }
  return { ledger, positions: [...book.values()] };
}

describe('daily mark-to-market', () => {
  it('pays the day’s difference through Clearing and resets the reference to the settlement price', () => {
    const long = { accountId: 1, qtyLots: 10, costMinor: referenceCostMinor(10, 2500, TV) };
    const short = { accountId: 2, qtyLots: -10, costMinor: referenceCostMinor(-10, 2500, TV) };
    const r = markToMarket(input([short, long], 2510), new Set());
    if (r.status !== 'APPLIED') throw new Error(r.code);
    expect(r.key).toBe('MTM:7:2026-12-01');
    // 10 ticks x 10 lots x 0.72 USDC = 72 USDC
    expect(r.transfers).toEqual([
      { debitAccountId: SystemAccount.Clearing, creditAccountId: 1, asset: 'USDC', amountMinor: 72_000_000n, reason: 'VARIATION_MARGIN', instrumentId: 7, leaseId: '' },
      { debitAccountId: 2, creditAccountId: SystemAccount.Clearing, asset: 'USDC', amountMinor: 72_000_000n, reason: 'VARIATION_MARGIN', instrumentId: 7, leaseId: '' },
    ]); // prettier-ignore
    expect(r.positions).toEqual([
      { accountId: 1, qtyLots: 10, costMinor: 10n * 2510n * TV, referencePriceTicks: 2510, variationMinor: 72_000_000n },
      { accountId: 2, qtyLots: -10, costMinor: -10n * 2510n * TV, referencePriceTicks: 2510, variationMinor: -72_000_000n },
    ]); // prettier-ignore
    expect(r.clearingChangeMinor).toBe(0n);
  });

  it('settles once per instrument and date: the same key again is refused', () => {
    const key = markToMarketKey(7, '2026-12-01');
    const r = markToMarket(input([{ accountId: 1, qtyLots: 1, costMinor: 0n }], 10), new Set([key]));
    expect(r).toEqual({ status: 'REJECTED', code: 'ALREADY_SETTLED', key });
    const other = markToMarket(input([{ accountId: 1, qtyLots: 1, costMinor: 0n }], 10, '2026-12-02'), new Set([key])); // prettier-ignore
    expect(other.status).toBe('APPLIED');
  });

  it('refuses bad input with a stable code', () => {
    const p = { accountId: 1, qtyLots: 1, costMinor: 0n };
    const code = (r: ReturnType<typeof markToMarket>) => (r.status === 'REJECTED' ? r.code : 'APPLIED');
    expect(code(markToMarket(input([p], 0), new Set()))).toBe('INVALID_PRICE');
    expect(code(markToMarket(input([p], 1.5), new Set()))).toBe('INVALID_PRICE');
    expect(code(markToMarket(input([p], 10, '2026-02-30'), new Set()))).toBe('INVALID_BUSINESS_DATE');
    expect(code(markToMarket(input([p, p], 10), new Set()))).toBe('DUPLICATE_ACCOUNT');
    expect(code(markToMarket(input([{ ...p, accountId: SystemAccount.Fees }], 10), new Set()))).toBe('INVALID_POSITION'); // prettier-ignore
    expect(code(markToMarket(input([{ ...p, qtyLots: 0.5 }], 10), new Set()))).toBe('INVALID_POSITION');
    expect(code(markToMarket({ ...input([p], 10), tickValueMinor: 0n }, new Set()))).toBe(
      'INVALID_TICK_VALUE',
    );
  });

  it('business dates are real UTC calendar dates', () => {
    expect(isBusinessDate('2028-02-29')).toBe(true);
    expect(isBusinessDate('2026-02-29')).toBe(false);
    expect(isBusinessDate('2026-1-01')).toBe(false);
    expect(businessDateOf(Date.UTC(2026, 11, 24, 23, 59))).toBe('2026-12-24');
  });

  it('conserves: every account gets qty x S x tick value - cost, Clearing the opposite, and nothing is created', () => {
    fc.assert(
      fc.property(tradesArb, fc.integer({ min: 1, max: 100_000 }), (trades, settle) => {
        const { ledger, positions } = trade(trades);
        const r = markToMarket(input(positions, settle), new Set());
        if (r.status !== 'APPLIED') throw new Error(r.code);
        post(ledger, r.transfers);
        expect(ledger.conservationProblems()).toEqual([]);
        const changes = netChanges(r.transfers, 'USDC');
        let sum = 0n;
        for (const v of changes.values()) sum += v;
        expect(sum).toBe(0n);
        for (const p of positions)
          expect(changes.get(p.accountId) ?? 0n).toBe(BigInt(p.qtyLots) * BigInt(settle) * TV - p.costMinor);
        // positions net to zero lots, so their new references sum to zero, and Clearing, which held
        // minus the sum of the costs for them, holds nothing for the instrument after the mark
        expect(r.positions.reduce((a, p) => a + p.costMinor, 0n)).toBe(0n);
        expect(ledger.balance(SystemAccount.Clearing, 'USDC')).toBe(0n);
      }),
    );
  });

  it('is path independent: marking at S1 then S2 pays what one mark at S2 pays', () => {
    fc.assert(
      fc.property(tradesArb, fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), (trades, s1, s2) => {
        const { positions } = trade(trades);
        const first = markToMarket(input(positions, s1, '2026-12-01'), new Set());
        if (first.status !== 'APPLIED') throw new Error(first.code);
        const second = markToMarket(input([...first.positions], s2, '2026-12-02'), new Set([first.key]));
        const direct = markToMarket(input(positions, s2, '2026-12-02'), new Set());
        if (second.status !== 'APPLIED' || direct.status !== 'APPLIED') throw new Error('refused');
        for (const d of direct.positions) {
          const a = first.positions.find((p) => p.accountId === d.accountId)!;
          const b = second.positions.find((p) => p.accountId === d.accountId)!;
          expect(a.variationMinor + b.variationMinor).toBe(d.variationMinor);
          expect(b.variationMinor).toBe(BigInt(d.qtyLots) * BigInt(s2 - s1) * TV);
          expect(b.costMinor).toBe(d.costMinor);
        }
      }), // prettier-ignore
    );
  });
});
