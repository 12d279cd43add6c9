import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CommandType,
  EventType,
  LiquidationPhase,
  Side,
  SystemAccount,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type UnsequencedCommand,
} from '@exchange/domain';
import { closeEngine, loggedEvents, openEngine } from '../../test/engine-fixture';

/**
 * Liquidation end to end on the engine service: a mark move puts an account under maintenance, the
 * service's keeper sends Liquidate commands through the command log by itself, the account is closed
 * out against a resting bid, the insurance fund covers the shortfall, and a restart replays it all
 * to the same state hash.
 */
const future = listCatalogue(Date.UTC(2026, 10, 1)).find(
  (d) => d.kind === 'future' && d.computeClass === 'H100',
)!;
const FUT = 7;
const order = (accountId: number, side: Side, qtyLots: number, priceTicks: number): UnsequencedCommand => {
  const {
    seq: _s,
    timeMs: _t,
    ...c
  } = placeOrder({ instrumentId: FUT, accountId, side, qtyLots, priceTicks });
  return c;
};
const mark = (priceTicks: number): UnsequencedCommand => ({
  type: CommandType.SetReferencePrice,
  instrumentId: FUT,
  source: TriggerSource.MarkPrice,
  priceTicks,
});

it('liquidates through the keeper, covers the shortfall from the insurance fund, and replays identically', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liquidation-'));
  const s = openEngine(dir);
  await s.service.submit([
    { type: CommandType.ListInstrument, instrumentId: FUT, symbol: future.symbol, spec: bookSpecOf(future.contract), definition: future },
    mark(2_500),
    { type: CommandType.Deposit, accountId: 1, asset: 'USDC', amountMinor: 405_000_000n },
    { type: CommandType.Deposit, accountId: 9, asset: 'USDC', amountMinor: 100_000_000_000n },
    { type: CommandType.Deposit, accountId: SystemAccount.InsuranceFund, asset: 'USDC', amountMinor: 1_000_000_000n },
    order(9, Side.Sell, 1, 2_500),
    order(1, Side.Buy, 1, 2_500),
  ]); // prettier-ignore
  const { events } = await s.service.submit([mark(1_500), order(9, Side.Buy, 1, 1_480)]);
  expect(events.find((e) => e.type === EventType.Liquidation)).toMatchObject({
    phase: LiquidationPhase.Started,
  });
  // the keeper takes it from here: no command below is sent by the test
  const deadline = Date.now() + 10_000;
  while (s.service.state.liquidatingAccounts().length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(s.service.state.liquidatingAccounts()).toEqual([]);
  const view = s.service.accountView(1)!;
  expect(view.positions).toEqual([]);
  expect(view.balances.USDC).toBe('0');
  const hash = s.service.state.stateHash();
  const lastSeq = s.service.state.lastSeq;
  await closeEngine(s);

  const all = await loggedEvents(dir);
  const finished = all.find((e) => e.type === EventType.Liquidation && e.phase === LiquidationPhase.Finished);
  expect(finished).toMatchObject({ accountId: 1, insuranceMinor: 330_832_800n });
  expect(all.filter((e) => e.type === EventType.Trade && e.takerAccountId === 1)).toHaveLength(2);

  const again = openEngine(dir);
  expect(again.recovery).toMatchObject({ lastSeq, stateHash: hash });
  expect(again.service.state.ledger.conservationProblems()).toEqual([]);
  await closeEngine(again);
});
