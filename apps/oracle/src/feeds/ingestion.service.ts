import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { TOPICS, type MessageLog } from '@exchange/messaging';
import {
  REPORT_REJECT_CODES,
  ReportValidator,
  type IngestResult,
  type ReportRejectCode,
  type SignedReport,
} from '@exchange/oracle';
import { ORACLE_CONFIG, type OracleConfig } from '../config/oracle-config';
import { OracleHttpError } from '../http/oracle-error';
import { IndexState } from '../index/index-state';
import { CLOCK, type Clock } from '../ports/clock';
import { MESSAGE_LOG } from '../ports/tokens';
import { RegistryService } from '../providers/registry.service';
import { OracleCodecs } from './oracle-codecs';
import { encodeReportRecord } from './report-record';

export type ReportOutcome =
  { status: 'accepted'; providerId: string; nonce: number } | { status: 'rejected'; code: ReportRejectCode };

/**
 * The one ingestion path (REST and the simulator): the core's ReportValidator checks each report at
 * the clock's time; a report it accepts whose nonce the oracle log already holds (a replay across a
 * restart, or one another oracle instance took) is NONCE_REPLAYED as well. Accepted reports are
 * appended to the oracle log, keyed by provider, before the answer; the index takes them from there.
 * Rejections change nothing but their counter.
 */
@Injectable()
export class IngestionService {
  private readonly validator: ReportValidator;
  private readonly logger = new Logger('OracleIngestion');
  private readonly counts = {
    accepted: 0,
    rejected: Object.fromEntries(REPORT_REJECT_CODES.map((c) => [c, 0])) as Record<ReportRejectCode, number>,
    malformed: 0,
  };

  constructor(
    registry: RegistryService,
    codecs: OracleCodecs,
    private readonly state: IndexState,
    @Inject(MESSAGE_LOG) private readonly log: MessageLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORACLE_CONFIG) config: OracleConfig,
  ) {
    this.validator = new ReportValidator(registry.registry, codecs.reports, config.ingestion);
  }

  async ingest(signed: SignedReport): Promise<ReportOutcome> {
    return (await this.ingestBatch([signed]))[0]!;
  }

  async ingestBatch(batch: readonly SignedReport[]): Promise<ReportOutcome[]> {
    const nowMs = this.clock.nowMs();
    const results =
      batch.length === 1
        ? [this.validator.ingest(batch[0]!, nowMs)]
        : this.validator.ingestBatch(batch, nowMs);
    const outcomes = results.map((r) => this.outcome(r));
    const accepted = batch.filter((_, i) => outcomes[i]!.status === 'accepted');
    if (accepted.length > 0) {
      try {
        await this.log.append(
          TOPICS.oracleReports,
          accepted.map((signed) => ({
            key: signed.report.providerId,
            value: encodeReportRecord({ receivedAtMs: nowMs, signed }),
          })),
        );
      } catch (err) {
        this.logger.error({
          msg: 'oracle log append failed',
          reports: accepted.length,
          error: (err as Error).message,
        });
        throw new OracleHttpError(HttpStatus.SERVICE_UNAVAILABLE, 'LOG_UNAVAILABLE');
      }
    }
    for (const o of outcomes)
      if (o.status === 'accepted') this.counts.accepted++;
      else this.counts.rejected[o.code]++;
    return outcomes;
  }

  private outcome(result: IngestResult): ReportOutcome {
    if (!result.ok) return { status: 'rejected', code: result.code };
    const { providerId, nonce } = result.report;
    const logged = this.state.window.lastNonce(providerId);
    if (logged !== undefined && nonce <= logged) return { status: 'rejected', code: 'NONCE_REPLAYED' };
    return { status: 'accepted', providerId, nonce };
  }

  countMalformed(): void {
    this.counts.malformed++;
  }

  metrics() {
    const rejected = { ...this.counts.rejected };
    return {
      accepted: this.counts.accepted,
      rejected,
      rejectedTotal: Object.values(rejected).reduce((a, b) => a + b, 0),
      malformedRequests: this.counts.malformed,
    };
  }
}
