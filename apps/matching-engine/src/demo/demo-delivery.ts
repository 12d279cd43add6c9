import {
  CommandType,
  DEMO_LESSEE_ACCOUNT,
  DEMO_PROVIDER_ACCOUNTS,
  Side,
  TimeInForce,
  computeClass,
  placeOrder,
  priceToTicks,
  type Instrument,
  type UnsequencedCommand,
} from '@exchange/domain';

export { DEMO_LESSEE_ACCOUNT, DEMO_PROVIDER_ACCOUNTS };
/** USDC each provider posts: margin plus the provider collateral (25% of the notional) of its short. */
export const DEMO_PROVIDER_DEPOSIT_MINOR = 1_000_000_000n; // 1,000 USDC
/** USDC the lessee posts: margin, then the delivery's price into escrow at expiry. */
export const DEMO_LESSEE_DEPOSIT_MINOR = 10_000_000_000n; // 10,000 USDC

/**
 * The demo delivery session on a freshly listed physically settled future: the providers post USDC
 * collateral (a Deposit, as any provider does) where they hold none, each rests a sell of one lot at
 * the class reference price, and the lessee takes all of them with an IOC buy, so at expiry there
 * are six shorts to allocate the long to: six leases, which the simulated provider agents' profiles
 * (by lease id) take through every path, delivered and failed. `balanceOf` reads the ledger.
 */
export function demoDeliveryScript(
  future: Instrument,
  balanceOf: (accountId: number) => bigint,
): UnsequencedCommand[] {
  const cls = computeClass(future.computeClass);
  if (future.kind !== 'future' || future.future?.settlement !== 'physical' || cls === undefined)
    throw new RangeError(`${future.symbol} is not a physically settled future of a known class`);
  const id = future.instrumentId;
  const priceTicks = priceToTicks(cls.referencePrice, future.contract.tickSize);
  const script: UnsequencedCommand[] = [];
  const funding: [number, bigint][] = [
    ...DEMO_PROVIDER_ACCOUNTS.map((a): [number, bigint] => [a, DEMO_PROVIDER_DEPOSIT_MINOR]),
    [DEMO_LESSEE_ACCOUNT, DEMO_LESSEE_DEPOSIT_MINOR],
  ];
  for (const [accountId, amountMinor] of funding)
    if (balanceOf(accountId) === 0n)
      script.push({ type: CommandType.Deposit, accountId, asset: 'USDC', amountMinor });
  const order = (fields: Parameters<typeof placeOrder>[0]) => {
    const { seq: _s, timeMs: _t, ...rest } = placeOrder(fields);
    script.push(rest);
  };
  for (const accountId of DEMO_PROVIDER_ACCOUNTS)
    order({ instrumentId: id, accountId, side: Side.Sell, priceTicks, qtyLots: 1, clientOrderId: `demo-${future.symbol}-${accountId}` }); // prettier-ignore
  order({
    instrumentId: id,
    accountId: DEMO_LESSEE_ACCOUNT,
    side: Side.Buy,
    priceTicks,
    qtyLots: DEMO_PROVIDER_ACCOUNTS.length,
    timeInForce: TimeInForce.IOC,
    clientOrderId: `demo-${future.symbol}-${DEMO_LESSEE_ACCOUNT}`,
  });
  return script;
}
