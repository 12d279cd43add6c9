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
});
