import {
  COMPUTE_CLASSES,
  CommandType,
  Dec,
  QUOTE_CURRENCY,
  QUOTE_DECIMALS,
  toMinor,
  OrderFlags,
  OrderType,
  OrderTypeName,
  Side,
  SideName,
  StpModeName,
  TimeInForce,
  TimeInForceName,
  TriggerSourceName,
  parseEnumName,
  type AmendOrder,
  type BookSpec,
  type ContractSpec,
  type PlaceOrder,
  type RejectCode,
  type StpMode,
  type TriggerSource,
  plainDecimal,
  stepOf,
  pow10,
} from '@exchange/domain';
import { errorBody, type ErrorBody } from '@exchange/client';
import type { ObjectSchema } from './schema';

/** Printable ASCII, 1 to 64 characters (the engine's rule for client order ids). */
export const CLIENT_ORDER_ID_PATTERN = /^[\x21-\x7e]{1,64}$/;
const SYMBOL = { kind: 'string', minLength: 1, maxLength: 64 } as const;

const orderFields = {
  instrument: { ...SYMBOL, required: true, description: 'Instrument symbol, e.g. H100-USDC.' },
  side: { kind: 'enum', values: SideName, required: true, description: 'buy or sell.' },
  type: { kind: 'enum', values: OrderTypeName, description: 'Order type; default limit.' },
  price: {
    kind: 'decimal',
    description: 'Limit price (limit and stop_limit orders), a whole number of ticks.',
  },
  quantity: { kind: 'decimal', required: true, description: 'Quantity, a whole number of lots.' },
  timeInForce: {
    kind: 'enum',
    values: TimeInForceName,
    description: 'GTC (default for limit and stop orders), IOC (default for market orders), FOK or GTD.',
  },
  expireAtMs: {
    kind: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    description: 'GTD only: expiry, ms since the Unix epoch.',
  },
  stopPrice: { kind: 'decimal', description: 'Stop orders only: the trigger price.' },
  triggerSource: {
    kind: 'enum',
    values: TriggerSourceName,
    description: 'Stop orders: which price triggers.',
  },
  postOnly: { kind: 'boolean', description: 'Reject instead of taking liquidity.' },
  reduceOnly: { kind: 'boolean', description: 'Only reduce the position.' },
  displayQuantity: { kind: 'decimal', description: 'Iceberg: the quantity shown in the book.' },
  stpMode: { kind: 'enum', values: StpModeName, description: 'Self-trade prevention; default none.' },
  protectionPrice: { kind: 'decimal', description: 'Market orders: worst price to trade at.' },
  clientOrderId: {
    kind: 'string',
    minLength: 1,
    maxLength: 64,
    pattern: CLIENT_ORDER_ID_PATTERN,
    patternText: '1 to 64 printable ASCII characters',
    description: 'Your id for the order; unique among your open orders; makes retries idempotent.',
  },
} as const;

export const PLACE_ORDER_SCHEMA: ObjectSchema = { fields: orderFields };

/** WebSocket private/buy and private/sell: the side comes from the method. */
const { side: _side, ...sidelessFields } = orderFields;
export const SIDELESS_ORDER_SCHEMA: ObjectSchema = { fields: sidelessFields };

export const AMEND_ORDER_SCHEMA: ObjectSchema = {
  fields: {
    instrument: { ...SYMBOL, description: 'Instrument symbol (optional; looked up from the order).' },
    price: { kind: 'decimal', description: 'New limit price.' },
    quantity: { kind: 'decimal', description: 'New open (remaining) quantity.' },
    stopPrice: { kind: 'decimal', description: 'New stop price of an untriggered stop order.' },
  },
};

export interface PlaceOrderRequest {
  instrument: string;
  side: (typeof SideName)[number];
  type?: (typeof OrderTypeName)[number];
  price?: string;
  quantity: string;
  timeInForce?: (typeof TimeInForceName)[number];
  expireAtMs?: number;
  stopPrice?: string;
  triggerSource?: (typeof TriggerSourceName)[number];
  postOnly?: boolean;
  reduceOnly?: boolean;
  displayQuantity?: string;
  stpMode?: (typeof StpModeName)[number];
  protectionPrice?: string;
  clientOrderId?: string;
}

export interface AmendOrderRequest {
  instrument?: string;
  price?: string;
  quantity?: string;
  stopPrice?: string;
}

