import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EventType } from '@exchange/domain';
import { InstrumentDirectory, type DirectoryEntry } from '@exchange/gateway';
import { ApiException } from '../http/api-exception';
import { EXCHANGE_GATEWAY, type ExchangeGateway } from '../ports/exchange-gateway';

/** The instrument directory, kept in step with the engine's listings. */
@Injectable()
export class InstrumentsService implements OnModuleInit {
  readonly directory = new InstrumentDirectory(Date.now());

  constructor(@Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway) {}

  onModuleInit(): void {
    this.directory.sync(this.gateway.listedBooks());
    this.gateway.onEvents((events) => {
      if (events.some((e) => e.type === EventType.InstrumentListed))
        this.directory.sync(this.gateway.listedBooks());
    });
  }

  /** The instrument by symbol, or UNKNOWN_INSTRUMENT (status 404 for paths, 400 for bodies). */
  get(symbol: unknown, field = 'instrument', status = 400): DirectoryEntry {
    const entry = typeof symbol === 'string' ? this.directory.bySymbolName(symbol) : undefined;
    if (entry === undefined)
      throw ApiException.of('UNKNOWN_INSTRUMENT', `no instrument ${String(symbol)} is listed`, field, status);
    return entry;
  }

  /** An optional instrument filter (query parameter). */
  optional(symbol: unknown, field = 'instrument'): DirectoryEntry | undefined {
    return symbol === undefined || symbol === '' ? undefined : this.get(symbol, field);
  }
}
