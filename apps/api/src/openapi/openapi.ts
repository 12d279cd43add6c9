import { TransferReasonName } from '@exchange/domain';
import { ERROR_CODES, ERROR_CODE_MEANING } from '@exchange/client';
import {
  AMEND_ORDER_SCHEMA,
  CREATE_KEY_SCHEMA,
  PLACE_ORDER_SCHEMA,
  SIGNUP_SCHEMA,
  TRANSFER_SCHEMA,
  CAPACITY_SCHEMA,
  REDEMPTION_SCHEMA,
  STAKE_RELEASE_SCHEMA,
  PAYOUT_ADDRESS_SCHEMA,
  toJsonSchema,
} from '@exchange/gateway';

type Json = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string, extra: Json = {}) => ({ type: 'string', description, ...extra });
const dec = (description: string) => ({ type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description });
const int = (description: string) => ({ type: 'integer', description });
const nullable = (s: Json) => ({ ...s, type: [s.type as string, 'null'] });
const obj = (properties: Json, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});
const list = (item: Json) => ({ type: 'array', items: item });

const schemas: Json = {
  Error: obj(
    {
      code: {
        type: 'string',
        enum: [...ERROR_CODES],
        description: 'Stable error code (see the table in the description).',
      },
      message: str('Human-readable explanation.'),
      field: str('The request field the error is about, when there is one.'),
    },
    ['code', 'message'],
  ),
  Instrument: obj({
    instrumentId: int('Numeric id (the key in every log, table and message).'),
    symbol: str('e.g. H100-USDC, H100-2612, H100-2612-C-2.50'),
    kind: { type: 'string', enum: ['spot', 'future', 'option'] },
    computeClass: str('GPU class, e.g. H100.'),
    quoteCurrency: str('USDC'),
    status: { type: 'string', enum: ['trading', 'halted', 'closed'] },
    tickSize: dec('Price increment.'),
    lotSize: dec('Quantity increment.'),
    multiplier: dec('GPU-hours per contract.'),
    minPrice: dec('Lowest price accepted.'),
    maxPrice: dec('Highest price accepted.'),
    minQuantity: dec('Smallest order quantity.'),
    maxQuantity: dec('Largest order quantity.'),
    priceBandBps: int('Half-width of the price band around the reference price, basis points.'),
    marketProtectionBps: int('How far through the best price a market order may trade, basis points.'),
    maxOpenOrders: int('Open orders per account on this instrument.'),
  }),
  BookLevel: {
    type: 'array',
    prefixItems: [dec('price'), dec('quantity'), int('orders')],
    minItems: 3,
    maxItems: 3,
  },
  Book: obj({
    instrument: str('Symbol.'),
    changeId: int('Seq of the last command that changed the book.'),
    bids: list(ref('BookLevel')),
    asks: list(ref('BookLevel')),
  }),
  Trade: obj({
    instrument: str('Symbol.'),
    tradeId: int('Per instrument, from 1, without gaps.'),
    price: dec('Price.'),
    quantity: dec('Quantity.'),
    side: { type: 'string', enum: ['buy', 'sell'], description: "The taker's side." },
    seq: int('Seq of the command that traded.'),
  }),
  Ticker: obj({
    instrument: str('Symbol.'),
    bestBidPrice: nullable(dec('Best bid.')),
    bestBidQuantity: nullable(dec('Quantity at the best bid.')),
    bestAskPrice: nullable(dec('Best ask.')),
    bestAskQuantity: nullable(dec('Quantity at the best ask.')),
    lastPrice: nullable(dec('Last trade price.')),
    changeId: int('Book change id.'),
    timestampMs: int('Server time.'),
  }),
  Order: obj({
    orderId: int('The seq of the command that placed it.'),
    clientOrderId: str('Your id, or empty.'),
    instrument: str('Symbol.'),
    side: { type: 'string', enum: ['buy', 'sell'] },
    type: { type: 'string', enum: ['limit', 'market', 'stop_limit', 'stop_market'] },
    timeInForce: { type: 'string', enum: ['GTC', 'IOC', 'FOK', 'GTD'] },
    price: nullable(dec('Limit price.')),
    stopPrice: nullable(dec('Stop price.')),
    quantity: dec('Quantity ordered.'),
    filledQuantity: dec('Quantity filled.'),
    remainingQuantity: dec('Quantity open.'),
    status: { type: 'string', enum: ['open', 'untriggered', 'filled', 'cancelled', 'expired'] },
    postOnly: { type: 'boolean' },
    reduceOnly: { type: 'boolean' },
    createdSeq: int('Seq that placed it.'),
    updatedSeq: int('Seq of its last change.'),
  }),
  Fill: obj({
    tradeId: int('Trade id.'),
    orderId: int('Your order.'),
    instrument: str('Symbol.'),
    side: { type: 'string', enum: ['buy', 'sell'] },
    price: dec('Price.'),
    quantity: dec('Quantity.'),
    liquidity: { type: 'string', enum: ['maker', 'taker'] },
    seq: int('Seq of the command that traded.'),
  }),
  PlaceResult: obj({ order: ref('Order'), fills: list(ref('Fill')) }),
  AmendResult: obj({
    orderId: int('Order id.'),
    price: nullable(dec('Limit price now.')),
    stopPrice: nullable(dec('Stop price now.')),
    remainingQuantity: dec('Open quantity now.'),
    priorityKept: { type: 'boolean', description: 'False when the order went to the back of its queue.' },
    fills: list(ref('Fill')),
  }),
  CancelResult: obj({ orderId: int('Order id.'), cancelledQuantity: dec('Quantity cancelled.') }),
  MassCancelResult: obj({ cancelled: list(int('Order id.')) }),
  Position: obj({
    instrument: str('Symbol.'),
    quantity: dec('Signed net quantity.'),
    updatedSeq: int('Seq.'),
  }),
  Balance: obj({ asset: str('Asset.'), balance: dec('Balance.') }, ['asset', 'balance']),
  Transfer: obj({ asset: str('Asset.'), amount: dec('Amount.'), seq: int('Seq of the command.') }),
  PayoutAddress: obj({
    accountId: int('Account.'),
    address: nullable(str('Checksummed address, null when none.')),
  }),
  Capacity: obj({
    computeClass: str('Compute class.'),
    gpus: int('GPUs committed.'),
    seq: int('Seq of the command.'),
  }),
  StakeRelease: obj({
    amount: str('USDC released.'),
    seq: int('Seq of the command.'),
  }),
  Redemption: obj({
    computeClass: str('Compute class.'),
    gpus: int('GPUs.'),
    hours: int('Hours from the command time.'),
    tokens: dec('Tokens moved into escrow (gpus x hours), burnt hour by hour as service is verified.'),
    seq: int('Seq of the command; the leases are <class>-RDM-<seq>-<n>.'),
    leases: list(
      obj({
        leaseId: str('Lease id.'),
        providerAccountId: int('The provider that delivers.'),
        gpus: int('GPUs of this lease.'),
        deliveryStartMs: int('Start of delivery (ms).'),
        deliveryEndMs: int('End of delivery (ms).'),
      }),
    ),
  }),
  Signup: obj({
    accountId: int('New account.'),
    keyId: str('API key id.'),
    secret: str('API secret: shown once, never stored in clear.'),
    scopes: list({ type: 'string', enum: ['read', 'trade', 'withdraw'] }),
  }),
  NewKey: obj({ keyId: str('API key id.'), secret: str('Shown once.'), scopes: list({ type: 'string' }) }),
  Candle: obj({
    startMs: int('Start of the bucket (engine time, ms); trades in [startMs, startMs + resolution).'),
    open: dec('First trade price.'),
    high: dec('Highest trade price.'),
    low: dec('Lowest trade price.'),
    close: dec('Last trade price.'),
    volume: dec('Quantity traded.'),
    trades: int('Number of trades.'),
  }),
  Candles: obj({
    instrument: str('Symbol.'),
    resolution: { type: 'string', enum: ['1m', '5m', '15m', '1h', '4h', '1d'] },
    candles: list(ref('Candle')),
  }),
  IndexPrice: obj({
    index: str('Compute class (H100, A100, L40S, RTX4090) or CU.'),
    price: dec('USDC per GPU-hour (CU: per H100-equivalent hour).'),
    low: dec('Low end of the confidence band.'),
    high: dec('High end of the confidence band.'),
    utilisationBps: int('Utilisation of the providers behind the round, basis points.'),
    providers: int('Providers in the round.'),
    roundId: int('Round number, from 1.'),
    publishedAtMs: int('Publication time, ms.'),
    signature: nullable(str("The oracle's EIP-712 signature of the round.")),
  }),
  MarkPrice: obj({
    instrument: str('Symbol.'),
    kind: { type: 'string', enum: ['spot', 'future', 'option'] },
    markPrice: nullable(
      dec(
        'Futures: index plus the clamped EMA of the basis; options: Black-76 at the surface vol. Null before the first mark and for spot.',
      ),
    ),
    indexPrice: nullable(dec("Futures: the class index in the future's ticks.")),
    markTimeMs: nullable(int('Engine time of the last mark change.')),
  }),
  SettlementPrice: obj({
    instrument: str('Symbol.'),
    kind: { type: 'string', enum: ['daily', 'expiry'] },
    businessDate: nullable(str('Daily: the business date (UTC), YYYY-MM-DD.')),
    price: dec("The settlement price (an option: its future's final price)."),
    intrinsicValue: nullable(dec('Options at expiry: intrinsic value paid per unit.')),
    leases: int('Leases opened by physical delivery.'),
    seq: int('Seq of the settlement command.'),
  }),
  VolSlice: obj({
    underlying: str('The future the options are on.'),
    expiryMs: int('Expiry of the options.'),
    forward: dec("The future's mark."),
    timeYears: { type: 'number', description: 'Time to expiry, years of 365 days.' },
    quotes: int('Options with a two-sided quote whose implied vol was found.'),
    status: { type: 'string', enum: ['OK', 'REPAIRED', 'ARBITRAGE_REMAINS', 'INSUFFICIENT_DATA'] },
    params: nullable({
      type: 'object',
      description: 'Raw SVI of total variance: w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)).',
      properties: {
        a: { type: 'number' },
        b: { type: 'number' },
        rho: { type: 'number' },
        m: { type: 'number' },
        sigma: { type: 'number' },
      },
    }),
    rmseTotalVariance: nullable({ type: 'number', description: 'Fit error in total variance.' }),
    grid: list(
      obj({
        strike: dec('Listed strike.'),
        logMoneyness: { type: 'number', description: 'ln(strike / forward).' },
        vol: nullable({ type: 'number', description: "The surface's annual implied vol there." }),
      }),
    ),
  }),
  VolSurface: obj({
    computeClass: str('Compute class.'),
    asOfMs: int('Valuation time.'),
    slices: list(ref('VolSlice')),
  }),
  AccountSettlement: obj({
    seq: int('Seq of the command.'),
    reason: str(
      'variation_margin, future_final_settlement, option_exercise, escrow_fund, escrow_release, escrow_refund, collateral_lock, collateral_release, slash_compensation, slash_insurance, ...',
    ),
    instrument: nullable(str('Symbol.')),
    asset: str('Asset.'),
    amount: dec('Signed: positive into the account.'),
    leaseId: nullable(str('The lease of a lease transfer.')),
    settlementKind: nullable({ type: 'string', enum: ['daily', 'expiry'] }),
    price: nullable(dec('The settlement price of that command.')),
  }),
  LedgerEntry: obj({
    entryId: int('Increases with every entry: the cursor of beforeEntryId.'),
    txId: str('The transfer this entry is one side of: <seq>:<index within the command>.'),
    asset: str('Asset.'),
    amount: dec('Signed: positive into the account.'),
    kind: { type: 'string', enum: [...TransferReasonName] },
    seq: int('Seq of the command.'),
  }),
  Lease: obj({
    leaseId: str('Lease id.'),
    instrument: nullable(str('The delivered future.')),
    role: { type: 'string', enum: ['lessee', 'provider'] },
    providerAccountId: int('Provider.'),
    lesseeAccountId: int('Lessee.'),
    state: {
      type: 'string',
      enum: [
        'allocated',
        'provisioned',
        'verified',
        'active',
        'completed',
        'failed',
        'disputed',
        'slashed',
        'voided',
      ],
    },
    failureReason: nullable(
      str('not_provisioned, not_verified, benchmark_below_threshold, heartbeat_missed.'),
    ),
    gpuCount: int('GPUs.'),
    deliveryStartMs: int('Delivery window start.'),
    deliveryEndMs: int('Delivery window end.'),
    releasedHours: int('Hours paid out of escrow.'),
    paid: dec('USDC paid into escrow.'),
    released: dec('USDC released to the provider.'),
    refunded: dec('USDC refunded to the lessee.'),
    collateral: dec("Provider's collateral, USDC."),
    updatedSeq: int('Seq of the last change.'),
  }),
  Health: obj(
    {
      status: { type: 'string', enum: ['ok', 'failed'] },
      app: str('api'),
      lastSeq: int('The last seq the api has seen.'),
      error: str('Why orders cannot reach the engine (failed only).'),
    },
    ['status', 'app', 'lastSeq'],
  ),
  Key: obj({
    keyId: str('API key id.'),
    scopes: list({ type: 'string' }),
    createdAt: str('ISO time', { format: 'date-time' }),
    revokedAt: nullable(str('ISO time', { format: 'date-time' })),
  }),
};