export type Converted<T> = { ok: true; command: T } | { ok: false; error: ErrorBody };

const reject = (code: RejectCode, field: string, detail?: string): { ok: false; error: ErrorBody } => ({
  ok: false,
  error: errorBody(code, detail, field),
});

/**
 * A decimal string as a whole number of steps, exactly (integer arithmetic for plain decimals of up to
 * 15 digits, decimal.js otherwise; user input is never rounded):
 * 'off' when it is not a whole number of steps.
 */
export function toSteps(value: string, step: string): number | 'off' {
  const v = plainDecimal(value);
  const st = v === undefined ? null : stepOf(step);
  if (v !== undefined && st !== null && st.mantissa > 0) {
    // value / step = (vm / 10^vs) / (sm / 10^ss) = vm * 10^ss / (sm * 10^vs), all exact integers
    const num = v.mantissa * pow10(st.scale);
    const den = st.mantissa * pow10(v.scale);
    if (Number.isSafeInteger(num) && Number.isSafeInteger(den)) return num % den === 0 ? num / den : 'off';
  }
  const steps = new Dec(value).div(step);
  if (!steps.isInteger()) return 'off';
  return steps.toNumber();
}

function priceTicks(
  spec: ContractSpec,
  value: string,
  field: string,
  badCode: RejectCode = 'INVALID_PRICE',
): number | { ok: false; error: ErrorBody } {
  const ticks = toSteps(value, spec.tickSize);
  if (ticks === 'off')
    return reject(
      'PRICE_NOT_ON_TICK',
      field,
      `${field} ${value} is not a multiple of the tick size ${spec.tickSize}`,
    );
  if (ticks <= 0 || ticks < spec.minPriceTicks || ticks > spec.maxPriceTicks) return reject(badCode, field);
  return ticks;
}

function quantityLots(
  spec: ContractSpec,
  value: string,
  field: string,
  checkMinimum: boolean,
): number | { ok: false; error: ErrorBody } {
  const lots = toSteps(value, spec.lotSize);
  if (lots === 'off')
    return reject(
      'SIZE_NOT_ON_LOT',
      field,
      `${field} ${value} is not a multiple of the lot size ${spec.lotSize}`,
    );
  if (lots <= 0) return reject('INVALID_QUANTITY', field);
  if (checkMinimum && lots < spec.minSizeLots) return reject('SIZE_BELOW_MINIMUM', field);
  if (lots > spec.maxSizeLots) return reject('SIZE_ABOVE_MAXIMUM', field);
  return lots;
}

const isError = (v: unknown): v is { ok: false; error: ErrorBody } =>
  typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === false;

/**
 * A validated place-order request as the engine's command. Static checks that need no book state
 * (tick and lot multiples, contract limits, which fields go with which order type) answer here with
 * the engine's codes, so a request they refuse never reaches the engine's log.
 */
