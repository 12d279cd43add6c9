/** The sequencer's clock: the only place time enters the engine (it travels in the commands). */
export interface Clock {
  nowMs(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { nowMs: () => Date.now() };
