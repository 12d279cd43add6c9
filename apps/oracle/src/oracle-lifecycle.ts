import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TOPICS, type MessageLog } from '@exchange/messaging';
import { ORACLE_CONFIG, type OracleConfig } from './config/oracle-config';
import { IndexState } from './index/index-state';
import { CLOCK, type Clock } from './ports/clock';
import { MESSAGE_LOG, ORACLE_TOPIC_PARTITIONS } from './ports/tokens';
import { RegistryService } from './providers/registry.service';
import { PublicationService } from './publication/publication.service';
import { SimulatorRunner } from './simulator/simulator-runner';

/**
 * Start and stop in order. Start (before the port opens): topics, the provider registry from
 * PostgreSQL, the index replayed from the oracle log, the publishers resumed from their last rounds,
 * a first index computation, then the timers (and the simulated providers when enabled). Stop: the
 * timers, the log consumer, then the log, which the module owns once it is given.
 */
@Injectable()
export class OracleLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Oracle');

  constructor(
    private readonly registry: RegistryService,
    private readonly state: IndexState,
    private readonly publication: PublicationService,
    private readonly simulator: SimulatorRunner,
    @Inject(MESSAGE_LOG) private readonly log: MessageLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORACLE_CONFIG) private readonly config: OracleConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.log.ensureTopics([
      { name: TOPICS.oracleReports, partitions: ORACLE_TOPIC_PARTITIONS.reports },
      { name: TOPICS.prices, partitions: ORACLE_TOPIC_PARTITIONS.prices },
    ]);
    await this.registry.load();
    // each start replays the whole topic: a consumer group of its own
    await this.state.start(`oracle-index-${this.clock.nowMs()}-${randomUUID().slice(0, 8)}`);
    await this.publication.restore();
    await this.publication.tick(this.clock.nowMs());
    this.publication.startTimer();
    if (this.config.simulator.enabled) await this.simulator.start();
    this.logger.log({
      msg: 'oracle started',
      simulator: this.config.simulator.enabled,
      publishIntervalMs: this.config.publishIntervalMs,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.simulator.stop();
    await this.publication.stop();
    await this.state.stop();
    await this.log.close();
  }
}