export function toPlaceOrder(
  r: PlaceOrderRequest,
  instrumentId: number,
  contract: ContractSpec & BookSpec,
  accountId: number,
  positionLots = 0,
): Converted<Omit<PlaceOrder, 'seq' | 'timeMs'>> {
  const orderType = parseEnumName<OrderType>(OrderTypeName, r.type ?? 'limit')!;
  const limit = orderType === OrderType.Limit || orderType === OrderType.StopLimit;
  const stop = orderType === OrderType.StopLimit || orderType === OrderType.StopMarket;
  const marketLike = orderType === OrderType.Market || orderType === OrderType.StopMarket;
  const tif = parseEnumName<TimeInForce>(
    TimeInForceName,
    r.timeInForce ?? (orderType === OrderType.Market ? 'IOC' : 'GTC'),
  )!;
  let price = 0;
  if (limit) {
    if (r.price === undefined)
      return reject('INVALID_PRICE', 'price', `price is required for ${r.type ?? 'limit'} orders`);
    const p = priceTicks(contract, r.price, 'price');
    if (isError(p)) return p;
    price = p;
  } else if (r.price !== undefined) return reject('INVALID_PRICE', 'price', 'market orders take no price');
  let stopPrice = 0;
  if (stop) {
    if (r.stopPrice === undefined)
      return reject('INVALID_STOP_PRICE', 'stopPrice', 'stop orders need a stopPrice');
    const p = priceTicks(contract, r.stopPrice, 'stopPrice', 'INVALID_STOP_PRICE');
    if (isError(p)) return p;
    stopPrice = p;
  } else if (r.stopPrice !== undefined)
    return reject('INVALID_STOP_PRICE', 'stopPrice', 'only stop orders take a stopPrice');
  let protection = 0;
  if (r.protectionPrice !== undefined) {
    if (!marketLike)
      return reject('INVALID_PRICE', 'protectionPrice', 'only market orders take a protectionPrice');
    const p = priceTicks(contract, r.protectionPrice, 'protectionPrice');
    if (isError(p)) return p;
    protection = p;
  }
  const qty = quantityLots(contract, r.quantity, 'quantity', true);
  if (isError(qty)) return qty;
  let display = 0;
  if (r.displayQuantity !== undefined) {
    const d = toSteps(r.displayQuantity, contract.lotSize);
    if (d === 'off' || d < contract.minSizeLots || d > qty)
      return reject('INVALID_DISPLAY_QUANTITY', 'displayQuantity');
    display = d;
  }
  if ((tif === TimeInForce.GTD) !== (r.expireAtMs !== undefined))
    return reject('INVALID_EXPIRY', 'expireAtMs');
  const flags = (r.postOnly ? OrderFlags.PostOnly : 0) | (r.reduceOnly ? OrderFlags.ReduceOnly : 0);
  return {
    ok: true,
    command: {
      type: CommandType.PlaceOrder,
      instrumentId,
      accountId,
      clientOrderId: r.clientOrderId ?? '',
      side: r.side === 'buy' ? Side.Buy : Side.Sell,
      orderType,
      timeInForce: tif,
      flags,
      stpMode: parseEnumName<StpMode>(StpModeName, r.stpMode ?? 'none')!,
      triggerSource: parseEnumName<TriggerSource>(TriggerSourceName, r.triggerSource ?? 'last_price')!,
      priceTicks: price,
      qtyLots: qty,
      displayLots: display,
      stopPriceTicks: stopPrice,
      expireAtMs: r.expireAtMs ?? 0,
      positionLots,
      protectionPriceTicks: protection,
    },
  };
}

/** A validated amendment as the engine's command (a missing field keeps its value). */
export function toAmendOrder(
  r: AmendOrderRequest,
  instrumentId: number,
  contract: ContractSpec & BookSpec,
  accountId: number,
  target: { orderId: number } | { clientOrderId: string },
): Converted<Omit<AmendOrder, 'seq' | 'timeMs'>> {
  if (r.price === undefined && r.quantity === undefined && r.stopPrice === undefined)
    return reject('AMEND_NO_CHANGE', 'body', 'give at least one of price, quantity, stopPrice');
  let price = 0;
  if (r.price !== undefined) {
    const p = priceTicks(contract, r.price, 'price');
    if (isError(p)) return p;
    price = p;
  }
  let qty = 0;
  if (r.quantity !== undefined) {
    const q = quantityLots(contract, r.quantity, 'quantity', false);
    if (isError(q)) return q;
    qty = q;
  }
  let stopPrice = 0;
  if (r.stopPrice !== undefined) {
    const p = priceTicks(contract, r.stopPrice, 'stopPrice', 'INVALID_STOP_PRICE');
    if (isError(p)) return p;
    stopPrice = p;
  }
  return {
    ok: true,
    command: {
      type: CommandType.AmendOrder,
      instrumentId,
      accountId,
      orderId: 'orderId' in target ? target.orderId : 0,
      clientOrderId: 'clientOrderId' in target ? target.clientOrderId : '',
      priceTicks: price,
      qtyLots: qty,
      stopPriceTicks: stopPrice,
    },
  };
}

export const QUOTE_SCHEMA: ObjectSchema = {
  fields: {
    instrument: orderFields.instrument,
    side: orderFields.side,
    price: { kind: 'decimal', required: true, description: 'Limit price.' },
    quantity: orderFields.quantity,
    postOnly: orderFields.postOnly,
    clientOrderId: orderFields.clientOrderId,
  },
};

export const MAX_QUOTES = 200;

export const MASS_QUOTE_SCHEMA: ObjectSchema = {
  fields: {
    quotes: {
      kind: 'array',
      items: QUOTE_SCHEMA,
      maxItems: MAX_QUOTES,
      required: true,
      description: 'GTC limit orders to place.',
    },
    replace: {
      kind: 'boolean',
      description: "Cancel the account's open orders on the quoted instruments first, in the same batch.",
    },
  },
};

