import { black76Price } from '@exchange/pricing';
import type { MarginParams } from './types';

/**
 * The scenario grid of the portfolio margin, as vectors. Scenario s moves the forward by `move[s]`
 * (a fraction) and scales every implied vol by `volScale[s]`; its loss counts at `weight[s]` (1 for
 * the grid, extremeCover for the two extreme moves). An instrument's vector holds, per lot, its
 * value change under each scenario times the weight, so a portfolio's weighted loss in scenario s
 * is -sum(lots_i x vector_i[s]) and its scan risk the largest of those (or 0). Vectors are built once
 * per instrument and market state and reused by every margin call until the market moves, which is
 * what makes margining an account a few multiply-adds per position.
 *
 * Order: for i = -priceSteps..priceSteps, vol up, unchanged, down; then +extreme, -extreme.
 */
export interface ScenarioGrid {
  readonly count: number;
  readonly move: Float64Array;
  readonly volScale: Float64Array;
  readonly weight: Float64Array;
}

const grids = new WeakMap<MarginParams, ScenarioGrid>();

export function scenarioGrid(p: MarginParams): ScenarioGrid {
  const cached = grids.get(p);
  if (cached !== undefined) return cached;
  const count = (2 * p.priceSteps + 1) * 3 + 2;
  const move = new Float64Array(count);
  const volScale = new Float64Array(count);
  const weight = new Float64Array(count);
  let s = 0;
  const scales = [1 + p.volShift, 1, 1 - p.volShift];
  for (let i = -p.priceSteps; i <= p.priceSteps; i++) {
    for (const vs of scales) {
      move[s] = (p.priceRange * i) / p.priceSteps;
      volScale[s] = vs;
      weight[s++] = 1;
    }
  }
  for (const u of [p.extremeMove, -p.extremeMove]) {
    move[s] = u;
    volScale[s] = 1;
    weight[s++] = p.extremeCover;
  }
  const grid = { count, move, volScale, weight };
  grids.set(p, grid);
  return grid;
}

export function scenarioLabel(grid: ScenarioGrid, s: number): string {
  if (grid.weight[s] !== 1) return `extreme ${grid.move[s]} x${grid.weight[s]}`;
  return `move ${grid.move[s]} vol x${grid.volScale[s]}`;
}

/** A futures lot: value = hours x F, so the change is hours x F x move. */
export function futureScenarioVector(
  grid: ScenarioGrid,
  forward: number,
  unitsPerLot: number,
  out: Float64Array = new Float64Array(grid.count),
): Float64Array {
  for (let s = 0; s < grid.count; s++) out[s] = unitsPerLot * forward * grid.move[s]! * grid.weight[s]!;
  return out;
}

/** An option lot: Black-76 revalued at each scenario's forward and vol, time unchanged. */
export function optionScenarioVector(
  grid: ScenarioGrid,
  forward: number,
  strike: number,
  timeYears: number,
  volAnnual: number,
  rateAnnual: number,
  isCall: boolean,
  unitsPerLot: number,
  out: Float64Array = new Float64Array(grid.count),
): Float64Array {
  const base = black76Price(forward, strike, timeYears, volAnnual, rateAnnual, isCall);
  for (let s = 0; s < grid.count; s++) {
    const v = black76Price(
      forward * (1 + grid.move[s]!),
      strike,
      timeYears,
      volAnnual * grid.volScale[s]!,
      rateAnnual,
      isCall,
    );
    out[s] = unitsPerLot * (v - base) * grid.weight[s]!;
  }
  return out;
}

/** Adds lots x vector into the portfolio's scenario P&L accumulator. */
export function accumulate(acc: Float64Array, vector: Float64Array, lots: number, count: number): void {
  for (let s = 0; s < count; s++) acc[s] += lots * vector[s]!;
}

/** The worst weighted loss (>= 0) in an accumulator of scenario P&L (no allocation: the margin hot path). */
export function maxLoss(acc: Float64Array, count: number): number {
  let loss = 0;
  for (let s = 0; s < count; s++) if (-acc[s]! > loss) loss = -acc[s]!;
  return loss;
}

/** The worst weighted loss (>= 0) in an accumulator of scenario P&L, and its scenario (-1: none). */
export function worstLoss(acc: Float64Array, count: number): { loss: number; scenario: number } {
  let loss = 0;
  let scenario = -1;
  for (let s = 0; s < count; s++) {
    if (-acc[s]! > loss) {
      loss = -acc[s]!;
      scenario = s;
    }
  }
  return { loss, scenario };
}
