import { Inject, Injectable, Logger } from '@nestjs/common';
import { ProviderSimulator } from '@exchange/oracle';
import { ORACLE_CONFIG, type OracleConfig } from '../config/oracle-config';
import { IngestionService } from '../feeds/ingestion.service';
import { OracleCodecs } from '../feeds/oracle-codecs';
import { MAX_BATCH_REPORTS } from '../feeds/report-body';
import { IndexState } from '../index/index-state';
import { CLOCK, type Clock } from '../ports/clock';
import { RegistryService } from '../providers/registry.service';

/**
 * Simulated provider clusters (the core's seeded ProviderSimulator, faulty and hostile ones
 * included): registered like any provider, they post signed feeds through the same ingestion path
 * as REST on a timer, so the exchange shows live indices out of the box. After a restart each
 * simulated provider continues above the last nonce the oracle log holds for it.
 */
@Injectable()
export class SimulatorRunner {
  private readonly logger = new Logger('OracleSimulator');
  private simulator?: ProviderSimulator;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  readonly stats = { rounds: 0, accepted: 0, rejected: 0 };

  constructor(
    private readonly registry: RegistryService,
    private readonly ingestion: IngestionService,
    private readonly state: IndexState,
    private readonly codecs: OracleCodecs,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORACLE_CONFIG) private readonly config: OracleConfig,
  ) {}

  async start(): Promise<void> {
    const s = this.config.simulator;
    const sim = new ProviderSimulator(this.codecs.reports, {
      seed: s.seed,
      providersPerClass: s.providersPerClass,
      faultyFraction: s.faultyFraction,
    });
    for (const record of sim.registryRecords()) {
      try {
        await this.registry.register({ ...record, stakeMinor: record.stakeMicros });
      } catch (err) {
        this.logger.warn({
          msg: 'simulated provider not registered',
          providerId: record.providerId,
          error: String(err),
        });
      }
    }
    for (const p of sim.providers)
      p.nonce = Math.max(p.nonce, this.state.window.lastNonce(p.providerId) ?? 0);
    this.simulator = sim;
    this.logger.log({
      msg: 'simulated providers started',
      providers: sim.providers.length,
      faults: sim.providers.reduce<Record<string, number>>(
        (n, p) => ({ ...n, [p.fault]: (n[p.fault] ?? 0) + 1 }),
        {},
      ),
      intervalMs: s.intervalMs,
    });
    await this.step();
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.step()
        .catch((err: unknown) => this.logger.error({ msg: 'simulated feed failed', error: String(err) }))
        .finally(() => (this.running = undefined));
    }, s.intervalMs);
  }

  /** One feed round: every simulated provider reports at the clock's time. */
  async step(): Promise<void> {
    const reports = this.simulator!.step(this.clock.nowMs());
    for (let i = 0; i < reports.length; i += MAX_BATCH_REPORTS) {
      const outcomes = await this.ingestion.ingestBatch(reports.slice(i, i + MAX_BATCH_REPORTS));
      for (const o of outcomes) this.stats[o.status === 'accepted' ? 'accepted' : 'rejected']++;
    }
    this.stats.rounds++;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
