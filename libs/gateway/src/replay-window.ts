/** Signature bits kept per request: 128, as four 32-bit words. */
const WORDS = 4;
const FIRST_CAPACITY = 1024;

/** One generation's requests: an open-addressing table (linear probing) of 128-bit keys and their expiries. */
interface Generation {
  startedMs: number;
  /** When the last of its requests expires: then it is dropped whole. */
  lastExpiryMs: number;
  used: number;
  keys: Uint32Array;
  expiries: Float64Array;
}

function generation(startedMs: number, capacity: number): Generation {
  return {
    startedMs,
    lastExpiryMs: startedMs,
    used: 0,
    keys: new Uint32Array(capacity * WORDS),
    expiries: new Float64Array(capacity),
  };
}

/** The slot holding key (k0..k3) in `g`, or the empty slot where it would go. */
function slotOf(g: Generation, k0: number, k1: number, k2: number, k3: number): number {
  const mask = g.expiries.length - 1;
  for (let i = k0 & mask; ; i = (i + 1) & mask) {
    if (g.expiries[i] === 0) return i;
    const at = i * WORDS;
    if (g.keys[at] === k0 && g.keys[at + 1] === k1 && g.keys[at + 2] === k2 && g.keys[at + 3] === k3)
      return i;
  }
}

function put(g: Generation, k0: number, k1: number, k2: number, k3: number, expiryMs: number): void {
  const i = slotOf(g, k0, k1, k2, k3);
  if (g.expiries[i] === 0) g.used++;
  const at = i * WORDS;
  g.keys[at] = k0;
  g.keys[at + 1] = k1;
  g.keys[at + 2] = k2;
  g.keys[at + 3] = k3;
  g.expiries[i] = expiryMs;
  g.lastExpiryMs = Math.max(g.lastExpiryMs, expiryMs);
}

/** The same generation in a table twice as large. */
function grown(g: Generation): Generation {
  const next = generation(g.startedMs, g.expiries.length * 2);
  for (let i = 0; i < g.expiries.length; i++) {
    const e = g.expiries[i]!;
    if (e === 0) continue;
    const at = i * WORDS;
    put(next, g.keys[at]!, g.keys[at + 1]!, g.keys[at + 2]!, g.keys[at + 3]!, e);
  }
  return next;
}

/** The 32-bit word of hex digits [from, from + 8) of `hex`, or -1 if one is not a hex digit. */
function hexWord(hex: string, from: number): number {
  let w = 0;
  for (let i = from; i < from + 8; i++) {
    const c = hex.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    w = (w << 4) | d;
  }
  return w >>> 0;
}

/**
 * Remembers the signatures of the requests seen within the receive window, so that a captured
 * signed request cannot be sent again: a request is new when its signature was not seen; once its
 * timestamp falls out of the window it would be refused as stale anyway, so it is forgotten. Time
 * comes in as an argument.
 *
 * A signature is an HMAC-SHA256 the server has checked, so its first 128 bits identify the request
 * (the key, the timestamp and the body): they are all that is kept, with the request's expiry, in
 * typed arrays (about 38 bytes a request), with no object per request for the garbage collector to
 * trace. Requests are filed by generation (a quarter of the window each, in arrival order), and a
 * generation is dropped whole once its last request expires, so nothing is ever deleted from a table.
 */
export class ReplayWindow {
  private generations: Generation[] = [];
  private readonly generationMs: number;

  /** @param windowMs how long a request is kept after its timestamp (the largest receive window plus skew) */
  constructor(private readonly windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`window ${windowMs} ms is not positive`);
    this.generationMs = Math.max(1, Math.ceil(windowMs / 4));
  }

  /**
   * Records the request signed `signatureHex` (hex, at least 32 digits: its first 128 bits are
   * kept); false when it was recorded before and has not expired.
   */
  admit(signatureHex: string, timestampMs: number, nowMs: number): boolean {
    const k0 = hexWord(signatureHex, 0);
    const k1 = hexWord(signatureHex, 8);
    const k2 = hexWord(signatureHex, 16);
    const k3 = hexWord(signatureHex, 24);
    if (signatureHex.length < 32 || k0 < 0 || k1 < 0 || k2 < 0 || k3 < 0)
      throw new RangeError('a replay window keeps signatures of at least 32 hex digits');
    while (this.generations.length > 0 && this.generations[0]!.lastExpiryMs <= nowMs)
      this.generations.shift();
    for (const g of this.generations) {
      const i = slotOf(g, k0, k1, k2, k3);
      if (g.expiries[i]! > nowMs) return false;
    }
    let g = this.generations.at(-1);
    if (g === undefined || nowMs - g.startedMs >= this.generationMs) {
      g = generation(nowMs, FIRST_CAPACITY);
      this.generations.push(g);
    } else if ((g.used + 1) * 4 > g.expiries.length * 3) {
      g = grown(g);
      this.generations[this.generations.length - 1] = g;
    }
    // an expired entry of the same key in this generation is overwritten in place
    put(g, k0, k1, k2, k3, Math.max(timestampMs, nowMs) + this.windowMs);
    return true;
  }

  /** Requests held, those of a live generation that have expired included. */
  get size(): number {
    return this.generations.reduce((n, g) => n + g.used, 0);
  }

  /** Bytes of the tables. */
  get bytes(): number {
    return this.generations.reduce((n, g) => n + g.keys.byteLength + g.expiries.byteLength, 0);
  }
}
