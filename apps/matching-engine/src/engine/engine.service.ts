import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ByteWriter,
  CommandCursor,
  CommandType,
  EventType,
  decodeEvents,
  encodeEvent,
  type EngineBatchListener,
  type EngineEvent,
  type UnsequencedCommand,
} from '@exchange/domain';
import { SnapshotStore, type SyncStats } from '@exchange/journal';
import { BinaryEventSink } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config';
import { COMMAND_LOG, type CommandBatch, type CommandLog } from '../ports/command-log';
import { EVENT_LOG, type EventLog } from '../ports/event-log';

export const SNAPSHOT_STORE = Symbol('SNAPSHOT_STORE');
const LIQUIDATION_RETRY_MS = 250;

export interface AccountView {
  accountId: number;
  balances: Record<string, string>;
  reservedMinor: string;
  reservedTokens: Record<string, string>;
  positions: { instrumentId: number; qtyLots: number; costMinor: string }[];
  openOrders: { orderId: number; instrumentId: number; side: number; priceTicks: number; openLots: number }[];
  margin: { equityMinor: string; maintenanceMinor: string; initialMinor: string };
  inLiquidation: boolean;
  /** GPUs committed to token redemptions per compute class, and the collateral held for them. */
  capacity: { computeClass: string; gpus: number; collateralMinor: string }[];
  /** On-chain stake the engine counts for the account, and the part of it that backs no locked collateral. */
  stake: { stakeMinor: string; idleMinor: string };
}

export interface RecoverySummary {
  snapshotSeq: number;
  replayedCommands: number;
  reemittedCommands: number;
  lastSeq: number;
  stateHash: string;
  ms: number;
}

/**
 * Hosts the matching engine: recovers it from the newest snapshot plus the command log, applies
 * durable commands in seq order, appends their events to the event log and takes snapshots.
 * Commands are journalled before they are applied, so an acknowledged command is never lost.
 */
/** What `submit` resolves with: the seqs given to the commands and the events they caused. */
export interface Submitted {
  firstSeq: number;
  lastSeq: number;
  events: EngineEvent[];
}

interface GroupedSubmit {
  readonly commands: readonly UnsequencedCommand[];
  resolve(result: Submitted): void;
  reject(err: unknown): void;
}

/** The most commands one grouped batch takes before it is journalled without waiting for the turn's end. */
const MAX_GROUP_COMMANDS = 4096;

