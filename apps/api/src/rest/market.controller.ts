import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  CANDLE_RESOLUTIONS,
  type BookView,
  type CandleResolution,
  type CandlesView,
  type IndexPriceView,
  type InstrumentView,
  type MarkPriceView,
  type SettlementPriceView,
  type TickerView,
  type TradeView,
  type VolSurfaceView,
} from '@exchange/client';
import { instrumentView } from '@exchange/gateway';
import { ApiException } from '../http/api-exception';
import { InstrumentsService } from '../trading/instruments.service';
import { ReadService } from '../trading/read.service';
import { MarketHub } from '../ws/market-hub';
import { checkQuery, intParam, optionalString, pageLimit, timeRange } from './query';

function resolution(value: unknown): CandleResolution {
  if (value === undefined) throw ApiException.of('VALIDATION_FAILED', 'resolution is required', 'resolution');
  if (!(CANDLE_RESOLUTIONS as readonly unknown[]).includes(value))
    throw ApiException.of('UNKNOWN_RESOLUTION', `resolution must be one of ${CANDLE_RESOLUTIONS.join(', ')}`, 'resolution'); // prettier-ignore
  return value as CandleResolution;
}

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
    const limit = pageLimit(q.limit);
    return this.reads.recentTrades(this.instruments.get(symbol, 'symbol', 404).instrumentId, limit);
  }

  @Get('ticker/:symbol')
  ticker(@Param('symbol') symbol: string): TickerView {
    const entry = this.instruments.get(symbol, 'symbol', 404);
    return this.hub.feed.ticker(entry.instrumentId, Date.now())!;
  }

  /** OHLCV of the trades in [from, to), per bucket of the resolution; the newest `limit` buckets, oldest first. */
  @Get('candles/:symbol')
  candles(@Param('symbol') symbol: string, @Query() q: Record<string, unknown>): CandlesView {
    checkQuery(q, ['resolution', 'from', 'to', 'limit']);
    const entry = this.instruments.get(symbol, 'symbol', 404);
    const res = resolution(q.resolution);
    const limit = intParam(q.limit, 'limit', 1, 1000, 500);
    return this.hub.data.candles(entry, { resolution: res, ...timeRange(q), limit });
  }

  @Get('index')
  indices(@Query() q: Record<string, unknown>): Promise<IndexPriceView[]> {
    checkQuery(q, []);
    return this.hub.data.indices();
  }

  @Get('index/:index')
  index(@Param('index') index: string): Promise<IndexPriceView> {
    return this.hub.data.index(index);
  }

  @Get('index/:index/history')
  indexHistory(
    @Param('index') index: string,
    @Query() q: Record<string, unknown>,
  ): Promise<IndexPriceView[]> {
    checkQuery(q, ['from', 'to', 'limit']);
    const { fromMs, toMs } = timeRange(q);
    return this.hub.data.indexHistory(index, fromMs, toMs, pageLimit(q.limit));
  }

  @Get('mark/:symbol')
  mark(@Param('symbol') symbol: string): MarkPriceView {
    return this.hub.data.mark(this.instruments.get(symbol, 'symbol', 404));
  }

  @Get('surface/:computeClass')
  surface(@Param('computeClass') computeClass: string): VolSurfaceView {
    return this.hub.data.surface(computeClass, Date.now());
  }

  @Get('settlement-prices')
  settlementPrices(@Query() q: Record<string, unknown>): Promise<SettlementPriceView[]> {
    checkQuery(q, ['instrument', 'kind', 'limit']);
    const instrument = optionalString(q.instrument);
    const kind = q.kind;
    if (kind !== undefined && kind !== 'daily' && kind !== 'expiry')
      throw ApiException.of('VALIDATION_FAILED', 'kind must be daily or expiry', 'kind');
    return this.hub.data.settlementPrices({
      instrumentId: instrument === undefined ? undefined : this.instruments.get(instrument).instrumentId,
      kind,
      limit: pageLimit(q.limit),
    });
  }
}
