import {
  CommandType,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type Command,
  type InstrumentDefinition,
  type UnsequencedCommand,
} from '@exchange/domain';
import { EventCollector } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';

/**
 * Portfolio margin of one account holding 50 positions (three H100 futures and options on them, long
 * and short), through the risk stage as the pre-trade check runs it:
 * - warm: the instruments' scenario vectors are cached (what every order check pays between marks);
 * - cold: right after the underlying's mark moved, so every vector is rebuilt (Black-76 over the
 *   grid for each option), which is what the first check after a mark pays.
 */
export function benchMargin(rounds: number): { positions: number; warmUs: number; coldUs: number } {
  const asOf = Date.UTC(2026, 10, 1);
  const all = listCatalogue(asOf).filter((d) => d.computeClass === 'H100');
  const futures = all.filter((d) => d.kind === 'future');
  const options = all.filter((d) => d.kind === 'option');
  const stage = new RiskStage(new EventCollector());
  let seq = 0;
  const run = (c: UnsequencedCommand) => stage.process({ ...c, seq: ++seq, timeMs: asOf } as Command);
  const ids = new Map<string, number>();
  const list = (d: InstrumentDefinition) => {
    ids.set(d.symbol, ids.size + 1);
    run({ type: CommandType.ListInstrument, instrumentId: ids.size, symbol: d.symbol, spec: bookSpecOf(d.contract), definition: d });
  }; // prettier-ignore
  for (const d of [...futures, ...options]) list(d);
  for (const f of futures) {
    const id = ids.get(f.symbol)!;
    run({
      type: CommandType.SetReferencePrice,
      instrumentId: id,
      source: TriggerSource.MarkPrice,
      priceTicks: 2_500,
    });
  }
  run({ type: CommandType.Deposit, accountId: 1, asset: 'USDC', amountMinor: 10n ** 15n });
  run({ type: CommandType.Deposit, accountId: 2, asset: 'USDC', amountMinor: 10n ** 15n });
  // 50 positions: 3 futures and 47 options on them (three expiries), alternately long and short
  const near = futures.slice(0, 3);
  const picked = [
    ...near,
    ...options.filter((o) => near.some((f) => f.symbol === o.option!.underlyingSymbol)).slice(0, 47),
  ];
  picked.forEach((d, i) => {
    const id = ids.get(d.symbol)!;
    const price = d.kind === 'future' ? 2_500 : 400;
    const order = (accountId: number, side: 0 | 1) => {
      const { seq: _s, timeMs: _t, ...c } = placeOrder({ instrumentId: id, accountId, side, qtyLots: 1 + (i % 5), priceTicks: price });
      run(c);
    }; // prettier-ignore
    order(2, i % 2 === 0 ? 1 : 0);
    order(1, i % 2 === 0 ? 0 : 1);
  });
  const positions = stage.account(1)!.positions.size;
  if (positions !== 50) throw new Error(`benchmark account holds ${positions} positions, not 50`);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) sink += stage.margin(1).maintenance;
  const warmUs = Number(process.hrtime.bigint() - t0) / rounds / 1e3;
  const coldRounds = Math.max(10, Math.floor(rounds / 50));
  let coldNs = 0n;
  for (let r = 0; r < coldRounds; r++) {
    for (const f of near)
      run({ type: CommandType.SetReferencePrice, instrumentId: ids.get(f.symbol)!, source: TriggerSource.MarkPrice, priceTicks: 2_500 + (r % 2) }); // prettier-ignore
    const c0 = process.hrtime.bigint();
    sink += stage.margin(1).maintenance;
    coldNs += process.hrtime.bigint() - c0;
  }
  if (sink === 0) throw new Error('margin of the benchmark portfolio came out zero');
  return { positions, warmUs, coldUs: Number(coldNs) / coldRounds / 1e3 };
}
