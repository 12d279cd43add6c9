import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CommandType,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type InstrumentDefinition,
  type Side,
  type UnsequencedCommand,
} from '@exchange/domain';
import { SnapshotStore } from '@exchange/journal';
import { FileCommandLog } from '../../matching-engine/src/embedded/file-command-log';
import { FileEventLog } from '../../matching-engine/src/embedded/file-event-log';
import { EngineService } from '../../matching-engine/src/engine/engine.service';
import { MemoryIndexSource } from '../src/adapters/index-sources';
import { ProviderAgents } from '../src/agents/provider-agents';
import { loadSettlementConfig } from '../src/config/settlement-config';
import { SettlementScheduler } from '../src/scheduler/settlement-scheduler';

/** A clock the test moves: the engine's sequencer and the settlement app read the same one. */
export class TestClock {
  constructor(public ms: number) {}
  nowMs(): number {
    return this.ms;
  }
}

export const AS_OF = Date.UTC(2026, 10, 1);
export const catalogue = listCatalogue(AS_OF);
export const h100 = catalogue.find((d) => d.symbol === 'H100-2611')!;
export const l40s = catalogue.find((d) => d.symbol === 'L40S-2611')!;
export const call = catalogue.find((d) => d.kind === 'option' && d.option!.underlyingSymbol === h100.symbol && d.option!.right === 'call' && d.option!.strike === '2.50')!; // prettier-ignore
export const H100 = 1;
export const L40S = 2;
export const CALL = 3;

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
}

/** The engine service on a data folder (no fsync: throwaway) with the test's clock. */
export function openEngine(dir: string, clock: TestClock) {
  const commands = new FileCommandLog(path.join(dir, 'journal'), 'none', clock);
  const events = new FileEventLog(path.join(dir, 'events'));
  const snapshots = new SnapshotStore(path.join(dir, 'snapshots'), 'engine');
  const engine = new EngineService(
    { dataDir: dir, fsync: 'none', journalSyncThread: 'caller', snapshotEvery: 1_000_000, httpPort: 0, demo: false, orderPartitions: 1, topicPrefix: '', projection: false, projectionThread: 'main' }, // prettier-ignore
    commands,
    events,
    snapshots,
  );
  engine.recover();
  const index = new MemoryIndexSource();
  const config = { ...loadSettlementConfig({}), leaseTickMs: 0 };
  const scheduler = new SettlementScheduler(config, clock, index, engine);
  const agents = new ProviderAgents({ ...config, agents: true }, clock, engine);
  return {
    engine,
    index,
    scheduler,
    agents,
    close: async () => {
      await engine.settle();
      await commands.close();
      await events.close();
    },
  };
}

export function listing(instrumentId: number, d: InstrumentDefinition): UnsequencedCommand {
  return {
    type: CommandType.ListInstrument,
    instrumentId,
    symbol: d.symbol,
    spec: bookSpecOf(d.contract),
    definition: d,
  };
}

export function mark(instrumentId: number, priceTicks: number): UnsequencedCommand {
  return { type: CommandType.SetReferencePrice, instrumentId, source: TriggerSource.MarkPrice, priceTicks };
}

export function order(instrumentId: number, accountId: number, side: Side, qtyLots: number, priceTicks: number): UnsequencedCommand {
  const { seq: _s, timeMs: _t, ...c } = placeOrder({ instrumentId, accountId, side, qtyLots, priceTicks });
  return c;
} // prettier-ignore

export function deposit(accountId: number, amountMinor: bigint): UnsequencedCommand {
  return { type: CommandType.Deposit, accountId, asset: 'USDC', amountMinor };
}
