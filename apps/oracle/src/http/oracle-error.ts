import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Stable codes of the oracle's REST errors (besides the report reason codes of @exchange/oracle,
 * which rejected reports carry). Body of every error: { code, message, field? }.
 */
export const ORACLE_HTTP_ERRORS = {
  MALFORMED_BODY: 'The body is not JSON of the expected shape; `field` names the first offending field.',
  BODY_TOO_LARGE: 'The body is larger than the server accepts (about 100 kB).',
  BATCH_TOO_LARGE: 'A batch holds more reports than the batch limit.',
  BAD_QUERY: 'A query parameter is missing or not a valid value; `field` names it.',
  UNKNOWN_INDEX: 'No index with this id (the compute classes and CU).',
  UNKNOWN_PROVIDER: 'No provider with this id is registered.',
  PROVIDER_CONFLICT: 'The provider id is registered with other details.',
  LOG_UNAVAILABLE: 'The oracle log did not take the accepted reports; nothing was published, retry.',
} as const;

export type OracleHttpErrorCode = keyof typeof ORACLE_HTTP_ERRORS;

export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
}

export class OracleHttpError extends HttpException {
  constructor(status: HttpStatus, code: OracleHttpErrorCode | string, message?: string, field?: string) {
    const body: ErrorBody = {
      code,
      message: message ?? ORACLE_HTTP_ERRORS[code as OracleHttpErrorCode] ?? code,
    };
    if (field !== undefined) body.field = field;
    super(body, status);
  }
}

export const malformed = (field: string, message: string): OracleHttpError =>
  new OracleHttpError(HttpStatus.BAD_REQUEST, 'MALFORMED_BODY', message, field);

export const badQuery = (field: string, message: string): OracleHttpError =>
  new OracleHttpError(HttpStatus.BAD_REQUEST, 'BAD_QUERY', message, field);
