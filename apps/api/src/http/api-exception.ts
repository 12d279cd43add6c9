import { errorBody, httpStatusOf, type ErrorBody, type ErrorCode } from '@exchange/client';

/** An error answer with the API's body; the filter turns it into the response. */
export class ApiException extends Error {
  constructor(
    readonly body: ErrorBody,
    readonly status: number = httpStatusOf(body.code),
    readonly retryAfterS?: number,
  ) {
    super(body.message);
  }

  static of(code: ErrorCode, message?: string, field?: string, status?: number): ApiException {
    return new ApiException(errorBody(code, message, field), status);
  }
}
