import type { IndexId, IndexValue } from './oracle-index';

/**
 * Chainlink-style publication of one index: a new round is published when the value deviates
 * from the last published value by more than `deviationBps`, or when `heartbeatMs` has elapsed
 * since the last publication. A stale index is never published (consumers see the age of the last
 * round). TWAP integrates the published step function (value holds until the next round) over a
 * window, as Deribit and CME settlement TWAPs do; it reports 'insufficient_data' when the window
 * starts before the first round or a gap between rounds (or after the last) exceeds `maxGapMs`.
 */
export interface PublicationConfig {
  readonly deviationBps: number;
  readonly heartbeatMs: number;
  /** Longest time a round may stand in for the index inside a TWAP window. */
  readonly maxGapMs: number;
}

export const DEFAULT_PUBLICATION_CONFIG: PublicationConfig = {
  deviationBps: 50,
  heartbeatMs: 60 * 60_000,
  maxGapMs: 2 * 60 * 60_000,
};

export interface PublishedRound {
  readonly indexId: IndexId;
  readonly roundId: number;
  readonly priceMicros: number;
  readonly lowMicros: number;
  readonly highMicros: number;
  readonly utilisationBps: number;
  readonly providers: number;
  readonly publishedAtMs: number;
}

export type PublishDecision =
  | {
      readonly published: true;
      readonly reason: 'FIRST' | 'DEVIATION' | 'HEARTBEAT';
      readonly round: PublishedRound;
    }
  | { readonly published: false; readonly reason: 'INDEX_STALE' | 'WITHIN_THRESHOLD' | 'TIME_NOT_MONOTONIC' };

export type TwapResult =
  | { readonly status: 'ok'; readonly priceMicros: number; readonly samples: number }
  | { readonly status: 'insufficient_data'; readonly priceMicros: null; readonly samples: number };

export class IndexPublisher {
  private readonly rounds: PublishedRound[] = [];

  constructor(
    readonly indexId: IndexId,
    private readonly config: PublicationConfig = DEFAULT_PUBLICATION_CONFIG,
  ) {}

  get history(): readonly PublishedRound[] {
    return this.rounds;
  }

  get latest(): PublishedRound | undefined {
    return this.rounds[this.rounds.length - 1];
  }

  offer(value: IndexValue, nowMs: number): PublishDecision {
    if (value.status !== 'ok' || value.priceMicros === null)
      return { published: false, reason: 'INDEX_STALE' };
    const last = this.latest;
    if (last !== undefined && nowMs <= last.publishedAtMs)
      return { published: false, reason: 'TIME_NOT_MONOTONIC' };
    let reason: 'FIRST' | 'DEVIATION' | 'HEARTBEAT';
    if (last === undefined) reason = 'FIRST';
    else if (
      Math.abs(value.priceMicros - last.priceMicros) * 10_000 >
      this.config.deviationBps * last.priceMicros
    )
      reason = 'DEVIATION';
    else if (nowMs - last.publishedAtMs >= this.config.heartbeatMs) reason = 'HEARTBEAT';
    else return { published: false, reason: 'WITHIN_THRESHOLD' };
    const round: PublishedRound = {
      indexId: this.indexId,
      roundId: this.rounds.length + 1,
      priceMicros: value.priceMicros,
      lowMicros: value.lowMicros ?? value.priceMicros,
      highMicros: value.highMicros ?? value.priceMicros,
      utilisationBps: value.utilisationBps ?? 0,
      providers: value.providers,
      publishedAtMs: nowMs,
    };
    this.rounds.push(round);
    return { published: true, reason, round };
  }

  twap(fromMs: number, toMs: number): TwapResult {
    return twap(this.rounds, fromMs, toMs, this.config.maxGapMs);
  }
}

/** Time-weighted average of a step function of rounds over [fromMs, toMs), half-even rounded. */
export function twap(
  rounds: readonly PublishedRound[],
  fromMs: number,
  toMs: number,
  maxGapMs: number,
): TwapResult {
  const none = (samples: number): TwapResult => ({ status: 'insufficient_data', priceMicros: null, samples });
  if (!(toMs > fromMs)) return none(0);
  let start = -1;
  for (let i = 0; i < rounds.length && rounds[i]!.publishedAtMs <= fromMs; i++) start = i;
  if (start < 0) return none(0);
  let sum = 0n;
  let samples = 0;
  for (let i = start; i < rounds.length && rounds[i]!.publishedAtMs < toMs; i++) {
    const round = rounds[i]!;
    const next = rounds[i + 1];
    const endMs = next === undefined ? toMs : Math.min(next.publishedAtMs, toMs);
    const holdMs = (next === undefined ? toMs : next.publishedAtMs) - round.publishedAtMs;
    if (holdMs > maxGapMs) return none(samples);
    sum += BigInt(round.priceMicros) * BigInt(endMs - Math.max(round.publishedAtMs, fromMs));
    samples++;
  }
  const span = BigInt(toMs - fromMs);
  let q = sum / span;
  const twice = 2n * (sum - q * span);
  if (twice > span || (twice === span && q % 2n === 1n)) q++;
  return { status: 'ok', priceMicros: Number(q), samples };
}
