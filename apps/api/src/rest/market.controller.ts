import { Controller, Get, Param, Query } from '@nestjs/common';
import type { BookView, InstrumentView, TickerView, TradeView } from '@exchange/client';
import { instrumentView } from '@exchange/gateway';
import { ApiException } from '../http/api-exception';
import { InstrumentsService } from '../trading/instruments.service';
import { ReadService } from '../trading/read.service';
import { MarketHub } from '../ws/market-hub';
import { checkQuery, intParam } from './query';

/** Public market data: instruments and contract specs, books, recent trades, tickers, server time. */
@Controller('v1')
export class MarketController {
  constructor(
    private readonly instruments: InstrumentsService,
    private readonly hub: MarketHub,
    private readonly reads: ReadService,
  ) {}

  @Get('time')
  time(): { serverTimeMs: number } {
    return { serverTimeMs: Date.now() };
  }

  @Get('instruments')
  list(@Query() q: Record<string, unknown>): InstrumentView[] {
    checkQuery(q, ['kind', 'computeClass']);
    return this.instruments.directory
      .all()
      .filter(
        (e) =>
          (q.kind === undefined || e.definition.kind === q.kind) &&
          (q.computeClass === undefined || e.definition.computeClass === q.computeClass),
      )
      .map(instrumentView);
  }

  @Get('instruments/:symbol')
  one(@Param('symbol') symbol: string): InstrumentView {
    return instrumentView(this.instruments.get(symbol, 'symbol', 404));
  }

  @Get('book/:symbol')
  book(@Param('symbol') symbol: string, @Query() q: Record<string, unknown>): BookView {
    checkQuery(q, ['depth']);
    const depth = intParam(q.depth, 'depth', 1, 1000, 20);
    const entry = this.instruments.get(symbol, 'symbol', 404);
    const snap = this.hub.feed.snapshot(entry.instrumentId, Date.now());
    if (snap === undefined) throw ApiException.of('UNKNOWN_INSTRUMENT', undefined, 'symbol', 404);
    return {
      instrument: snap.instrument,
      changeId: snap.changeId,
      bids: snap.bids.slice(0, depth),
      asks: snap.asks.slice(0, depth),
    };
  }

  @Get('trades/:symbol')
  trades(@Param('symbol') symbol: string, @Query() q: Record<string, unknown>): Promise<TradeView[]> {
    checkQuery(q, ['limit']);
    const limit = intParam(q.limit, 'limit', 1, 1000, 100);
    return this.reads.recentTrades(this.instruments.get(symbol, 'symbol', 404).instrumentId, limit);
  }

  @Get('ticker/:symbol')
  ticker(@Param('symbol') symbol: string): TickerView {
    const entry = this.instruments.get(symbol, 'symbol', 404);
    return this.hub.feed.ticker(entry.instrumentId, Date.now())!;
  }
}
