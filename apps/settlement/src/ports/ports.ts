import type { EngineBatchListener, EngineEvent, UnsequencedCommand } from '@exchange/domain';
import type { RiskStage } from '@exchange/risk';

/** The settlement app's clock: the only place it reads time (tests jump it to expiry). */
export interface SettlementClock {
  nowMs(): number;
}
export const SETTLEMENT_CLOCK = Symbol('SETTLEMENT_CLOCK');
export const systemSettlementClock: SettlementClock = { nowMs: () => Date.now() };

/** One published index value: micro-USDC (= USDC minor units) per GPU-hour at its publication time. */
export interface IndexPoint {
  tsMs: number;
  priceMicros: number;
}

/** Where the oracle's published index rounds are read (PostgreSQL's index_prices, or memory in tests). */
export interface IndexSource {
  /** Rounds of an index published in [fromMs, toMs], oldest first. */
  points(indexId: string, fromMs: number, toMs: number): Promise<IndexPoint[]>;
  /** The newest round at or before `atMs`. */
  latest(indexId: string, atMs: number): Promise<IndexPoint | undefined>;
}
export const INDEX_SOURCE = Symbol('INDEX_SOURCE');

/**
 * The engine as settlement uses it: its state to read (instruments, positions, settled keys, leases)
 * and sequenced commands to submit. The embedded EngineService satisfies it.
 */
export interface SettlementEngine {
  readonly state: RiskStage;
  submit(
    commands: readonly UnsequencedCommand[],
  ): Promise<{ firstSeq: number; lastSeq: number; events: EngineEvent[] }>;
  /** `decoded()` gives the batch's events, decoded once for all of the engine's listeners. */
  onEvents(listener: EngineBatchListener): void;
  /** The engine's logged event batches: cash settlement on chain reads an expiry's transfers there. */
  readonly eventLog: {
    frames(afterSeq: number): Iterable<{ firstSeq: number; lastSeq: number; payload: Uint8Array }>;
  };
}
export const SETTLEMENT_ENGINE = Symbol('SETTLEMENT_ENGINE');
