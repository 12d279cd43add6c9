import { Inject, Injectable, Logger } from '@nestjs/common';
import { TOPICS, type LogRecord, type MessageLog, type Subscription } from '@exchange/messaging';
import { MESSAGE_LOG } from '../ports/tokens';
import { decodeReportRecord } from '../feeds/report-record';
import { ReportWindow } from './report-window';

/**
 * Ingestion from the oracle log: a consumer that feeds the index's report window from
 * TOPICS.oracleReports, so the index is a function of the log. At start it reads the topic from the
 * beginning (a consumer group of its own per start) and `start` resolves once it has seen every
 * record that existed then; after that it follows new records as they are appended (by this oracle's
 * REST ingestion or any other writer of the topic).
 */
@Injectable()
export class IndexState {
  readonly window = new ReportWindow();
  readonly stats = { records: 0, applied: 0, duplicates: 0, undecodable: 0 };
  private readonly logger = new Logger('OracleIndex');
  private subscription?: Subscription;

  constructor(@Inject(MESSAGE_LOG) private readonly log: MessageLog) {}

  async start(groupId: string): Promise<void> {
    const ends = await this.log.endOffsets(TOPICS.oracleReports);
    const seen = ends.map(() => 0);
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    const check = () => {
      if (seen.every((s, p) => s >= ends[p]!)) caughtUp();
    };
    check();
    this.subscription = await this.log.consume({
      topic: TOPICS.oracleReports,
      groupId,
      from: 'earliest',
      handle: async (records) => {
        this.apply(records);
        const last = records[records.length - 1];
        if (last !== undefined && last.partition < seen.length)
          seen[last.partition] = Math.max(seen[last.partition]!, last.offset + 1);
        check();
      },
    });
    await ready;
    this.logger.log({
      msg: 'oracle log replayed',
      records: this.stats.records,
      applied: this.stats.applied,
      held: this.window.size,
    });
  }

  private apply(records: readonly LogRecord[]): void {
    for (const record of records) {
      this.stats.records++;
      const decoded = decodeReportRecord(record.value);
      if (decoded === undefined) {
        this.stats.undecodable++;
        this.logger.warn({
          msg: 'undecodable oracle log record',
          partition: record.partition,
          offset: record.offset,
        });
        continue;
      }
      if (this.window.add(decoded.signed.report)) this.stats.applied++;
      else this.stats.duplicates++;
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
