import { EventType, Side, type EngineEvent } from '@exchange/domain';
import { LocalBook } from '@exchange/client';
import { InstrumentDirectory } from './instrument-directory';
import { MarketFeed, type RawBook } from './market-feed';

const NOW = Date.UTC(2026, 0, 1);

function setup() {
  const directory = new InstrumentDirectory(NOW);
  directory.sync([{ instrumentId: 1, symbol: 'H100-USDC', status: 0 }]);
  const raw: RawBook = { seq: 5, bids: [[25_000, 3, 1]], asks: [[25_100, 2, 1]], lastPriceTicks: 0 };
  return { directory, feed: new MarketFeed(directory, (id) => (id === 1 ? raw : undefined)) };
}

const delta = (seq: number, side: 0 | 1, priceTicks: number, qtyLots: number, orderCount: number): EngineEvent => ({
  type: EventType.BookDelta, seq, instrumentId: 1, side, priceTicks, qtyLots, orderCount,
}); // prettier-ignore

describe('MarketFeed', () => {
  it('links snapshot and changes by change id, with checksums a client can verify', () => {
    const { feed } = setup();
    const snapshot = feed.snapshot(1, NOW)!;
    expect(snapshot).toMatchObject({
      type: 'snapshot',
      changeId: 5,
      bids: [['2.5', '3', 1]],
      asks: [['2.51', '2', 1]],
    });
    const client = new LocalBook('H100-USDC');
    expect(client.apply(snapshot)).toBe('ok');
    const first = feed
      .onBatch([delta(7, Side.Buy, 25_010, 1, 1), delta(7, Side.Sell, 25_100, 0, 0)], NOW)
      .books.get(1)!;
    expect(first).toMatchObject({ type: 'change', prevChangeId: 5, changeId: 7 });
    expect(client.apply(first)).toBe('ok');
    const second = feed.onBatch([delta(9, Side.Buy, 25_000, 0, 0)], NOW).books.get(1)!;
    expect(second.prevChangeId).toBe(7);
    expect(client.apply(second)).toBe('ok');
    expect(client.top(5)).toEqual({ bids: [['2.501', '1', 1]], asks: [] });
  });

  it("turns trades into public trades, both sides' fills and order updates", () => {
    const { feed } = setup();
    feed.snapshot(1, NOW);
    const out = feed.onBatch(
      [
        {
          type: EventType.Trade, seq: 8, instrumentId: 1, tradeId: 1, priceTicks: 25_100, qtyLots: 2, aggressorSide: Side.Buy,
          makerOrderId: 3, makerAccountId: 11, takerOrderId: 8, takerAccountId: 12, makerRemainingLots: 0, takerRemainingLots: 1,
        },
      ],
      NOW,
    ); // prettier-ignore
    expect(out.trades.get(1)).toEqual([
      expect.objectContaining({ price: '2.51', quantity: '2', side: 'buy', tradeId: 1 }),
    ]);
    expect(out.fills.get(11)).toEqual([
      expect.objectContaining({ side: 'sell', liquidity: 'maker', orderId: 3 }),
    ]);
    expect(out.fills.get(12)).toEqual([
      expect.objectContaining({ side: 'buy', liquidity: 'taker', orderId: 8 }),
    ]);
    expect(out.orders.get(12)).toEqual([expect.objectContaining({ event: 'trade', remainingQuantity: '1' })]);
    expect(out.tickers.get(1)).toMatchObject({ lastPrice: '2.51', bestBidPrice: '2.5' });
  });
});
