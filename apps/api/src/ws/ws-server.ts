import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { AUTHENTICATOR } from '../auth/auth.guard';
import { Authenticator } from '../auth/authenticator';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { InstrumentsService } from '../trading/instruments.service';
import { ReadService } from '../trading/read.service';
import { TradingService } from '../trading/trading.service';
import { MarketHub } from './market-hub';
import { WsSession } from './ws-session';

export const WS_PATH = '/ws';

/**
 * The WebSocket endpoint on the API's own port (path /ws), on the `ws` package: upgrades on other
 * paths are refused; each connection is a WsSession. Messages larger than the body limit close the
 * connection (1009).
 */
@Injectable()
export class WsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebSocket');
  private wss?: WebSocketServer;
  private readonly sessions = new Set<WsSession>();
  private server?: Server;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH || this.wss === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new WsSession(
        ws,
        {
          hub: this.hub,
          trading: this.trading,
          reads: this.reads,
          instruments: this.instruments,
          auth: this.auth,
          config: this.config,
        },
        req.socket.remoteAddress ?? 'unknown',
      );
      this.sessions.add(session);
      ws.on('close', () => this.sessions.delete(session));
    });
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly hub: MarketHub,
    private readonly trading: TradingService,
    private readonly reads: ReadService,
    private readonly instruments: InstrumentsService,
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.maxBodyBytes,
      perMessageDeflate: false,
    });
    this.server.on('upgrade', this.onUpgrade);
    this.logger.log({ msg: 'websocket ready', path: WS_PATH });
  }

  get connections(): number {
    return this.sessions.size;
  }

  async onModuleDestroy(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    for (const s of this.sessions) s.shutdown();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }
}
