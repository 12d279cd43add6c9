import {
  CommandType,
  OrderType,
  Side,
  TimeInForce,
  placeOrder,
  type BookSpec,
  type InstrumentDefinition,
  type UnsequencedCommand,
} from '@exchange/domain';

/**
 * A deterministic order flow for recovery tests: the same seed always yields the same commands, so
 * a test can rebuild exactly what a crashed process was fed. Command i (from 1) will get seq i from
 * a fresh command log, which is how cancels and amendments name earlier orders.
 */
export const FLOW_SPEC: BookSpec = {
  minPriceTicks: 1,
  maxPriceTicks: 1_000_000,
  minSizeLots: 1,
  maxSizeLots: 1_000_000,
  priceBandBps: 1_000_000,
  priceBandMinTicks: 0,
  marketProtectionBps: 1000,
  maxOpenOrders: 100_000,
};

/** The flow's book is a spot book, so the risk stage reserves and settles every order. */
export const FLOW_DEFINITION: InstrumentDefinition = {
  symbol: 'FLOW',
  kind: 'spot',
  computeClass: 'H100',
  quoteCurrency: 'USDC',
  contract: { ...FLOW_SPEC, tickSize: '0.0001', lotSize: '1', multiplier: '1' },
};
export const FLOW_ACCOUNTS = 20;

/**
 * Command 1 lists the book, commands 2 to 41 fund the 20 accounts (USDC and tokens), then orders,
 * cancels and amendments follow.
 */
export function syntheticFlow(seed: number): () => UnsequencedCommand {
  let x = seed >>> 0 || 1;
  const random = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  let n = 0;
  return () => {
    n++;
    if (n === 1)
      return { type: CommandType.ListInstrument, instrumentId: 1, symbol: 'FLOW', spec: FLOW_SPEC, definition: FLOW_DEFINITION }; // prettier-ignore
    if (n <= 1 + 2 * FLOW_ACCOUNTS) {
      const accountId = Math.ceil((n - 1) / 2);
      const usdc = n % 2 === 0;
      return { type: CommandType.Deposit, accountId, asset: usdc ? 'USDC' : 'H100', amountMinor: usdc ? 10n ** 12n : 10n ** 6n }; // prettier-ignore
    }
    const r = random();
    const accountId = int(1, FLOW_ACCOUNTS);
    if (r < 0.6 || n < 50) {
      const side = random() < 0.5 ? Side.Buy : Side.Sell;
      const ioc = random() < 0.1;
      const {
        seq: _s,
        timeMs: _t,
        ...order
      } = placeOrder({
        instrumentId: 1,
        accountId,
        side,
        priceTicks:
          10_000 +
          (side === Side.Buy ? -int(0, 50) : int(0, 50)) +
          (ioc ? (side === Side.Buy ? 60 : -60) : 0),
        qtyLots: int(1, 20),
        timeInForce: ioc ? TimeInForce.IOC : TimeInForce.GTC,
        orderType: OrderType.Limit,
        displayLots: random() < 0.05 ? 1 : 0,
      });
      return order;
    }
    const orderId = int(Math.max(2, n - 200), n - 1);
    if (r < 0.8)
      return { type: CommandType.CancelOrder, instrumentId: 1, accountId, orderId, clientOrderId: '' };
    return {
      type: CommandType.AmendOrder, instrumentId: 1, accountId, orderId, clientOrderId: '',
      priceTicks: 10_000 + int(-40, 40), qtyLots: 0, stopPriceTicks: 0,
    }; // prettier-ignore
  };
}

/** The first `count` commands of a flow, sequenced as a fresh command log would (seq i, fixed time). */
export function sequencedFlow(seed: number, count: number, timeMs: number) {
  const next = syntheticFlow(seed);
  return Array.from({ length: count }, (_, i) => ({ ...next(), seq: i + 1, timeMs }));
}