export interface MassQuoteRequest {
  quotes: {
    instrument: string;
    side: 'buy' | 'sell';
    price: string;
    quantity: string;
    postOnly?: boolean;
    clientOrderId?: string;
  }[];
  replace?: boolean;
}

/** Ledger assets: the quote currency and one spot GPU-hour token per compute class. */
export const ASSETS: readonly string[] = [QUOTE_CURRENCY, ...COMPUTE_CLASSES.map((c) => c.id)];

export const TRANSFER_SCHEMA: ObjectSchema = {
  fields: {
    asset: {
      kind: 'enum',
      values: ASSETS,
      required: true,
      description: 'USDC, or a spot token (its compute class, e.g. H100).',
    },
    amount: {
      kind: 'decimal',
      required: true,
      description: `Amount: USDC with at most ${QUOTE_DECIMALS} decimals; tokens in whole numbers.`,
    },
  },
};

/** Stake the provider asks back (USDC): it leaves the ledger and starts unbonding on chain. */
export const STAKE_RELEASE_SCHEMA: ObjectSchema = {
  fields: {
    amount: {
      kind: 'decimal',
      required: true,
      description: `USDC with at most ${QUOTE_DECIMALS} decimals; at most the stake that backs no collateral.`,
    },
  },
};

const COMPUTE_CLASS_IDS: readonly string[] = COMPUTE_CLASSES.map((c) => c.id);

/** A provider's GPUs committed to token redemptions (replaces its commitment for the class; 0 withdraws). */
export const CAPACITY_SCHEMA: ObjectSchema = {
  fields: {
    computeClass: {
      kind: 'enum',
      values: COMPUTE_CLASS_IDS,
      required: true,
      description: 'The compute class, e.g. H100.',
    },
    gpus: {
      kind: 'integer',
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      required: true,
      description:
        'GPUs committed and not yet allocated (0 withdraws the commitment); the engine takes at most 100,000.',
    },
  },
};

/** A redemption of GPU-hour tokens: `gpus` GPUs for `hours` hours, gpus x hours tokens. */
export const REDEMPTION_SCHEMA: ObjectSchema = {
  fields: {
    computeClass: { kind: 'enum', values: COMPUTE_CLASS_IDS, required: true, description: 'The token redeemed (its compute class).' },
    gpus: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, required: true, description: 'GPUs wanted (at most 100,000).' },
    hours: {
      kind: 'integer',
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      required: true,
      description: 'Whole hours from now (at most 72); gpus x hours tokens are redeemed.',
    },
  },
}; // prettier-ignore

/** The account's payout address and the wallet's signature of payoutAddressMessage (libs/client). */
export const PAYOUT_ADDRESS_SCHEMA: ObjectSchema = {
  fields: {
    address: { kind: 'string', maxLength: 42, required: true, description: 'The wallet address (0x and 40 hex digits).' }, // prettier-ignore
    signature: {
      kind: 'string',
      maxLength: 200,
      required: true,
      description: "The wallet's personal_sign of payoutAddressMessage(accountId, address) (libs/client).",
    },
  },
};

/** A transfer amount in the ledger's minor units (USDC: 10^-6; tokens: whole); undefined when not exact or not positive. */
export function assetAmountMinor(asset: string, amount: string): bigint | undefined {
  let minor: bigint;
  if (asset === QUOTE_CURRENCY) {
    try {
      minor = toMinor(amount);
    } catch {
      return undefined;
    }
  } else {
    if (!/^\d+$/.test(amount)) return undefined;
    minor = BigInt(amount);
  }
  return minor > 0n ? minor : undefined;
}

export const SIGNUP_SCHEMA: ObjectSchema = {
  fields: {
    name: { kind: 'string', minLength: 1, maxLength: 100, required: true, description: 'Account name.' },
  },
};

export const CREATE_KEY_SCHEMA: ObjectSchema = {
  fields: {
    scopes: {
      kind: 'enumList',
      values: ['read', 'trade', 'withdraw'],
      maxItems: 3,
      required: true,
      description: 'Scopes of the new key: read, trade, withdraw (at most those of the calling key).',
    },
  },
};
