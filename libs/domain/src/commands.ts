import type { InstrumentStatus, OrderType, Side, StpMode, TimeInForce, TriggerSource } from './enums';
import type { BookSpec, InstrumentDefinition } from './instrument';

/**
 * Commands into the matching engine. The sequencer gives each one `seq` (strictly increasing, never
 * reused) and `timeMs` (its clock, carried in the command so that cores never read one). Numeric
 * fields are plain numbers on purpose: the codec carries them as float64, so whatever a caller sent
 * (NaN, a fraction, a negative) reaches the engine unchanged and is rejected the same way on replay.
 * An empty `clientOrderId` means none; a zero price or quantity in an amendment means "keep".
 */
export const CommandType = {
  PlaceOrder: 1,
  CancelOrder: 2,
  AmendOrder: 3,
  MassCancel: 4,
  SetReferencePrice: 5,
  ListInstrument: 6,
  SetInstrumentStatus: 7,
  AdvanceTime: 8,
  Deposit: 9,
  Withdraw: 10,
  Liquidate: 11,
  DailySettle: 12,
  ExpireInstrument: 13,
  SettleExpiry: 14,
  ProvisionLease: 15,
  AttestLease: 16,
  LeaseHeartbeat: 17,
  LeaseTick: 18,
  DisputeLease: 19,
  ResolveLeaseDispute: 20,
  CommitCapacity: 21,
  RedeemTokens: 22,
  ChainDeposit: 23,
  ChainWithdraw: 24,
  ChainStake: 25,
  ReleaseStake: 26,
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];

export interface CommandHeader {
  seq: number;
  timeMs: number;
}

export interface PlaceOrder extends CommandHeader {
  type: typeof CommandType.PlaceOrder;
  instrumentId: number;
  accountId: number;
  clientOrderId: string;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  /** OrderFlags bits: post-only, reduce-only. */
  flags: number;
  stpMode: StpMode;
  triggerSource: TriggerSource;
  /** Limit price; 0 for market and stop-market orders. */
  priceTicks: number;
  qtyLots: number;
  /** Iceberg display quantity; 0 shows the whole order. */
  displayLots: number;
  /** Stop orders only; 0 otherwise. */
  stopPriceTicks: number;
  /** GTD only; 0 otherwise. */
  expireAtMs: number;
  /** Reduce-only: the account's signed position in lots, supplied by the risk stage. */
  positionLots: number;
  /** Market orders: worst price to trade at; 0 derives it from the contract's protection band. */
  protectionPriceTicks: number;
}

export interface CancelOrder extends CommandHeader {
  type: typeof CommandType.CancelOrder;
  instrumentId: number;
  accountId: number;
  /** The order to cancel; 0 to name it by clientOrderId instead. */
  orderId: number;
  clientOrderId: string;
}

export interface AmendOrder extends CommandHeader {
  type: typeof CommandType.AmendOrder;
  instrumentId: number;
  accountId: number;
  orderId: number;
  clientOrderId: string;
  /** New limit price; 0 keeps it. */
  priceTicks: number;
  /** New open (remaining) quantity; 0 keeps it. */
  qtyLots: number;
  /** New stop price of an untriggered stop order; 0 keeps it. */
  stopPriceTicks: number;
}

export interface MassCancel extends CommandHeader {
  type: typeof CommandType.MassCancel;
  accountId: number;
  /** 0 cancels the account's orders on every instrument. */
  instrumentId: number;
}

/** Mark or index price for stop triggers and price bands; the last price comes from trades. */
export interface SetReferencePrice extends CommandHeader {
  type: typeof CommandType.SetReferencePrice;
  instrumentId: number;
  source: TriggerSource;
  priceTicks: number;
}

export interface ListInstrument extends CommandHeader {
  type: typeof CommandType.ListInstrument;
  instrumentId: number;
  symbol: string;
  spec: BookSpec;
  /**
   * The instrument's full definition (kind, compute class, contract decimals, expiry, strike). The
   * risk stage needs it to value positions and reserve collateral; a book listed without one trades,
   * but the risk stage rejects its orders with UNKNOWN_INSTRUMENT.
   */
  definition?: InstrumentDefinition;
}

export interface SetInstrumentStatus extends CommandHeader {
  type: typeof CommandType.SetInstrumentStatus;
  instrumentId: number;
  status: InstrumentStatus;
}

/** Moves the engine's time forward; expires GTD orders that are due. */
export interface AdvanceTime extends CommandHeader {
  type: typeof CommandType.AdvanceTime;
}

