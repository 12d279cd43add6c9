/**
 * Stable reason codes for rejected commands. The same code travels in the engine's events, the
 * journal, the database, REST error bodies and WebSocket errors. The list is append-only: the
 * binary codec stores a code as its index in REJECT_CODES.
 */
export const REJECT_CODES = [
  'INVALID_COMMAND',
  'UNKNOWN_INSTRUMENT',
  'INSTRUMENT_NOT_TRADING',
  'INSTRUMENT_EXISTS',
  'INVALID_INSTRUMENT_SPEC',
  'INVALID_ACCOUNT',
  'INVALID_SIDE',
  'INVALID_ORDER_TYPE',
  'INVALID_TIME_IN_FORCE',
  'INVALID_STP_MODE',
  'INVALID_TRIGGER_SOURCE',
  'INVALID_FLAGS',
  'INVALID_PRICE',
  'PRICE_NOT_ON_TICK',
  'PRICE_OUT_OF_BAND',
  'INVALID_QUANTITY',
  'SIZE_NOT_ON_LOT',
  'SIZE_BELOW_MINIMUM',
  'SIZE_ABOVE_MAXIMUM',
  'INVALID_DISPLAY_QUANTITY',
  'INVALID_STOP_PRICE',
  'STOP_WOULD_TRIGGER_IMMEDIATELY',
  'INVALID_EXPIRY',
  'EXPIRY_IN_PAST',
  'INVALID_CLIENT_ORDER_ID',
  'DUPLICATE_CLIENT_ORDER_ID',
  'TOO_MANY_OPEN_ORDERS',
  'POST_ONLY_WOULD_TAKE',
  'FOK_NOT_FILLABLE',
  'NO_LIQUIDITY',
  'REDUCE_ONLY_WOULD_INCREASE',
  'UNKNOWN_ORDER',
  'AMEND_NO_CHANGE',
  'INVALID_REFERENCE_PRICE',
  'INSUFFICIENT_MARGIN',
  'INVALID_AMOUNT',
  'UNKNOWN_ASSET',
  'INSUFFICIENT_BALANCE',
  'ACCOUNT_IN_LIQUIDATION',
  'NOT_IN_LIQUIDATION',
  'NO_MARK_PRICE',
  'INSTRUMENT_EXPIRED',
  'NOT_EXPIRED',
  'NOT_SETTLEABLE',
  'ALREADY_SETTLED',
  'INVALID_BUSINESS_DATE',
  'OPEN_INTEREST_MISMATCH',
  'SETTLEMENT_REFUSED',
  'UNKNOWN_LEASE',
  'LEASE_WRONG_STATE',
  'LEASE_CLOSED',
  'DEADLINE_PASSED',
  'INVALID_ENDPOINT',
  'INVALID_CREDENTIAL_HASH',
  'WRONG_BENCHMARK_SUITE',
  'INVALID_SCORE',
  'DISPUTE_WINDOW_CLOSED',
  'INSUFFICIENT_PROVIDER_COLLATERAL',
  'NO_INDEX_PRICE',
  'INSUFFICIENT_CAPACITY',
  'INVALID_DURATION',
  'DUPLICATE_DEPOSIT',
  'INSUFFICIENT_STAKE',
] as const;

export type RejectCode = (typeof REJECT_CODES)[number];

const INDEX = new Map<string, number>(REJECT_CODES.map((code, index) => [code, index]));

export function rejectCodeIndex(code: RejectCode): number {
  const index = INDEX.get(code);
  if (index === undefined) throw new Error(`unknown reject code ${code}`);
  return index;
}

export function rejectCodeAt(index: number): RejectCode {
  const code = REJECT_CODES[index];
  if (code === undefined) throw new Error(`unknown reject code index ${index}`);
  return code;
}

