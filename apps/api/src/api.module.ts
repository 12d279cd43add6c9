import { Module } from '@nestjs/common';
import { healthController } from '@exchange/runtime';

/** The api app: serves the REST API and WebSocket gateway. It boots and answers /health; its capabilities land with their issues. */
@Module({ controllers: [healthController('api')] })
export class ApiModule {}