/**
 * Money into an account from outside the exchange (a chain deposit, or the development faucet).
 * `asset` is the quote currency (`USDC`, amount in minor units) or a spot token's compute class
 * (`H100`, amount in whole tokens).
 */
export interface Deposit extends CommandHeader {
  type: typeof CommandType.Deposit;
  accountId: number;
  asset: string;
  amountMinor: bigint;
}

/** Money out of an account; only what is free (not reserved, not needed as initial margin). */
export interface Withdraw extends CommandHeader {
  type: typeof CommandType.Withdraw;
  accountId: number;
  asset: string;
  amountMinor: bigint;
}

/**
 * One step of an account's liquidation: the risk stage closes part of its largest position with an
 * IOC order (whose order id is this command's seq). Sent by the liquidation keeper while the account
 * is in liquidation; a no-op with NOT_IN_LIQUIDATION otherwise.
 */
export interface Liquidate extends CommandHeader {
  type: typeof CommandType.Liquidate;
  accountId: number;
}

/**
 * Daily mark-to-market of a future at its daily settlement price: variation margin between each
 * holder and Clearing, positions' cost reset to the price. Once per instrument and business date
 * (the same key again is refused with ALREADY_SETTLED and changes nothing).
 */
export interface DailySettle extends CommandHeader {
  type: typeof CommandType.DailySettle;
  instrumentId: number;
  /** The business day being settled, YYYY-MM-DD (UTC). */
  businessDate: string;
  priceTicks: number;
}

/**
 * A future (and every option on it) reaches its last trading time: resting orders are cancelled
 * (reason instrument_expired), the books halt and new orders are refused with INSTRUMENT_EXPIRED.
 * Refused with NOT_EXPIRED before the future's expiry time (the command's time decides).
 */
export interface ExpireInstrument extends CommandHeader {
  type: typeof CommandType.ExpireInstrument;
  instrumentId: number;
}

/**
 * Final settlement of an expired future and its options at the final settlement price (the TWAP of
 * the index over the settlement window, decided outside the core): futures close against Clearing,
 * options in the money are exercised, the rest expire; a physically settled future's longs and
 * shorts are allocated into compute leases in the same command. Once per future.
 */
export interface SettleExpiry extends CommandHeader {
  type: typeof CommandType.SettleExpiry;
  instrumentId: number;
  finalPriceTicks: number;
}

/** A provider hands over a lease's access: an endpoint and the SHA-256 of the credential (never the credential). */
export interface ProvisionLease extends CommandHeader {
  type: typeof CommandType.ProvisionLease;
  leaseId: string;
  endpoint: string;
  credentialHash: string;
}

/** A signed benchmark attestation of the delivered machines (score per GPU, of the class's suite). */
export interface AttestLease extends CommandHeader {
  type: typeof CommandType.AttestLease;
  leaseId: string;
  suite: string;
  scorePerGpu: number;
}

/** A signed heartbeat of a delivered lease: verified service time, paid out of escrow hour by hour. */
export interface LeaseHeartbeat extends CommandHeader {
  type: typeof CommandType.LeaseHeartbeat;
  leaseId: string;
}

/**
 * Time passes for every live lease of a compute class (deadlines, SLA, end of delivery, end of the
 * dispute window); the class index (USDC minor units per GPU-hour) values a slash.
 */
export interface LeaseTick extends CommandHeader {
  type: typeof CommandType.LeaseTick;
  computeClass: string;
  indexMinorPerGpuHour: bigint;
}

/** The provider disputes a lease failure inside the dispute window. */
export interface DisputeLease extends CommandHeader {
  type: typeof CommandType.DisputeLease;
  leaseId: string;
}

/** The exchange's decision on a dispute: upheld (slash at the index) or overturned (collateral back). */
export interface ResolveLeaseDispute extends CommandHeader {
  type: typeof CommandType.ResolveLeaseDispute;
  leaseId: string;
  upheld: boolean;
  indexMinorPerGpuHour: bigint;
}

/**
 * A provider commits GPUs of a compute class to token redemptions. It replaces the provider's
 * commitment for the class (0 withdraws what is not yet allocated). The risk stage locks provider
 * collateral on the committed GPUs: a share of their value at the class index over the longest
 * redemption (RiskConfig.redemption).
 */
export interface CommitCapacity extends CommandHeader {
  type: typeof CommandType.CommitCapacity;
  accountId: number;
  computeClass: string;
  gpuCount: number;
}

