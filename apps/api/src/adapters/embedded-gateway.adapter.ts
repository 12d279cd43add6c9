import {
  decodeEvents,
  type EngineBatchListener,
  type EngineEvent,
  type InstrumentDefinition,
  type UnsequencedCommand,
} from '@exchange/domain';
import type { ListedBook, RawBook } from '@exchange/gateway';
import type { OrderBook } from '@exchange/order-book';
import {
  TRANSFER_COMMAND,
  isSettlementEvent,
  type AccountPosition,
  type EventBatch,
  type EventsListener,
  type ExchangeGateway,
  type GatewayHealth,
  type GatewayCapabilities,
  type OrderLocation,
  type OrderRef,
  type ReadModels,
  type ReferencePrices,
  type SettlementEvent,
  type TransferKind,
} from '../ports/exchange-gateway';

/** The engine's state as the adapter reads it (the risk stage, or a bare matching engine). */
export interface EngineState {
  readonly lastSeq: number;
  readonly nowMs: number;
  book(instrumentId: number): OrderBook | undefined;
  instrumentIds(): number[];
  /** The risk stage's instrument (when there is one): the terms it was listed with, when its mark last changed. */
  instrument?(
    instrumentId: number,
  ): { readonly definition: InstrumentDefinition; markTimeMs: number } | undefined;
}

/** The part of the matching engine's EngineService this adapter uses. */
export interface EmbeddedEngine {
  submit(
    commands: readonly UnsequencedCommand[],
  ): Promise<{ firstSeq: number; lastSeq: number; events: EngineEvent[] }>;
  /** `decoded()` gives the batch's events, decoded once for all of the engine's listeners. */
  onEvents(listener: EngineBatchListener): void;
  /** Balances, reservations, positions, open orders and margin from the risk stage. */
  accountView(accountId: number): unknown;
  readonly state: EngineState;
  /** Why the engine stopped taking commands (its command log failed), if it did. */
  readonly fault?: Error;
  /** The engine's event log (its history, read once for settlements). */
  readonly eventLog?: {
    frames(afterSeq: number): Iterable<{ lastSeq: number; payload: Uint8Array }>;
  };
}

/**
 * The gateway over the engine in the same process: commands go straight to EngineService, events
 * come from its listener (decoded once, fanned out), books are read from the engine's state (which
 * is consistent with the events delivered so far: listeners run inside the engine's apply).
 */
export class EmbeddedExchangeGateway implements ExchangeGateway {
  private readonly listeners = new Set<EventsListener>();
  readonly capabilities: GatewayCapabilities;

  constructor(
    private readonly engine: EmbeddedEngine,
    readonly reads: ReadModels,
  ) {
    engine.onEvents((_bytes, firstSeq, lastSeq, decoded) => {
      if (this.listeners.size === 0) return;
      const events = decoded();
      const batch: EventBatch = { firstSeq, lastSeq, timeMs: this.engine.state.nowMs };
      for (const l of this.listeners) l(events, batch);
    });
    this.capabilities = { deposits: true, withdrawals: true, accountView: true, marks: true };
  }

  submit(commands: UnsequencedCommand[]) {
    return this.engine.submit(commands);
  }

  onEvents(listener: EventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  bookSnapshot(instrumentId: number, depth: number): RawBook | undefined {
    const state = this.engine.state;
    const book = state.book(instrumentId);
    if (book === undefined) return undefined;
    return { seq: state.lastSeq, ...book.depth(depth), lastPriceTicks: book.lastPriceTicks };
  }

  listedBooks(): ListedBook[] {
    const state = this.engine.state;
    return state.instrumentIds().map((instrumentId) => {
      const book = state.book(instrumentId)!;
      const definition = state.instrument?.(instrumentId)?.definition;
      return {
        instrumentId,
        symbol: book.symbol,
        status: book.status,
        ...(definition ? { definition } : {}),
      };
    });
  }

  lastSeq(): number {
    return this.engine.state.lastSeq;
  }

  health(): GatewayHealth {
    const fault = this.engine.fault;
    return fault === undefined ? { status: 'ok' } : { status: 'failed', error: fault.message };
  }

  locateOrder(accountId: number, ref: OrderRef): OrderLocation | undefined {
    const state = this.engine.state;
    for (const instrumentId of state.instrumentIds()) {
      const book = state.book(instrumentId)!;
      if ('orderId' in ref) {
        const o = book.order(ref.orderId);
        if (o !== undefined && o.accountId === accountId) return { instrumentId, orderId: o.orderId };
        continue;
      }
      for (const orderId of book.accountOrderIds(accountId)) {
        if (book.order(orderId)?.clientOrderId === ref.clientOrderId) return { instrumentId, orderId };
      }
    }
    return undefined;
  }

  async transfer(kind: TransferKind, accountId: number, asset: string, amountMinor: bigint) {
    const type = TRANSFER_COMMAND[kind];
    const { firstSeq, events } = await this.engine.submit([{ type, accountId, asset, amountMinor }]);
    return { seq: firstSeq, events };
  }

  accountView(accountId: number): unknown {
    return this.engine.accountView(accountId);
  }

  accountPositions(accountId: number): AccountPosition[] {
    const v = this.engine.accountView(accountId) as { positions?: AccountPosition[] } | undefined;
    return v?.positions ?? [];
  }

  referencePrices(instrumentId: number): ReferencePrices | undefined {
    const state = this.engine.state;
    const book = state.book(instrumentId);
    if (book === undefined) return undefined;
    return {
      markTicks: book.markPriceTicks,
      indexTicks: book.indexPriceTicks,
      markTimeMs: state.instrument?.(instrumentId)?.markTimeMs ?? 0,
    };
  }

  private history?: Promise<SettlementEvent[]>;

  /**
   * Read once from the engine's event log (the api's own listener follows what comes after), a
   * hundred frames per turn of the event loop so a long log does not hold up the requests.
   */
  settlementHistory(): Promise<SettlementEvent[]> {
    this.history ??= (async () => {
      const out: SettlementEvent[] = [];
      let frames = 0;
      for (const frame of this.engine.eventLog?.frames(0) ?? []) {
        for (const e of decodeEvents(frame.payload)) if (isSettlementEvent(e)) out.push(e);
        if (++frames % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      return out;
    })().catch((err: unknown) => {
      this.history = undefined; // read again at the next call
      throw err;
    });
    return this.history;
  }
}
