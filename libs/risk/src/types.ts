/**
 * Risk inputs. Quantities are integer lots (signed: + long, - short); `gpuHoursPerLot` is lot size x
 * multiplier (GPU-hours per contract). Prices are per GPU-hour in the quote currency, as float64 model
 * values (pricing maths is float); every money output is bigint minor units of USDC.
 */
export interface FuturePosition {
  readonly id: string;
  readonly kind: 'future';
  readonly underlying: string;
  readonly qtyLots: number;
  readonly gpuHoursPerLot: number;
}

export interface OptionPosition {
  readonly id: string;
  readonly kind: 'option';
  readonly underlying: string;
  readonly qtyLots: number;
  readonly gpuHoursPerLot: number;
  readonly strike: number;
  readonly isCall: boolean;
  readonly timeYears: number;
}

export type Position = FuturePosition | OptionPosition;

/** Per-product scenario grid parameters (data, not code). */
export interface MarginParams {
  /** Price scan range as a fraction of the forward, e.g. 0.15 for +-15%. */
  readonly priceRange: number;
  /** Buckets per side: moves are priceRange x i / priceSteps for i = -priceSteps..priceSteps. */
  readonly priceSteps: number;
  /** Relative vol shift for the up and down scenarios, e.g. 0.3 for vol x 1.3 and vol x 0.7. */
  readonly volShift: number;
  /** Extreme move as a fraction of the forward (both directions, vol unchanged). */
  readonly extremeMove: number;
  /** Fraction of the extreme-move loss that counts, e.g. 0.33. */
  readonly extremeCover: number;
  /** Short-option minimum per short option contract, as a fraction of forward x GPU-hours. */
  readonly shortOptionMinimum: number;
  /** Initial margin = maintenance x initialMultipleBps / 10,000 (e.g. 15,000 for 1.5x), rounded half-up. */
  readonly initialMultipleBps: number;
  readonly rateAnnual: number;
}

export interface UnderlyingMarket {
  readonly forward: number;
  readonly params: MarginParams;
  /** Implied vol for a strike and expiry (a surface's volAnnual, or a flat vol). */
  readonly volAnnual: (strike: number, timeYears: number) => number;
}

export type Markets = ReadonlyMap<string, UnderlyingMarket>;
