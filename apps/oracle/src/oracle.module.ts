import { Module } from '@nestjs/common';
import { healthController } from '@exchange/runtime';

/** The oracle app: ingests signed provider feeds and publishes index prices. It boots and answers /health; its capabilities land with their issues. */
@Module({ controllers: [healthController('oracle')] })
export class OracleModule {}
