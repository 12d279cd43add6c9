/** Where time enters the oracle: the cores get it as an argument, read from here once per call. */
export interface Clock {
  nowMs(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { nowMs: () => Date.now() };
