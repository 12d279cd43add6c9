import { Dec, roundToMinor } from '@exchange/domain';
import {
  accumulate,
  futureScenarioVector,
  optionScenarioVector,
  scenarioGrid,
  scenarioLabel,
  worstLoss,
} from './scenario-grid';
import type { MarginParams, Markets, Position, UnderlyingMarket } from './types';

/**
 * Scenario (SPAN / Deribit portfolio margin style) margin per underlying:
 * - scenarios: forward F(1 + u) for u = priceRange x i / priceSteps, i = -priceSteps..priceSteps, each
 *   with vol x (1 + volShift), vol, vol x (1 - volShift); plus F(1 +- extremeMove) at unchanged vol,
 *   whose losses count at extremeCover;
 * - scan risk = the worst scenario loss (>= 0), revalued with Black-76 (time unchanged);
 * - short-option minimum = shortOptionMinimum x F x GPU-hours over all short option lots;
 * - maintenance = max(scan risk, short-option minimum), rounded to the minor unit half-even;
 * - initial = maintenance x initialMultipleBps / 10,000, rounded half-up in minor units.
 * Underlyings are margined separately (no cross-underlying offsets); the account total is the sum.
 */
export interface UnderlyingMargin {
  readonly underlying: string;
  readonly maintenanceMinor: bigint;
  readonly initialMinor: bigint;
  readonly scanRisk: number;
  readonly worstScenario: string;
}

export interface AccountMargin {
  readonly maintenanceMinor: bigint;
  readonly initialMinor: bigint;
  readonly perUnderlying: readonly UnderlyingMargin[];
}

/** Worst loss over the scenario grid (>= 0) and its label. */
export function scanRisk(
  positions: readonly Position[],
  market: UnderlyingMarket,
): { loss: number; label: string } {
  const grid = scenarioGrid(market.params);
  const acc = new Float64Array(grid.count);
  const vector = new Float64Array(grid.count);
  const f = market.forward;
  for (const p of positions) {
    if (p.kind === 'future') futureScenarioVector(grid, f, p.gpuHoursPerLot, vector);
    else
      optionScenarioVector(
        grid, f, p.strike, p.timeYears, market.volAnnual(p.strike, p.timeYears), market.params.rateAnnual,
        p.isCall, p.gpuHoursPerLot, vector,
      ); // prettier-ignore
    accumulate(acc, vector, p.qtyLots, grid.count);
  }
  const worst = worstLoss(acc, grid.count);
  return { loss: worst.loss, label: worst.scenario < 0 ? 'none' : scenarioLabel(grid, worst.scenario) };
}

export function shortOptionMinimum(
  positions: readonly Position[],
  forward: number,
  params: MarginParams,
): number {
  let hours = 0;
  for (const p of positions) if (p.kind === 'option' && p.qtyLots < 0) hours += -p.qtyLots * p.gpuHoursPerLot;
  return params.shortOptionMinimum * forward * hours;
}

export function initialFromMaintenance(maintenanceMinor: bigint, initialMultipleBps: number): bigint {
  return (maintenanceMinor * BigInt(initialMultipleBps) + 5_000n) / 10_000n;
}

export function underlyingMargin(
  underlying: string,
  positions: readonly Position[],
  market: UnderlyingMarket,
): UnderlyingMargin {
  const scan = scanRisk(positions, market);
  const som = shortOptionMinimum(positions, market.forward, market.params);
  const useScan = scan.loss >= som;
  // computed money: rounded half-even to the minor unit (domain rule)
  const maintenanceMinor = roundToMinor(new Dec(useScan ? scan.loss : som));
  return {
    underlying,
    maintenanceMinor,
    initialMinor: initialFromMaintenance(maintenanceMinor, market.params.initialMultipleBps),
    scanRisk: scan.loss,
    worstScenario: useScan ? scan.label : 'short option minimum',
  };
}

/** Groups positions by underlying (sorted by name, deterministic) and sums the margins. */
export function accountMargin(
  positions: readonly Position[],
  markets: Markets,
): AccountMargin | { error: 'UNKNOWN_UNDERLYING'; underlying: string } {
  const groups = new Map<string, Position[]>();
  for (const p of positions) {
    if (p.qtyLots === 0) continue;
    const g = groups.get(p.underlying);
    if (g === undefined) groups.set(p.underlying, [p]);
    else g.push(p);
  }
  const perUnderlying: UnderlyingMargin[] = [];
  let maintenanceMinor = 0n;
  let initialMinor = 0n;
  for (const underlying of [...groups.keys()].sort()) {
    const market = markets.get(underlying);
    if (market === undefined) return { error: 'UNKNOWN_UNDERLYING', underlying };
    const m = underlyingMargin(underlying, groups.get(underlying)!, market);
    perUnderlying.push(m);
    maintenanceMinor += m.maintenanceMinor;
    initialMinor += m.initialMinor;
  }
  return { maintenanceMinor, initialMinor, perUnderlying };
}