const errors = (...statuses: number[]): Json =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      { description: 'Error', content: { 'application/json': { schema: ref('Error') } } },
    ]),
  );
const ok = (schema: Json, status = 200, description = 'OK'): Json => ({
  [String(status)]: { description, content: { 'application/json': { schema } } },
});
const body = (schema: Json) => ({ required: true, content: { 'application/json': { schema } } });
const q = (name: string, schema: Json, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  schema,
  description,
});
const p = (name: string, schema: Json, description: string) => ({
  name,
  in: 'path',
  required: true,
  schema,
  description,
});
const symbolPath = p('symbol', { type: 'string' }, 'Instrument symbol.');
const orderIdPath = p('orderId', { type: 'integer', minimum: 1 }, 'Order id.');
const cidPath = p('clientOrderId', { type: 'string' }, 'Client order id.');
const instrumentQuery = q('instrument', { type: 'string' }, 'Only this instrument.');
const limitQuery = q(
  'limit',
  { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  'At most this many.',
);
const indexPath = p('index', { type: 'string' }, 'Index: a compute class or CU.');
const fromQuery = q('from', { type: 'integer', minimum: 0 }, 'From this time (ms), inclusive.');
const toQuery = q('to', { type: 'integer', minimum: 0 }, 'To this time (ms), exclusive.');
const signed = [{ apiKey: [], apiTimestamp: [], apiSignature: [] }];
const AUTH_ERRORS = [400, 401, 403, 413, 429];

function op(summary: string, tag: string, extra: Json, security?: 'read' | 'trade' | 'withdraw'): Json {
  return {
    summary: security ? `${summary} (scope: ${security})` : summary,
    tags: [tag],
    operationId: summary
      .replace(/[^A-Za-z]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toLowerCase()),
    ...(security ? { security: signed } : { security: [] }),
    ...extra,
  };
}

const paths: Json = {
  '/health': {
    get: op('Health', 'system', {
      description: 'Not rate limited. 503 once orders cannot reach the engine (its command log failed).',
      responses: { ...ok(ref('Health')), ...ok(ref('Health'), 503, 'Orders cannot reach the engine') },
    }),
  },
  '/v1/time': {
    get: op('Server time', 'market', { responses: ok(obj({ serverTimeMs: int('ms since the epoch') })) }),
  },
  '/v1/instruments': {
    get: op('List instruments', 'market', {
      parameters: [
        q('kind', { type: 'string', enum: ['spot', 'future', 'option'] }, 'Filter by kind.'),
        q('computeClass', { type: 'string' }, 'Filter by GPU class.'),
      ],
      responses: { ...ok(list(ref('Instrument'))), ...errors(400, 429) },
    }),
  },
  '/v1/instruments/{symbol}': {
    get: op('Get instrument', 'market', {
      parameters: [symbolPath],
      responses: { ...ok(ref('Instrument')), ...errors(404, 429) },
    }),
  },
  '/v1/book/{symbol}': {
    get: op('Order book', 'market', {
      parameters: [
        symbolPath,
        q('depth', { type: 'integer', minimum: 1, maximum: 1000, default: 20 }, 'Levels per side.'),
      ],
      responses: { ...ok(ref('Book')), ...errors(400, 404, 429) },
    }),
  },
  '/v1/trades/{symbol}': {
    get: op('Recent trades', 'market', {
      parameters: [symbolPath, limitQuery],
      responses: { ...ok(list(ref('Trade'))), ...errors(400, 404, 429) },
    }),
  },
  '/v1/ticker/{symbol}': {
    get: op('Ticker', 'market', {
      parameters: [symbolPath],
      responses: { ...ok(ref('Ticker')), ...errors(404, 429) },
    }),
  },
  '/v1/candles/{symbol}': {
    get: op('Candles', 'market', {
      description:
        "OHLCV of the instrument's trades per bucket of engine time: the newest `limit` buckets that start in [from, to), oldest first. Kept by the api from the events it receives: they cover the trades since the api started.",
      parameters: [
        symbolPath,
        q(
          'resolution',
          { type: 'string', enum: ['1m', '5m', '15m', '1h', '4h', '1d'] },
          'Bucket width.',
          true,
        ),
        fromQuery,
        toQuery,
        q(
          'limit',
          { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
          'At most this many buckets.',
        ),
      ],
      responses: { ...ok(ref('Candles')), ...errors(400, 404, 429) },
    }),
  },
  '/v1/index': {
    get: op('Index prices', 'market', {
      description: "The newest published round of every index (the oracle's rounds in PostgreSQL).",
      responses: { ...ok(list(ref('IndexPrice'))), ...errors(400, 429) },
    }),
  },
  '/v1/index/{index}': {
    get: op('Index price', 'market', {
      parameters: [indexPath],
      responses: { ...ok(ref('IndexPrice')), ...errors(404, 429) },
    }),
  },
  '/v1/index/{index}/history': {
    get: op('Index history', 'market', {
      description: 'Rounds published in [from, to): the newest `limit`, oldest first.',
      parameters: [indexPath, fromQuery, toQuery, limitQuery],
      responses: { ...ok(list(ref('IndexPrice'))), ...errors(400, 404, 429) },
    }),
  },
  '/v1/mark/{symbol}': {
    get: op('Mark price', 'market', {
      description:
        "The engine's mark (and a future's index) price. 501 NOT_AVAILABLE in the distributed deployment (marks live in the engine shards).",
      parameters: [symbolPath],
      responses: { ...ok(ref('MarkPrice')), ...errors(404, 429, 501) },
    }),
  },
  '/v1/surface/{computeClass}': {
    get: op('Volatility surface', 'market', {
      description:
        "SVI parameters per expiry and implied vols by strike, fitted (as the engine's mark feed does) to the option books' mid implied vols at the futures' marks. 501 NOT_AVAILABLE in the distributed deployment.",
      parameters: [p('computeClass', { type: 'string' }, 'Compute class, e.g. H100.')],
      responses: { ...ok(ref('VolSurface')), ...errors(404, 429, 501) },
    }),
  },
  '/v1/settlement-prices': {
    get: op('Settlement prices', 'market', {
      description: 'Daily and final settlement prices the engine applied, newest first.',
      parameters: [
        instrumentQuery,
        q('kind', { type: 'string', enum: ['daily', 'expiry'] }, 'Only this kind.'),
        limitQuery,
      ],
      responses: { ...ok(list(ref('SettlementPrice'))), ...errors(400, 429) },
    }),
  },
  '/v1/signup': {
    post: op('Sign up', 'account', {
      description: 'Development sign-up: creates an account and an API key with every scope.',
      requestBody: body(toJsonSchema(SIGNUP_SCHEMA)),
      responses: { ...ok(ref('Signup'), 201, 'Created'), ...errors(400, 413, 429) },
    }),
  },
  '/v1/orders': {
    post: op(
      'Place order',
      'orders',
      {
        description:
          'Prices and quantities are decimal strings; a value off the tick or lot is refused (PRICE_NOT_ON_TICK, SIZE_NOT_ON_LOT). A retry with the same clientOrderId and the same body gets the first answer.',
        requestBody: body(toJsonSchema(PLACE_ORDER_SCHEMA)),
        responses: {
          ...ok(ref('PlaceResult'), 201, 'Accepted by the engine'),
          ...errors(...AUTH_ERRORS, 409),
        },
      },
      'trade',
    ),
    delete: op(
      'Cancel all orders',
      'orders',
      {
        parameters: [instrumentQuery],
        responses: { ...ok(ref('MassCancelResult')), ...errors(...AUTH_ERRORS) },
      },
      'trade',
    ),
  },
  '/v1/orders/open': {
    get: op(
      'Open orders',
      'orders',
      { parameters: [instrumentQuery], responses: { ...ok(list(ref('Order'))), ...errors(...AUTH_ERRORS) } },
      'read',
    ),
  },
  '/v1/orders/history': {
    get: op(
      'Order history',
      'orders',
      {
        parameters: [
          instrumentQuery,
          limitQuery,
          q('beforeOrderId', { type: 'integer', minimum: 1 }, 'Page: orders placed before this one.'),
        ],
        responses: { ...ok(list(ref('Order'))), ...errors(...AUTH_ERRORS) },
      },
      'read',
    ),
  },
  '/v1/orders/{orderId}': {
    get: op(
      'Get order',
      'orders',
      { parameters: [orderIdPath], responses: { ...ok(ref('Order')), ...errors(...AUTH_ERRORS, 404) } },
      'read',
    ),
    patch: op(
      'Amend order',
      'orders',
      {
        parameters: [orderIdPath],
        requestBody: body(toJsonSchema(AMEND_ORDER_SCHEMA)),
        responses: { ...ok(ref('AmendResult')), ...errors(...AUTH_ERRORS, 404) },
      },
      'trade',
    ),
    delete: op(
      'Cancel order',
      'orders',
      {
        parameters: [orderIdPath],
        responses: { ...ok(ref('CancelResult')), ...errors(...AUTH_ERRORS, 404) },
      },
      'trade',
    ),
  },
  '/v1/orders/by-client-id/{clientOrderId}': {
    patch: op(
      'Amend order by client id',
      'orders',
      {
        parameters: [cidPath],
        requestBody: body(toJsonSchema(AMEND_ORDER_SCHEMA)),
        responses: { ...ok(ref('AmendResult')), ...errors(...AUTH_ERRORS, 404) },
      },
      'trade',
    ),
    delete: op(
      'Cancel order by client id',
      'orders',
      { parameters: [cidPath], responses: { ...ok(ref('CancelResult')), ...errors(...AUTH_ERRORS, 404) } },
      'trade',
    ),
  },
  '/v1/fills': {
    get: op(
      'Fills',
      'account',
      {
        parameters: [instrumentQuery, limitQuery],
        responses: { ...ok(list(ref('Fill'))), ...errors(...AUTH_ERRORS) },
      },
      'read',
    ),
  },
  '/v1/positions': {
    get: op(
      'Positions',
      'account',
      { responses: { ...ok(list(ref('Position'))), ...errors(...AUTH_ERRORS) } },
      'read',
    ),
  },
  '/v1/balances': {
    get: op(
      'Balances',
      'account',
      { responses: { ...ok(list(ref('Balance'))), ...errors(...AUTH_ERRORS) } },
      'read',
    ),
  },
  '/v1/account': {
    get: op(
      'Account view',
      'account',
      {
        description:
          'Balances, positions and margin from the risk stage; 501 NOT_AVAILABLE where the engine has none.',
        responses: { ...ok({ type: 'object' }), ...errors(...AUTH_ERRORS, 501) },
      },
      'read',
    ),
  },
  '/v1/account/settlements': {
    get: op(
      'Account settlements',
      'account',
      {
        description: "The account's settlement and lease cash flows, newest first.",
        parameters: [instrumentQuery, limitQuery],
        responses: { ...ok(list(ref('AccountSettlement'))), ...errors(...AUTH_ERRORS) },
      },
      'read',
    ),
  },
  '/v1/account/ledger': {
    get: op(
      'Account ledger',
      'account',
      {
        description:
          "The account's ledger entries, newest first: every transfer in or out (deposits, withdrawals, spot settlement, fees, premiums, realised P&L, variation margin, expiry, lease money), one entry per side.",
        parameters: [
          q('asset', { type: 'string' }, 'Only this asset.'),
          q('kind', { type: 'string', enum: [...TransferReasonName] }, 'Only this kind.'),
          limitQuery,
          q('beforeEntryId', { type: 'integer', minimum: 1 }, 'Page: entries before this one.'),
        ],
        responses: { ...ok(list(ref('LedgerEntry'))), ...errors(...AUTH_ERRORS, 503) },
      },
      'read',
    ),
  },
  '/v1/account/leases': {
    get: op(
      'Account leases',
      'account',
      {
        description:
          'The compute leases the account takes (lessee) or delivers (provider), after their latest change.',
        responses: { ...ok(list(ref('Lease'))), ...errors(...AUTH_ERRORS) },
      },
      'read',
    ),
  },
  '/v1/faucet': {
    post: op(
      'Faucet deposit',
      'account',
      {
        description:
          'Development faucet (embedded mode): a deposit without a chain. 501 NOT_AVAILABLE where the engine has no deposit command or API_FAUCET=off.',
        requestBody: body(toJsonSchema(TRANSFER_SCHEMA)),
        responses: { ...ok(ref('Transfer')), ...errors(...AUTH_ERRORS, 501) },
      },
      'trade',
    ),
  },
  '/v1/withdrawals': {
    post: op(
      'Withdraw',
      'account',
      {
        requestBody: body(toJsonSchema(TRANSFER_SCHEMA)),
        responses: { ...ok(ref('Transfer')), ...errors(...AUTH_ERRORS, 501) },
      },
      'withdraw',
    ),
  },
  '/v1/account/payout-address': {
    get: op(
      'Get payout address',
      'account',
      { responses: { ...ok(ref('PayoutAddress')), ...errors(...AUTH_ERRORS, 501) } },
      'read',
    ),
    put: op(
      'Set payout address',
      'account',
      {
        description:
          "Where the account's on-chain payouts go and its GPU-hour token withdrawals are minted; burns from it are credited to the account. The signature is the wallet's personal_sign of `ComputeExchange payout address\\naccount: <id>\\naddress: <address in lower case>` (payoutAddressMessage in libs/client). Errors: INVALID_PAYOUT_ADDRESS, PAYOUT_SIGNATURE_INVALID, ADDRESS_IN_USE (409); 501 without chain settlement.",
        requestBody: body(toJsonSchema(PAYOUT_ADDRESS_SCHEMA)),
        responses: { ...ok(ref('PayoutAddress')), ...errors(...AUTH_ERRORS, 409, 501) },
      },
      'withdraw',
    ),
  },
  '/v1/capacity': {
    post: op(
      'Commit capacity',
      'compute',
      {
        description:
          "A provider commits GPUs of a class to token redemptions, replacing its commitment (0 withdraws). Locks provider collateral: 25% of the GPUs' value at the class index over 72 h. Errors: NO_INDEX_PRICE, INSUFFICIENT_PROVIDER_COLLATERAL, INVALID_QUANTITY.",
        requestBody: body(toJsonSchema(CAPACITY_SCHEMA)),
        responses: { ...ok(ref('Capacity')), ...errors(...AUTH_ERRORS) },
      },
      'trade',
    ),
  },
  '/v1/stake/releases': {
    post: op(
      'Release stake',
      'compute',
      {
        description:
          "Releases USDC of the provider's on-chain stake (staked in the ProviderCollateral contract and credited by the chain bridge): it leaves the ledger and unbonds on chain (the unbonding delay, during which it stays slashable), then the provider's address withdraws it. Only stake that backs no collateral (leases, capacity commitments, physically settled shorts) may leave. Errors: INSUFFICIENT_STAKE, INSUFFICIENT_PROVIDER_COLLATERAL, INVALID_AMOUNT.",
        requestBody: body(toJsonSchema(STAKE_RELEASE_SCHEMA)),
        responses: { ...ok(ref('StakeRelease')), ...errors(...AUTH_ERRORS) },
      },
      'withdraw',
    ),
  },
  '/v1/redemptions': {
    post: op(
      'Redeem tokens',
      'compute',
      {
        description:
          "Redeems gpus x hours GPU-hour tokens for compute from now: the tokens go into escrow and the request is allocated pro rata over the providers' committed capacity, one lease per provider. Errors: INSUFFICIENT_BALANCE, INSUFFICIENT_CAPACITY, INVALID_DURATION, NO_INDEX_PRICE.",
        requestBody: body(toJsonSchema(REDEMPTION_SCHEMA)),
        responses: { ...ok(ref('Redemption')), ...errors(...AUTH_ERRORS) },
      },
      'trade',
    ),
  },
  '/v1/keys': {
    get: op(
      'List keys',
      'keys',
      { responses: { ...ok(list(ref('Key'))), ...errors(...AUTH_ERRORS) } },
      'read',
    ),
    post: op(
      'Create key',
      'keys',
      {
        requestBody: body(toJsonSchema(CREATE_KEY_SCHEMA)),
        responses: { ...ok(ref('NewKey'), 201, 'Created'), ...errors(...AUTH_ERRORS) },
      },
      'read',
    ),
  },
  '/v1/keys/{keyId}': {
    delete: op(
      'Revoke key',
      'keys',
      {
        parameters: [p('keyId', { type: 'string' }, 'Key id.')],
        responses: {
          ...ok(obj({ keyId: str('Key id.'), revokedAt: str('ISO time') })),
          ...errors(...AUTH_ERRORS, 404),
        },
      },
      'read',
    ),
  },
};

const DESCRIPTION = `REST API of the GPU-compute exchange. Prices and quantities are decimal strings; they must be whole
multiples of the instrument's tick and lot sizes (never rounded).

**Signing.** Signed endpoints need three headers: \`x-api-key\`, \`x-api-timestamp\` (ms since the epoch) and
\`x-api-signature\` = hex HMAC-SHA256(secret, timestamp + METHOD + path-with-query + body). The timestamp must be
within the receive window (default 5000 ms, \`x-api-recv-window\` up to 60000) of the server's clock; a signature
is accepted once (a replay is REPLAYED_REQUEST). Keys have scopes read, trade, withdraw and can be revoked.

**Rate limits.** A token bucket per key (and per address for public endpoints); over the limit: 429 RATE_LIMITED
with Retry-After (seconds).

**Errors.** Every error is \`{ code, message, field? }\`; a refused request changes nothing.

**WebSocket.** JSON-RPC 2.0 at \`/ws\` on this port: public/auth, public/subscribe (book.{symbol}, trades.{symbol},
ticker.{symbol}, mark.{symbol}, index.{class}, user.orders, user.fills, user.positions, user.margin), public/unsubscribe, public/set_heartbeat, public/test, private/buy,
private/sell, private/edit, private/cancel, private/cancel_all, private/mass_quote, the account's reads (scope read,
answered as their REST resources: private/get_open_orders, get_order, get_order_history, get_fills,
get_positions, get_balances, get_account), private/enable_cancel_on_disconnect. A JSON-RPC batch (an array of up to 100 requests, API_WS_MAX_BATCH) is
dispatched in order in one turn (its orders reach the engine in that order) and answered by one array message in
request order, without entries for notifications. Book channels send a snapshot, then changes with changeId and prevChangeId
(a mismatch is a gap: subscribe again for a new snapshot) and a CRC32 of the top 10 levels.
\`mark.{symbol}\` and \`index.{class}\` send the current value on subscribe, then each change (index rounds are read from
the oracle's store every second); \`user.positions\` and \`user.margin\` (scope read) send the account's positions and
margin (as GET /v1/account) on subscribe, then whenever a trade, a settlement, a transfer or a mark changes them. Mark,
surface and user.margin answer NOT_AVAILABLE in the distributed deployment (user.positions there: from the events, no mark).

| code | meaning |
| --- | --- |
${ERROR_CODES.map((c) => `| ${c} | ${ERROR_CODE_MEANING[c]} |`).join('\n')}
`;

/** The OpenAPI 3.1 document of the REST API. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: { title: 'Compute exchange API', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: '/' }],
    tags: [
      { name: 'market', description: 'Public market data.' },
      { name: 'orders', description: 'Order entry and orders.' },
      { name: 'account', description: 'Account, positions, balances, transfers.' },
      { name: 'keys', description: 'API keys.' },
      { name: 'system', description: 'Health.' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key id.' },
        apiTimestamp: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-timestamp',
          description: 'ms since the epoch.',
        },
        apiSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-signature',
          description: 'hex HMAC-SHA256.',
        },
      },
    },
  };
}