/** Human-readable meaning of each code, served in API docs. */
export const REJECT_CODE_MEANING: Record<RejectCode, string> = {
  INVALID_COMMAND: 'The command is malformed or of an unknown type.',
  UNKNOWN_INSTRUMENT: 'No instrument with this id is listed.',
  INSTRUMENT_NOT_TRADING: 'The instrument is halted or closed.',
  INSTRUMENT_EXISTS: 'An instrument with this id or symbol is already listed.',
  INVALID_INSTRUMENT_SPEC: 'The contract specification is inconsistent.',
  INVALID_ACCOUNT: 'The account id must be a positive integer.',
  INVALID_SIDE: 'Side must be buy or sell.',
  INVALID_ORDER_TYPE: 'Unknown order type.',
  INVALID_TIME_IN_FORCE: 'Unknown time in force, or not allowed for this order type.',
  INVALID_STP_MODE: 'Unknown self-trade prevention mode.',
  INVALID_TRIGGER_SOURCE: 'Unknown trigger source.',
  INVALID_FLAGS: 'Post-only or reduce-only is not allowed with this order type or time in force.',
  INVALID_PRICE: 'Price must be a positive, finite number of ticks within the contract limits.',
  PRICE_NOT_ON_TICK: 'Price is not a whole number of ticks.',
  PRICE_OUT_OF_BAND: 'Price is outside the band around the reference price.',
  INVALID_QUANTITY: 'Quantity must be a positive, finite number of lots.',
  SIZE_NOT_ON_LOT: 'Quantity is not a whole number of lots.',
  SIZE_BELOW_MINIMUM: 'Quantity is below the contract minimum.',
  SIZE_ABOVE_MAXIMUM: 'Quantity is above the contract maximum.',
  INVALID_DISPLAY_QUANTITY:
    'Display quantity must be whole lots, at least the minimum, at most the quantity, on a resting limit order.',
  INVALID_STOP_PRICE: 'Stop price must be a positive whole number of ticks, and only stop orders carry one.',
  STOP_WOULD_TRIGGER_IMMEDIATELY: 'The stop price is already reached by its trigger source.',
  INVALID_EXPIRY: 'Expiry time is required for GTD orders and only allowed on them.',
  EXPIRY_IN_PAST: 'Expiry time is not after the command time.',
  INVALID_CLIENT_ORDER_ID: 'Client order id must be 1 to 64 printable ASCII characters.',
  DUPLICATE_CLIENT_ORDER_ID: 'The account already has an open order with this client order id.',
  TOO_MANY_OPEN_ORDERS: 'The account has reached the open-order limit on this instrument.',
  POST_ONLY_WOULD_TAKE: 'A post-only order would have matched on arrival.',
  FOK_NOT_FILLABLE: 'A fill-or-kill order cannot be filled in full.',
  NO_LIQUIDITY: 'A market order found nothing to match within its protection price.',
  REDUCE_ONLY_WOULD_INCREASE: 'A reduce-only order would not reduce the position.',
  UNKNOWN_ORDER: 'No open order with this id or client order id for this account.',
  AMEND_NO_CHANGE: 'The amendment changes nothing.',
  INVALID_REFERENCE_PRICE: 'Reference price must be a positive whole number of ticks.',
  INSUFFICIENT_MARGIN: 'The account cannot margin this order.',
  INVALID_AMOUNT: 'Amount must be a positive whole number of minor units.',
  UNKNOWN_ASSET: 'No such asset: USDC or a compute class with a spot token.',
  INSUFFICIENT_BALANCE: 'The free balance does not cover this withdrawal.',
  ACCOUNT_IN_LIQUIDATION: 'The account is being liquidated; only cancels and reduce-only orders are taken.',
  NOT_IN_LIQUIDATION: 'The account is not being liquidated.',
  NO_MARK_PRICE: 'The instrument (or its underlying) has no mark price yet, so the order cannot be margined.',
  INSTRUMENT_EXPIRED:
    'The instrument has reached its last trading time: it takes no new orders and settles at expiry.',
  NOT_EXPIRED: 'The instrument has not reached its last trading time yet.',
  NOT_SETTLEABLE: 'Only a listed future (with its options) settles daily or at expiry.',
  ALREADY_SETTLED: 'This instrument was already settled under this key (business date or expiry).',
  INVALID_BUSINESS_DATE: 'The business date must be a calendar date written YYYY-MM-DD.',
  OPEN_INTEREST_MISMATCH: 'Long and short lots to deliver differ.',
  SETTLEMENT_REFUSED:
    'The settlement core refused the input (positions, tick value or index price out of range).',
  UNKNOWN_LEASE: 'No lease with this id.',
  LEASE_WRONG_STATE: 'The lease is not in a state that takes this event.',
  LEASE_CLOSED: 'The lease is in a final state (completed, slashed or voided).',
  DEADLINE_PASSED: "The lease event came after its deadline: the lease failed at the event's time instead.",
  INVALID_ENDPOINT: 'The endpoint must be 1 to 256 printable characters without credentials in it.',
  INVALID_CREDENTIAL_HASH: 'The credential must be given as its SHA-256 hash (64 lowercase hex digits).',
  WRONG_BENCHMARK_SUITE: "The attestation is not of the class's reference benchmark suite.",
  INVALID_SCORE: 'The benchmark score must be a finite number, zero or more.',
  DISPUTE_WINDOW_CLOSED: 'The dispute window of this failure has closed.',
  INSUFFICIENT_PROVIDER_COLLATERAL:
    'Selling a physically settled future, or committing capacity to redemptions, needs provider collateral (a share of the notional) on top of margin.',
  NO_INDEX_PRICE:
    'The compute class has no index price yet, or its latest is too old to value capacity or a redemption.',
  INSUFFICIENT_CAPACITY: 'Providers have not committed enough GPUs of this class to serve the redemption.',
  INVALID_DURATION: 'Hours must be a whole number from 1 to the longest redemption the exchange takes.',
  DUPLICATE_DEPOSIT: 'This chain deposit (chain, transaction and log) was already credited.',
  INSUFFICIENT_STAKE:
    'The release exceeds the stake that backs no collateral (leases, capacity commitments and physically settled shorts need the rest).',
};
