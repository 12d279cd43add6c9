import { fromMinor } from '@exchange/domain';
import type { AccountPositionView, MarginView } from '@exchange/client';
import { price, qty, type InstrumentDirectory } from '@exchange/gateway';
import type { AccountPosition, ExchangeGateway } from '../ports/exchange-gateway';

/** The risk stage's account view (EngineService.accountView): money as strings of minor units. */
export interface RiskAccountView {
  balances: Record<string, string>;
  reservedMinor?: string;
  reservedTokens?: Record<string, string>;
  positions?: AccountPosition[];
  openOrders?: unknown[];
  margin?: { equityMinor: string; maintenanceMinor: string; initialMinor: string };
  inLiquidation?: boolean;
  /** On-chain stake counted as provider collateral; `idleMinor` of it sits in the USDC balance, not available. */
  stake?: { stakeMinor: string; idleMinor: string };
}

const usdc = (minor: string | undefined) => fromMinor(BigInt(minor ?? '0'));

/** Equity, maintenance and initial margin in USDC (null where the view has no margin). */
export function marginView(v: RiskAccountView | undefined): MarginView | null {
  const m = v?.margin;
  if (m === undefined) return null;
  return {
    equity: usdc(m.equityMinor),
    maintenance: usdc(m.maintenanceMinor),
    initial: usdc(m.initialMinor),
  };
}

/** The account's futures and options positions with their cost and their instrument's mark. */
export function positionViews(
  positions: readonly AccountPosition[],
  directory: InstrumentDirectory,
  gateway: ExchangeGateway,
): AccountPositionView[] {
  const out: AccountPositionView[] = [];
  for (const p of positions) {
    const e = directory.byInstrumentId(p.instrumentId);
    if (e === undefined) continue;
    const c = e.definition.contract;
    const q = qty(Math.abs(p.qtyLots), c);
    const mark = gateway.referencePrices(p.instrumentId)?.markTicks ?? 0;
    out.push({
      instrument: e.symbol,
      quantity: p.qtyLots < 0 ? `-${q}` : q,
      cost: usdc(p.costMinor),
      markPrice: mark > 0 ? price(mark, c) : null,
    });
  }
  return out;
}

/** The risk stage's view of an account (undefined when there is no risk stage or no such account). */
export function riskView(gateway: ExchangeGateway, accountId: number): RiskAccountView | undefined {
  if (!gateway.capabilities.accountView) return undefined;
  const v = gateway.accountView(accountId) as RiskAccountView | undefined;
  return v !== undefined && typeof v === 'object' && typeof v.balances === 'object' ? v : undefined;
}
