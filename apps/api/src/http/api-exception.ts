import { errorBody, httpStatusOf, type ErrorBody, type ErrorCode } from '@exchange/client';
import { validate, type ObjectSchema } from '@exchange/gateway';

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

/** The input checked against the schema (fields under `path`), or the API's validation error thrown. */
export function validated<T>(schema: ObjectSchema, input: unknown, path?: string): T {
  const r = validate<T>(schema, input, path);
  if (!r.ok) throw new ApiException(r.error);
  return r.value;
}