/**
 * An account redeems GPU-hour tokens for compute: `gpuCount` GPUs for `hours` whole hours from the
 * command's time. gpuCount x hours tokens go into escrow and are burnt as hours are served; the
 * request is allocated to the providers' committed capacity in the same command (leases
 * `<class>-RDM-<seq>-<n>`), or refused and nothing changes.
 */
export interface RedeemTokens extends CommandHeader {
  type: typeof CommandType.RedeemTokens;
  accountId: number;
  computeClass: string;
  gpuCount: number;
  hours: number;
}

/**
 * A deposit seen on chain (GPU-hour tokens burnt to the exchange, or stablecoin into the vault),
 * credited like Deposit, once per `reference` (the chain, transaction and log it came from): the
 * same reference again is DUPLICATE_DEPOSIT, so a bridge that retries after a crash credits nothing
 * twice. Tokens burnt by the token's `redeem` carry the redemption (`redeemGpus` GPUs for
 * `redeemHours` hours; 0 and 0 for a plain deposit): after the credit the engine redeems them as
 * RedeemTokens would, in the same command, and a refused redemption leaves the tokens credited.
 */
export interface ChainDeposit extends CommandHeader {
  type: typeof CommandType.ChainDeposit;
  accountId: number;
  asset: string;
  amountMinor: bigint;
  reference: string;
  redeemGpus: number;
  redeemHours: number;
}

/**
 * Money out to the account's payout address on chain: as Withdraw (only what is free), its transfer
 * tagged `chain_withdrawal`, which the settlement app's chain bridge pays from the vault (USDC) or
 * mints (GPU-hour tokens), once per seq.
 */
export interface ChainWithdraw extends CommandHeader {
  type: typeof CommandType.ChainWithdraw;
  accountId: number;
  asset: string;
  amountMinor: bigint;
}

/**
 * A provider's stake seen on chain (the ProviderCollateral contract's Staked log), credited once per
 * `reference` like ChainDeposit (the same reference again is DUPLICATE_DEPOSIT): the USDC joins the
 * account's balance as stake. Stake is provider collateral only: it backs the collateral of the
 * provider's leases, capacity commitments and physically settled shorts, and is never free for
 * trading margin or withdrawals (see RiskStage). It leaves by ReleaseStake or by a slash.
 */
export interface ChainStake extends CommandHeader {
  type: typeof CommandType.ChainStake;
  accountId: number;
  amountMinor: bigint;
  reference: string;
}

/**
 * A provider asks for stake back: only stake that backs no collateral (no lease, commitment or
 * short needs it), else INSUFFICIENT_STAKE. The USDC leaves the ledger (`stake_release`) and the
 * settlement app's chain bridge starts its unbonding on chain, once per seq.
 */
export interface ReleaseStake extends CommandHeader {
  type: typeof CommandType.ReleaseStake;
  accountId: number;
  amountMinor: bigint;
}

export type Command =
  | PlaceOrder
  | CancelOrder
  | AmendOrder
  | MassCancel
  | SetReferencePrice
  | ListInstrument
  | SetInstrumentStatus
  | AdvanceTime
  | Deposit
  | Withdraw
  | Liquidate
  | DailySettle
  | ExpireInstrument
  | SettleExpiry
  | ProvisionLease
  | AttestLease
  | LeaseHeartbeat
  | LeaseTick
  | DisputeLease
  | ResolveLeaseDispute
  | CommitCapacity
  | RedeemTokens
  | ChainDeposit
  | ChainWithdraw
  | ChainStake
  | ReleaseStake;

/** A command before the sequencer has given it a seq and a time. */
export type UnsequencedCommand = Command extends infer C
  ? C extends Command
    ? Omit<C, 'seq' | 'timeMs'>
    : never
  : never;

/** A place-order command with the usual defaults, for code that builds commands by hand. */
export function placeOrder(
  fields: Partial<PlaceOrder> & Pick<PlaceOrder, 'instrumentId' | 'accountId' | 'side' | 'qtyLots'>,
): PlaceOrder {
  return {
    type: CommandType.PlaceOrder,
    seq: 0,
    timeMs: 0,
    clientOrderId: '',
    orderType: 0,
    timeInForce: 0,
    flags: 0,
    stpMode: 0,
    triggerSource: 0,
    priceTicks: 0,
    displayLots: 0,
    stopPriceTicks: 0,
    expireAtMs: 0,
    positionLots: 0,
    protectionPriceTicks: 0,
    ...fields,
  };
}
