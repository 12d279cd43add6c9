import { Module } from '@nestjs/common';
import { healthController } from '@exchange/runtime';

/** The settlement app: marks to market, expires instruments and settles them. It boots and answers /health; its capabilities land with their issues. */
@Module({ controllers: [healthController('settlement')] })
export class SettlementModule {}
