import { REJECT_CODE_MEANING, REJECT_CODES, type RejectCode } from '@exchange/domain';

/**
 * Stable error codes of the API. Engine rejections keep the engine's names (REJECT_CODES); the codes
 * below are the API's own. Every error, REST or WebSocket, has one body: `{ code, message, field? }`.
 */
export const API_ERROR_MEANING = {
  MISSING_AUTH: 'The endpoint needs a signed request: x-api-key, x-api-timestamp and x-api-signature.',
  UNKNOWN_KEY: 'No API key with this id.',
  BAD_SIGNATURE: 'The signature does not match the request under the key.',
  STALE_TIMESTAMP: 'The timestamp is outside the receive window of the server clock.',
  REPLAYED_REQUEST: 'This signed request was already received.',
  KEY_REVOKED: 'The API key was revoked.',
  SCOPE_MISSING: 'The API key lacks the scope this endpoint needs.',
  RATE_LIMITED: 'Too many requests for this key; retry after the time in Retry-After.',
  VALIDATION_FAILED: 'A field is missing, has the wrong type or an invalid value.',
  UNKNOWN_FIELD: 'The body has a field this endpoint does not know.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the limit.',
  MALFORMED_JSON: 'The body is not valid JSON.',
  UNSUPPORTED_MEDIA_TYPE: 'Bodies must be application/json.',
  NOT_FOUND: 'No such resource.',
  METHOD_NOT_FOUND: 'No such WebSocket method.',
  NOT_AUTHENTICATED: 'Authenticate the WebSocket connection first (public/auth).',
  UNKNOWN_CHANNEL: 'No such channel.',
  NOT_AVAILABLE: 'This feature is not available in this deployment.',
  UNKNOWN_RESOLUTION: 'No such candle resolution (1m, 5m, 15m, 1h, 4h, 1d).',
  BAD_TIME_RANGE: 'The time range is empty or reversed: from must be before to.',
  UNKNOWN_INDEX: 'No such index (a compute class, or CU).',
  UNKNOWN_COMPUTE_CLASS: 'No such compute class.',
  SLOW_CONSUMER: 'The connection fell too far behind its messages and is being closed.',
  HEARTBEAT_TIMEOUT: 'No answer to a test request within the heartbeat interval.',
  ENGINE_UNAVAILABLE: 'The matching engine did not answer.',
  READ_MODELS_BEHIND:
    "The read models have not caught up with the account's latest commands yet; retry after the time in Retry-After.",
  INVALID_PAYOUT_ADDRESS: 'The payout address must be a 20-byte hex address (0x and 40 hex digits).',
  PAYOUT_SIGNATURE_INVALID:
    "The wallet's signature is not of the payout address message for this account and address (personal_sign).",
  ADDRESS_IN_USE: 'Another account has this payout address (an address pays one account).',
  PAYOUT_ADDRESS_REQUIRED:
    'Withdrawals go to the payout address on chain: set it first (PUT /v1/account/payout-address).',
  INTERNAL: 'An unexpected error; nothing was changed.',
} as const;

export type ApiCode = keyof typeof API_ERROR_MEANING;
export type ErrorCode = ApiCode | RejectCode;

export const API_ERROR_CODES = Object.keys(API_ERROR_MEANING) as ApiCode[];

/** Every code a client may see, with its meaning (served in the API docs). */
export const ERROR_CODE_MEANING: Record<ErrorCode, string> = { ...REJECT_CODE_MEANING, ...API_ERROR_MEANING };
export const ERROR_CODES: readonly ErrorCode[] = [...REJECT_CODES, ...API_ERROR_CODES];

/** The one error body of the API. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
}

export function errorBody(code: ErrorCode, message?: string, field?: string): ErrorBody {
  const body: ErrorBody = { code, message: message ?? ERROR_CODE_MEANING[code] };
  if (field !== undefined) body.field = field;
  return body;
}

/** An error answer from the API (thrown by the SDK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly retryAfterS?: number,
  ) {
    super(`${body.code}: ${body.message}${body.field ? ` (${body.field})` : ''}`);
    this.name = 'ApiError';
  }

  get code(): ErrorCode {
    return this.body.code;
  }
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  MISSING_AUTH: 401,
  UNKNOWN_KEY: 401,
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  REPLAYED_REQUEST: 401,
  KEY_REVOKED: 401,
  NOT_AUTHENTICATED: 401,
  SCOPE_MISSING: 403,
  NOT_FOUND: 404,
  UNKNOWN_INDEX: 404,
  UNKNOWN_COMPUTE_CLASS: 404,
  UNKNOWN_ORDER: 404,
  METHOD_NOT_FOUND: 404,
  DUPLICATE_CLIENT_ORDER_ID: 409,
  ADDRESS_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_AVAILABLE: 501,
  ENGINE_UNAVAILABLE: 503,
  READ_MODELS_BEHIND: 503,
};

/** The HTTP status of an error code (400 unless listed); WebSocket errors carry it as their numeric code. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 400;
}
