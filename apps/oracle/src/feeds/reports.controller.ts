import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { REPORT_REJECT_CODE_MEANING, type ReportRejectCode } from '@exchange/oracle';
import { OracleHttpError } from '../http/oracle-error';
import { IndexState } from '../index/index-state';
import { PublicationService } from '../publication/publication.service';
import { IngestionService } from './ingestion.service';
import { OracleCodecs } from './oracle-codecs';
import { MAX_BATCH_REPORTS, parseBatch, parseSignedReport } from './report-body';

const reason = (code: ReportRejectCode) => ({ code, message: REPORT_REJECT_CODE_MEANING[code] });

@Controller('v1/oracle')
export class ReportsController {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly state: IndexState,
    private readonly publication: PublicationService,
    private readonly codecs: OracleCodecs,
  ) {}

  /** One signed report: 200 { status: 'accepted' }, or 422 { code, message } with the reason code. */
  @Post('reports')
  @HttpCode(200)
  async report(@Body() body: unknown) {
    const signed = this.parse(() => parseSignedReport(body));
    const outcome = await this.ingestion.ingest(signed);
    if (outcome.status === 'rejected')
      throw new OracleHttpError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        outcome.code,
        REPORT_REJECT_CODE_MEANING[outcome.code],
      );
    return outcome;
  }

  /** Many signed reports: 200 with one result per report, in order. */
  @Post('reports/batch')
  @HttpCode(200)
  async batch(@Body() body: unknown) {
    const batch = this.parse(() => parseBatch(body));
    if (batch.length > MAX_BATCH_REPORTS) {
      this.ingestion.countMalformed();
      throw new OracleHttpError(
        HttpStatus.BAD_REQUEST,
        'BATCH_TOO_LARGE',
        `at most ${MAX_BATCH_REPORTS} reports per batch`,
        'reports',
      );
    }
    const outcomes = await this.ingestion.ingestBatch(batch);
    return {
      accepted: outcomes.filter((o) => o.status === 'accepted').length,
      rejected: outcomes.filter((o) => o.status === 'rejected').length,
      results: outcomes.map((o, index) =>
        o.status === 'accepted' ? { index, ...o } : { index, status: o.status, ...reason(o.code) },
      ),
    };
  }

  /** Counters: ingestion per reason code, the log consumer, publication. */
  @Get('metrics')
  metrics() {
    return {
      ingestion: this.ingestion.metrics(),
      log: { ...this.state.stats, heldReports: this.state.window.size },
      publication: this.publication.metrics(),
    };
  }

  /** What a provider needs to sign reports and a client to verify rounds. */
  @Get('eip712')
  eip712() {
    return {
      domain: this.codecs.reports.domain,
      types: { ...this.codecs.reports.types, ...this.codecs.rounds.types },
      oracleAddress: this.codecs.oracleAddress,
      maxBatchReports: MAX_BATCH_REPORTS,
    };
  }

  private parse<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      this.ingestion.countMalformed();
      throw err;
    }
  }
}
