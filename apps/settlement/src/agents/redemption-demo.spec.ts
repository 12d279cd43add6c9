import {
  CommandType,
  DEMO_LESSEE_ACCOUNT,
  DEMO_PROVIDER_ACCOUNTS,
  EventType,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  type Command,
  type UnsequencedCommand,
} from '@exchange/domain';
import { EventCollector } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';
import { redemptionDemoCommands } from './redemption-demo';

const AS_OF = Date.UTC(2026, 10, 1);

it('commits the demo providers once the index is there, redeems once, and then does nothing more', () => {
  const out = new EventCollector();
  const stage = new RiskStage(out);
  let seq = 0;
  const run = (cs: UnsequencedCommand[]) => {
    for (const c of cs) stage.process({ ...c, seq: ++seq, timeMs: AS_OF } as Command);
    return out.take();
  };
  const future = listCatalogue(AS_OF).find((d) => d.kind === 'future' && d.computeClass === 'H100')!;
  run([{ type: CommandType.ListInstrument, instrumentId: 1, symbol: future.symbol, spec: bookSpecOf(future.contract), definition: future }]); // prettier-ignore
  expect(redemptionDemoCommands(stage)).toEqual([]); // no index yet
  run([{ type: CommandType.SetReferencePrice, instrumentId: 1, source: TriggerSource.IndexPrice, priceTicks: 2_500 }]); // prettier-ignore
  const refused = run(redemptionDemoCommands(stage)).filter((e) => e.type === EventType.OrderRejected);
  expect(refused).toEqual([]);
  const leases = [...stage.settlement.leases.values()];
  expect(leases.length).toBeGreaterThan(0);
  expect(leases.every((l) => l.source === 'REDEMPTION' && l.lesseeAccountId === DEMO_LESSEE_ACCOUNT)).toBe(
    true,
  );
  expect(leases.reduce((a, l) => a + l.gpuCount, 0)).toBe(2);
  expect(
    leases.every((l) => (DEMO_PROVIDER_ACCOUNTS as readonly number[]).includes(l.providerAccountId)),
  ).toBe(true);
  expect(redemptionDemoCommands(stage)).toEqual([]);
  expect(stage.ledger.conservationProblems()).toEqual([]);
});
