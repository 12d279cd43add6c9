import { Controller, Get, HttpStatus, Inject, Param, Query } from '@nestjs/common';
import { fromMinor } from '@exchange/domain';
import { twap, type IndexId, type IndexValue, type SignedRound } from '@exchange/oracle';
import { ORACLE_CONFIG, type OracleConfig } from '../config/oracle-config';
import { badQuery, OracleHttpError } from '../http/oracle-error';
import { CLOCK, type Clock } from '../ports/clock';
import { INDEX_IDS, PublicationService } from './publication.service';

const HISTORY_LIMIT = 5_000;
const DEFAULT_WINDOW_MS = 3_600_000;

const usdc = (micros: number | null) => (micros === null ? null : fromMinor(BigInt(micros)));

function roundView(s: SignedRound) {
  return { ...s.round, price: usdc(s.round.priceMicros), signature: s.signature };
}

function valueView(v: IndexValue, last: SignedRound | undefined, factorPpm: number | null) {
  return {
    indexId: v.indexId,
    status: v.status,
    stale: v.status !== 'ok',
    asOfMs: v.asOfMs,
    priceMicros: v.priceMicros,
    price: usdc(v.priceMicros),
    /** The weighted 25th-75th percentile band of the providers kept. */
    confidence: {
      lowMicros: v.lowMicros,
      highMicros: v.highMicros,
      low: usdc(v.lowMicros),
      high: usdc(v.highMicros),
    },
    utilisationBps: v.utilisationBps,
    providers: v.providers,
    outlierProviders: v.outlierProviders,
    performanceFactorPpm: factorPpm,
    lastRound: last === undefined ? null : roundView(last),
  };
}

function msParam(raw: string | undefined, field: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(v))
    throw badQuery(field, `${field} must be Unix milliseconds`);
  return v;
}

@Controller('v1/oracle/indices')
export class IndicesController {
  constructor(
    private readonly publication: PublicationService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORACLE_CONFIG) private readonly config: OracleConfig,
  ) {}

  /** The latest computed value of every index (with stale status and band) and its last published round. */
  @Get()
  list() {
    const snap = this.publication.snapshot;
    return {
      asOfMs: snap?.asOfMs ?? null,
      indices: INDEX_IDS.map((id) => this.view(id)),
    };
  }

  @Get(':id')
  one(@Param('id') id: string) {
    return this.view(this.indexId(id));
  }

  /** Published rounds in [fromMs, toMs) (default: the last hour), oldest first. */
  @Get(':id/history')
  async history(@Param('id') id: string, @Query('fromMs') fromRaw?: string, @Query('toMs') toRaw?: string) {
    const indexId = this.indexId(id);
    const { fromMs, toMs } = this.window(fromRaw, toRaw);
    const rounds = await this.publication.store.history(indexId, fromMs, toMs, HISTORY_LIMIT + 1);
    return {
      indexId,
      fromMs,
      toMs,
      truncated: rounds.length > HISTORY_LIMIT,
      rounds: rounds.slice(0, HISTORY_LIMIT).map(roundView),
    };
  }

  /** Time-weighted average of the published rounds over [fromMs, toMs) (the core's twap). */
  @Get(':id/twap')
  async twap(@Param('id') id: string, @Query('fromMs') fromRaw?: string, @Query('toMs') toRaw?: string) {
    const indexId = this.indexId(id);
    const { fromMs, toMs } = this.window(fromRaw, toRaw);
    const rounds = await this.publication.store.twapRounds(indexId, fromMs, toMs);
    const result = twap(rounds, fromMs, toMs, this.config.publication.maxGapMs);
    return { indexId, fromMs, toMs, ...result, price: usdc(result.priceMicros) };
  }

  private view(id: IndexId) {
    const snap = this.publication.snapshot;
    const last = this.publication.latestRound(id);
    const factor = id === 'CU' ? null : (snap?.factorPpm[id] ?? null);
    if (snap === undefined)
      return valueView(
        {
          indexId: id,
          status: 'stale',
          priceMicros: null,
          lowMicros: null,
          highMicros: null,
          utilisationBps: null,
          providers: 0,
          outlierProviders: [],
          asOfMs: this.clock.nowMs(),
        },
        last,
        factor,
      );
    return valueView(id === 'CU' ? snap.composite : snap.classes[id], last, factor);
  }

  private indexId(id: string): IndexId {
    if (!(INDEX_IDS as readonly string[]).includes(id))
      throw new OracleHttpError(
        HttpStatus.NOT_FOUND,
        'UNKNOWN_INDEX',
        `no index ${id}; indices: ${INDEX_IDS.join(', ')}`,
      );
    return id as IndexId;
  }

  private window(fromRaw: string | undefined, toRaw: string | undefined): { fromMs: number; toMs: number } {
    const toMs = msParam(toRaw, 'toMs', this.clock.nowMs());
    const fromMs = msParam(fromRaw, 'fromMs', Math.max(0, toMs - DEFAULT_WINDOW_MS));
    if (fromMs >= toMs) throw badQuery('fromMs', 'fromMs must be before toMs');
    return { fromMs, toMs };
  }
}
