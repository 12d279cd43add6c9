/**
 * Stable reason codes for rejected provider reports. The same code travels in logs, metrics, REST
 * error bodies and the oracle log. Append-only.
 */
export const REPORT_REJECT_CODES = [
  'BAD_SIGNATURE',
  'UNKNOWN_PROVIDER',
  'PROVIDER_INACTIVE',
  'STALE_REPORT',
  'FUTURE_REPORT',
  'NONCE_REPLAYED',
  'VALUE_OUT_OF_RANGE',
  'UNKNOWN_CLASS',
] as const;

export type ReportRejectCode = (typeof REPORT_REJECT_CODES)[number];

export const REPORT_REJECT_CODE_MEANING: Record<ReportRejectCode, string> = {
  BAD_SIGNATURE: 'The signature is malformed, high-s, or not by the address registered for the provider.',
  UNKNOWN_PROVIDER: 'No provider with this id is registered.',
  PROVIDER_INACTIVE: 'The provider is registered but suspended.',
  STALE_REPORT: 'The observation (or its benchmark) is older than the freshness window.',
  FUTURE_REPORT: 'The observation time is later than now plus the allowed clock skew.',
  NONCE_REPLAYED: 'The nonce is not strictly greater than the last accepted nonce of this provider.',
  VALUE_OUT_OF_RANGE: 'A field is not a safe integer within its documented range, or is malformed.',
  UNKNOWN_CLASS: 'The compute class is not one the exchange lists.',
};
