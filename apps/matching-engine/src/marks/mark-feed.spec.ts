import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CommandType,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type UnsequencedCommand,
} from '@exchange/domain';
import { InProcessLog, TOPICS } from '@exchange/messaging';
import { black76Price } from '@exchange/pricing';
import { closeEngine, openEngine } from '../../test/engine-fixture';
import { impactPrice } from './impact-price';
import { MarkFeed } from './mark-feed';

const future = listCatalogue(Date.UTC(2026, 10, 1)).find(
  (d) => d.kind === 'future' && d.computeClass === 'H100',
)!;
const FUT = 3;
const round = (priceMicros: number, publishedAtMs: number) =>
  new TextEncoder().encode(JSON.stringify({ v: 1, kind: 'index-round', round: { indexId: 'H100', roundId: 1, priceMicros, publishedAtMs }, signature: '0x' })); // prettier-ignore

describe('impact price', () => {
  it('averages the fill of a reference size across levels, or says there is not enough', () => {
    expect(
      impactPrice(
        [
          [100, 4, 1],
          [101, 10, 2],
        ],
        10,
      ),
    ).toBeCloseTo((4 * 100 + 6 * 101) / 10, 12);
    expect(impactPrice([[100, 4, 1]], 10)).toBeUndefined();
  });
});

describe('mark feed', () => {
  it('sets index and mark (index + EMA of the impact basis, within the band) of the class futures from oracle rounds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marks-'));
    const s = openEngine(path.join(dir, 'engine'));
    const order = (accountId: number, side: 0 | 1, priceTicks: number): UnsequencedCommand => {
      const {
        seq: _s,
        timeMs: _t,
        ...c
      } = placeOrder({ instrumentId: FUT, accountId, side, qtyLots: 10, priceTicks });
      return c;
    };
    await s.service.submit([
      { type: CommandType.ListInstrument, instrumentId: FUT, symbol: future.symbol, spec: bookSpecOf(future.contract), definition: future },
      { type: CommandType.SetReferencePrice, instrumentId: FUT, source: TriggerSource.MarkPrice, priceTicks: 2_500 },
      { type: CommandType.Deposit, accountId: 1, asset: 'USDC', amountMinor: 10n ** 12n },
      order(1, 0, 2_540),
      order(1, 1, 2_560),
    ]); // prettier-ignore
    const log = new InProcessLog({ dir: path.join(dir, 'log'), fsync: 'none' });
    const feed = new MarkFeed(log, s.service);
    await feed.onApplicationBootstrap();
    await log.append(TOPICS.prices, [{ key: 'H100', value: round(2_400_000, 1_000) }]); // index 2.400
    const book = s.service.state.book(FUT)!;
    const deadline = Date.now() + 10_000;
    while (s.service.state.instrument(FUT)!.markTicks === 2_500 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    // impact mid 2.550 is 150 ticks over the index; the band is 5% of 2,400 = 120 ticks
    expect(s.service.state.instrument(FUT)!.markTicks).toBe(2_520);
    expect(book.markPriceTicks).toBe(2_520);
    // a later round with the index at 2.540: basis 10 ticks; EMA after one half-life moves halfway from 150
    await log.append(TOPICS.prices, [{ key: 'H100', value: round(2_540_000, 61_000) }]);
    while (s.service.state.instrument(FUT)!.markTicks === 2_520 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(s.service.state.instrument(FUT)!.markTicks).toBe(2_540 + 80);
    await feed.onApplicationShutdown();
    await log.close();
    await closeEngine(s);
  });

  it('marks options from the SVI surface of the option books, including options nobody quotes', async () => {
    const asOf = Date.UTC(2026, 10, 1);
    const all = listCatalogue(asOf);
    const fut = all.find((d) => d.kind === 'future' && d.computeClass === 'H100')!;
    const opts = all.filter((d) => d.kind === 'option' && d.option!.underlyingSymbol === fut.symbol);
    const calls = opts.filter((d) => d.option!.right === 'call');
    const put = opts.find((d) => d.option!.right === 'put' && d.option!.strike === '2.00')!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surface-'));
    const s = openEngine(path.join(dir, 'engine'));
    const ids = new Map<string, number>();
    const listings: UnsequencedCommand[] = [fut, ...opts].map((d, i) => {
      ids.set(d.symbol, 10 + i);
      return { type: CommandType.ListInstrument, instrumentId: 10 + i, symbol: d.symbol, spec: bookSpecOf(d.contract), definition: d };
    }); // prettier-ignore
    const publishedAtMs = asOf + 3_600_000;
    const t = (fut.future!.expiryMs - publishedAtMs) / (365 * 24 * 3_600_000);
    const quotes: UnsequencedCommand[] = [];
    for (const c of calls) {
      const ticks = black76Price(2.5, Number(c.option!.strike), t, 0.6, 0, true) / 0.0005;
      const id = ids.get(c.symbol)!;
      for (const [side, p] of [[0, Math.floor(ticks) - 1], [1, Math.ceil(ticks) + 1]] as const) {
        const { seq: _s, timeMs: _t, ...o } = placeOrder({ instrumentId: id, accountId: 1, side, qtyLots: 1, priceTicks: p });
        quotes.push(o);
      }
    } // prettier-ignore
    await s.service.submit([
      ...listings,
      { type: CommandType.SetReferencePrice, instrumentId: ids.get(fut.symbol)!, source: TriggerSource.MarkPrice, priceTicks: 2_500 },
      { type: CommandType.Deposit, accountId: 1, asset: 'USDC', amountMinor: 10n ** 13n },
      ...quotes,
    ]); // prettier-ignore
    const log = new InProcessLog({ dir: path.join(dir, 'log'), fsync: 'none' });
    const feed = new MarkFeed(log, s.service);
    await feed.onApplicationBootstrap();
    await log.append(TOPICS.prices, [{ key: 'H100', value: round(2_500_000, publishedAtMs) }]);
    const putId = ids.get(put.symbol)!;
    const deadline = Date.now() + 10_000;
    while (s.service.state.instrument(putId)!.markTicks === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const mark = s.service.state.instrument(putId)!.markTicks * 0.0005;
    const at60 = black76Price(2.5, 2, t, 0.6, 0, false);
    const at80 = black76Price(2.5, 2, t, 0.8, 0, false);
    // the unquoted put is marked from the calls' surface (60% vol), not from the 80% default
    expect(Math.abs(mark - at60)).toBeLessThan(0.1 * Math.abs(at80 - at60));
    await feed.onApplicationShutdown();
    await log.close();
    await closeEngine(s);
  });
});
