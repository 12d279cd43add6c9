import { Controller, Get, NotFoundException, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ShardRunner } from './shard-runner';

/** Health and views of the shards this engine process owns. */
@Controller()
export class ShardsController {
  constructor(private readonly runner: ShardRunner) {}

  @Get('health')
  health() {
    const shards = this.runner.shardViews();
    return {
      status: 'ok',
      app: 'matching-engine',
      mode: 'distributed',
      shards: shards.map((s) => s.partition),
    };
  }

  @Get('v1/engine/shards')
  shards() {
    return this.runner.shardViews();
  }

  @Get('v1/engine/books/:instrumentId')
  book(@Param('instrumentId', ParseIntPipe) instrumentId: number, @Query('depth') depth?: string) {
    const book = this.runner
      .stages()
      .map((s) => s.book(instrumentId))
      .find((b) => b !== undefined);
    if (book === undefined)
      throw new NotFoundException({ code: 'UNKNOWN_INSTRUMENT', message: `no instrument ${instrumentId} here` });
    const levels = Math.min(Math.max(Number(depth ?? 10) || 10, 1), 1000);
    return { instrumentId, symbol: book.symbol, status: book.status, lastPriceTicks: book.lastPriceTicks, ...book.depth(levels) };
  } // prettier-ignore
}