@Injectable()
export class EngineService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MatchingEngine');
  private readonly sink = new BinaryEventSink(new ByteWriter(1 << 20));
  private readonly cursor = new CommandCursor();
  private engine = new RiskStage(this.sink);
  private sinceSnapshot = 0;
  private snapshotting: Promise<void> = Promise.resolve();
  recovery?: RecoverySummary;
  private readonly listeners: EngineBatchListener[] = [];
  private liquidationTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Submissions waiting for this turn's batch (see submit). */
  private group: GroupedSubmit[] = [];
  private groupCommands = 0;
  private commandLogFault: Error | undefined;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(COMMAND_LOG) private readonly commands: CommandLog,
    @Inject(EVENT_LOG) private readonly events: EventLog,
    @Inject(SNAPSHOT_STORE) private readonly snapshots: SnapshotStore,
  ) {}

  onModuleInit(): void {
    this.recover();
    this.keepLiquidating();
  }

  /**
   * The liquidation keeper: while the risk stage has accounts in liquidation, it sends each a
   * Liquidate command (one IOC step each), every LIQUIDATION_RETRY_MS until they are done. The steps
   * are ordinary sequenced commands, so a replay liquidates identically.
   */
  private keepLiquidating(): void {
    if (this.liquidationTimer !== undefined || this.closed) return;
    const accounts = this.engine.liquidatingAccounts();
    if (accounts.length === 0) return;
    this.liquidationTimer = setTimeout(() => {
      void this.submit(accounts.map((accountId) => ({ type: CommandType.Liquidate, accountId })))
        .then(({ events }) => {
          const steps = events.filter((e) => e.type === EventType.Liquidation);
          this.logger.log({ msg: 'liquidation steps', accounts, events: steps.length });
        })
        .catch((err: unknown) => this.logger.error({ msg: 'liquidation step failed', err: String(err) }))
        .finally(() => {
          this.liquidationTimer = undefined;
          this.keepLiquidating();
        });
    }, LIQUIDATION_RETRY_MS);
  }

  /**
   * Calls `listener` with the events of every batch applied from now on (after it is durable), in
   * order. Readers that need older events catch up from the event log first.
   */
  onEvents(listener: EngineBatchListener): void {
    this.listeners.push(listener);
  }

  get eventLog(): EventLog {
    return this.events;
  }

  /**
   * The command journal's group commits since the engine started: the syncs that acknowledgements
   * wait for, with a histogram of their durations, and the durability settings they ran under.
   */
  journalStats(): {
    fsync: EngineConfig['fsync'];
    syncThread: EngineConfig['journalSyncThread'];
  } & SyncStats {
    return {
      fsync: this.config.fsync,
      syncThread: this.config.journalSyncThread,
      ...this.commands.syncStats(),
    };
  }

  /** Resolves when any scheduled snapshot has been written. */
  settle(): Promise<void> {
    return this.snapshotting;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return; // once, whoever calls it first
    this.closed = true;
    this.flushGroup();
    clearTimeout(this.liquidationTimer);
    await this.snapshotting;
    if (this.engine.lastSeq > 0) await this.takeSnapshot();
    await this.commands.close();
    await this.events.close();
    this.logger.log({ msg: 'engine stopped', lastSeq: this.engine.lastSeq });
  }

  /** The shard's state: the risk stage and, inside it, the matching engine's books. */
  get state(): RiskStage {
    return this.engine;
  }

  /**
   * An account as the risk stage holds it, money as decimal strings of minor units: balances per
   * asset, reservations, positions (signed lots and cost), open orders and margin. Undefined for an
   * account that never held anything.
   */
  accountView(accountId: number): AccountView | undefined {
    const stage = this.engine;
    const a = stage.account(accountId);
    const balances = stage.ledger.accountBalances(accountId);
    if (a === undefined && balances.size === 0) return undefined;
    const m = stage.margin(accountId);
    return {
      accountId,
      balances: Object.fromEntries([...balances].map(([asset, v]) => [asset, v.toString()])),
      reservedMinor: String(a?.lockedQuoteMinor ?? 0),
      reservedTokens: Object.fromEntries([...(a?.lockedTokens ?? [])].map(([k, v]) => [k, v.toString()])),
      positions: [...(a?.positions ?? [])]
        .sort(([x], [y]) => x - y)
        .map(([instrumentId, p]) => ({ instrumentId, qtyLots: p.qtyLots, costMinor: p.costMinor.toString() })),
      openOrders: [...(a?.orders.values() ?? [])]
        .sort((x, y) => x.orderId - y.orderId)
        .map((o) => ({ orderId: o.orderId, instrumentId: o.instrumentId, side: o.side, priceTicks: o.priceTicks, openLots: o.openLots })),
      margin: {
        equityMinor: String(m.equity),
        maintenanceMinor: String(m.maintenance),
        initialMinor: String(Math.max(m.initialBuy, m.initialSell)),
      },
      inLiquidation: a?.inLiquidation ?? false,
      capacity: [...stage.settlement.redemption.commitments.values()]
        .filter((c) => c.accountId === accountId)
        .sort((x, y) => (x.computeClass < y.computeClass ? -1 : 1))
        .map((c) => ({ computeClass: c.computeClass, gpus: c.gpuCount, collateralMinor: c.collateralMinor.toString() })),
      stake: { stakeMinor: String(a?.stakeMinor ?? 0), idleMinor: String(a === undefined ? 0 : stage.idleStake(a)) },
    };
  } // prettier-ignore

  /** Rebuilds the engine: newest intact snapshot, then every journalled command after it. */
  recover(): RecoverySummary {
    const started = performance.now();
    const { snapshot, skipped } = this.snapshots.loadLatest();
    for (const s of skipped) this.logger.warn({ msg: 'snapshot skipped', file: s.file, reason: s.reason });
    this.engine = snapshot ? RiskStage.restore(snapshot.body, this.sink) : new RiskStage(this.sink);
    const snapshotSeq = this.engine.lastSeq;
    if (snapshot && snapshotSeq !== snapshot.seq)
      throw new Error(`snapshot ${snapshot.file} holds seq ${snapshotSeq}, not ${snapshot.seq}`);
    if (this.events.lastSeq > this.commands.lastSeq) {
      // events are written only after their commands are durable, so this means the command log lost data
      throw new Error(
        `event log reaches seq ${this.events.lastSeq} but the command log ends at ${this.commands.lastSeq}: the command journal lost acknowledged commands`,
      );
    }
    if (this.commands.firstSeq > snapshotSeq + 1) {
      throw new Error(
        `command log starts at seq ${this.commands.firstSeq} but the newest usable snapshot ends at ${snapshotSeq}: cannot recover`,
      );
    }
    let replayed = 0;
    let reemitted = 0;
    this.commands.replay(snapshotSeq, (batch) => {
      const before = this.engine.lastSeq;
      this.sink.writer.reset();
      this.run(batch);
      replayed += this.engine.lastSeq - before;
      if (batch.lastSeq <= this.events.lastSeq) return; // its events are already in the event log
      if (this.sink.writer.pos > 0) {
        const from = Math.max(before, this.events.lastSeq) + 1;
        reemitted += batch.lastSeq - from + 1;
        void this.events.append(this.eventsAfter(this.events.lastSeq), from, batch.lastSeq);
      }
    });
    this.sinceSnapshot = replayed;
    this.recovery = {
      snapshotSeq,
      replayedCommands: replayed,
      reemittedCommands: reemitted,
      lastSeq: this.engine.lastSeq,
      stateHash: this.engine.stateHash(),
      ms: Math.round(performance.now() - started),
    };
    this.logger.log({ msg: 'engine recovered', ...this.recovery });
    return this.recovery;
  }

  /**
   * Sequences, journals and applies commands; resolves with their seqs and events once durable.
   * Submissions made in the same turn of the event loop are grouped (LMAX-style batching): their
   * commands become one journal frame and one applied batch, in submission order, and each caller
   * gets back its own seqs and the events of its own commands.
   */
  submit(commands: readonly UnsequencedCommand[]): Promise<Submitted> {
    if (commands.length === 0) return Promise.reject(new RangeError('empty command batch'));
    return new Promise((resolve, reject) => {
      if (this.group.length === 0) setImmediate(() => this.flushGroup());
      this.group.push({ commands, resolve, reject });
      this.groupCommands += commands.length;
      if (this.groupCommands >= MAX_GROUP_COMMANDS) this.flushGroup();
    });
  }

  /** Journals and applies the submissions grouped so far as one batch. */
  private flushGroup(): void {
    const group = this.group;
    if (group.length === 0) return;
    this.group = [];
    this.groupCommands = 0;
    const all = group.length === 1 ? group[0]!.commands : group.flatMap((g) => g.commands);
    let appended: Promise<CommandBatch>;
    try {
      appended = this.commands.append(all);
    } catch (err) {
      this.noteFault(err);
      for (const g of group) g.reject(err);
      return;
    }
    appended
      .then((batch) => {
        const events = this.apply(batch).decoded();
        // events carry the seq of the command that caused them, in seq order
        let seq = batch.firstSeq;
        let e = 0;
        for (const g of group) {
          const firstSeq = seq;
          const lastSeq = seq + g.commands.length - 1;
          const start = e;
          while (e < events.length && events[e]!.seq <= lastSeq) e++;
          g.resolve({ firstSeq, lastSeq, events: group.length === 1 ? events : events.slice(start, e) });
          seq = lastSeq + 1;
        }
      })
      .catch((err: unknown) => {
        this.noteFault(err);
        for (const g of group) g.reject(err);
      });
  }

  /**
   * Why the engine stopped taking commands, if it did: its command log refused or lost an append
   * (a failed sync). Nothing after that is known durable, so every later submission fails too; the
   * health check says so, and a restart recovers from the journal.
   */
  get fault(): Error | undefined {
    return this.commandLogFault;
  }

  private noteFault(err: unknown): void {
    if (this.commandLogFault !== undefined) return;
    this.commandLogFault = err instanceof Error ? err : new Error(String(err));
    this.logger.error({ msg: 'command log failed: the engine takes no more commands until restarted', error: this.commandLogFault.message }); // prettier-ignore
  }

  /** As `submit`, with the events in the binary codec. */
  async submitRaw(commands: readonly UnsequencedCommand[]): Promise<Uint8Array> {
    return this.apply(await this.commands.append(commands)).bytes;
  }

  /**
   * Applies a durable batch (it must follow the engine's last seq) and appends its events; gives
   * their bytes and the same events decoded, once, whether by the listeners, the caller or both.
   */
  private apply(batch: CommandBatch): { bytes: Uint8Array; decoded: () => EngineEvent[] } {
    if (batch.firstSeq !== this.engine.lastSeq + 1) {
      throw new Error(
        `commands out of order: got seq ${batch.firstSeq}, expected ${this.engine.lastSeq + 1}`,
      );
    }
    this.sink.writer.reset();
    this.run(batch);
    const bytes = this.sink.writer.bytes().slice();
    if (bytes.length > 0) void this.events.append(bytes, batch.firstSeq, batch.lastSeq);
    let events: EngineEvent[] | undefined;
    const decoded = () => (events ??= decodeEvents(bytes));
    for (const listener of this.listeners) listener(bytes, batch.firstSeq, batch.lastSeq, decoded);
    if (this.liquidationTimer === undefined && this.engine.liquidatingAccounts().length > 0)
      this.keepLiquidating();
    this.sinceSnapshot += batch.lastSeq - batch.firstSeq + 1;
    if (this.sinceSnapshot >= this.config.snapshotEvery) {
      this.sinceSnapshot = 0;
      const seq = this.engine.lastSeq;
      const body = this.engine.snapshot(); // taken now, written in the background
      this.snapshotting = this.snapshotting.then(() => this.writeSnapshot(seq, body));
    }
    return { bytes, decoded };
  }

  /** Runs a batch's commands through the engine (commands it already applied are skipped by seq). */
  private run(batch: CommandBatch): void {
    const cursor = this.cursor;
    cursor.reset(batch.payload);
    while (cursor.remaining > 0) this.engine.process(cursor.next());
  }

  /** The events written for commands above `seq` in the current batch (replay of a partly logged batch). */
  private eventsAfter(seq: number): Uint8Array {
    const all = decodeEvents(this.sink.writer.bytes());
    if (all.every((e) => e.seq > seq)) return this.sink.writer.bytes().slice();
    const w = new ByteWriter(this.sink.writer.pos);
    for (const e of all) if (e.seq > seq) encodeEvent(w, e);
    return w.bytes().slice();
  }

  /** Writes a snapshot of the current state and compacts the command log behind it. */
  async takeSnapshot(): Promise<void> {
    this.sinceSnapshot = 0;
    await this.snapshotting;
    await this.writeSnapshot(this.engine.lastSeq, this.engine.snapshot());
  }

  private async writeSnapshot(seq: number, body: Uint8Array): Promise<void> {
    const oldestKept = await this.snapshots.save(seq, body);
    this.commands.compact(seq, oldestKept);
    this.logger.log({ msg: 'snapshot written', seq, bytes: body.length });
  }
}
