import {
  Controller,
  Get,
  NotFoundException,
  Optional,
  Param,
  ParseIntPipe,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { syncQuantile } from '@exchange/journal';
import { ProjectionRunner } from '../projection/projection-runner';
import { EngineService } from './engine.service';

@Controller()
export class EngineController {
  constructor(
    private readonly engine: EngineService,
    @Optional() private readonly projection?: ProjectionRunner,
  ) {}

  /**
   * 200 while the engine takes commands; 503 with the reason once its command log has failed. With
   * a database, `projection` says whether the read models follow the engine or are `stalled`
   * (waiting to catch up after a failed transaction: orders still trade).
   */
  @Get('health')
  health() {
    const state = this.engine.state;
    const fault = this.engine.fault;
    if (fault !== undefined)
      throw new ServiceUnavailableException({ status: 'failed', app: 'matching-engine', lastSeq: state.lastSeq, error: fault.message }); // prettier-ignore
    return {
      status: 'ok',
      app: 'matching-engine',
      lastSeq: state.lastSeq,
      instruments: state.instrumentIds().length,
      ...(this.projection ? { projection: this.projection.status } : {}),
    };
  }

  /** The engine's sequence and state hash (the replay check compares these). */
  @Get('v1/engine/state')
  stateView() {
    const state = this.engine.state;
    return {
      lastSeq: state.lastSeq,
      nowMs: state.nowMs,
      stateHash: state.stateHash(),
      recovery: this.engine.recovery,
    };
  }

  /**
   * The command journal's group commits since the engine started: syncs, the frames (engine batches)
   * and bytes they made durable, the time spent in them, p50/p90/p99 and the histogram of their
   * durations (buckets of [upper bound µs, count]). Counts only grow: the difference of two readings
   * is the period between them. Every acknowledgement waits for one of these syncs.
   */
  @Get('v1/engine/journal')
  journal() {
    const stats = this.engine.journalStats();
    return {
      ...stats,
      p50Micros: syncQuantile(stats, 0.5),
      p90Micros: syncQuantile(stats, 0.9),
      p99Micros: syncQuantile(stats, 0.99),
    };
  }

  /** An account as the risk stage holds it: balances, positions, open orders, margin (minor units). */
  @Get('v1/engine/accounts/:accountId')
  account(@Param('accountId', ParseIntPipe) accountId: number) {
    const view = this.engine.accountView(accountId);
    if (view === undefined)
      throw new NotFoundException({ code: 'UNKNOWN_ACCOUNT', message: `no account ${accountId}` });
    return view;
  }

  @Get('v1/engine/books/:instrumentId')
  book(@Param('instrumentId', ParseIntPipe) instrumentId: number, @Query('depth') depth?: string) {
    const book = this.engine.state.book(instrumentId);
    if (book === undefined)
      throw new NotFoundException({ code: 'UNKNOWN_INSTRUMENT', message: `no instrument ${instrumentId}` });
    const levels = Math.min(Math.max(Number(depth ?? 10) || 10, 1), 1000);
    return {
      instrumentId,
      symbol: book.symbol,
      status: book.status,
      lastPriceTicks: book.lastPriceTicks,
      ...book.depth(levels),
    };
  }
}
