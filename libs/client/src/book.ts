import { CRC32_START, crc32End, crc32Text } from '@exchange/domain';
import type { BookLevel, BookMessage } from './messages';

/** Levels per side covered by a book message's checksum. */
export const CHECKSUM_DEPTH = 10;

/**
 * Orders two non-negative decimal strings in canonical form (no sign, no exponent) exactly, without
 * converting to a binary float: longer integer part is larger, then digit by digit.
 */
export function compareDecimal(a: string, b: string): number {
  const dotA = a.indexOf('.');
  const dotB = b.indexOf('.');
  const intA = dotA < 0 ? a.length : dotA;
  const intB = dotB < 0 ? b.length : dotB;
  if (intA !== intB) return intA - intB;
  const len = Math.max(a.length - intA, b.length - intB) + intA;
  for (let i = 0; i < len; i++) {
    const ca = i < a.length && i !== dotA ? a.charCodeAt(i) : 48;
    const cb = i < b.length && i !== dotB ? b.charCodeAt(i) : 48;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}

/** True for the zero quantity a change uses to remove a level ("0", "0.000"). */
export function isZero(quantity: string): boolean {
  return /^0*(\.0*)?$/.test(quantity);
}

/**
 * CRC32 (IEEE) of the top `depth` levels: `price:quantity` of each bid best first, joined by ',',
 * then '|', then the asks the same way; prices and quantities exactly as the messages carry them.
 * Computed over the strings in place, without building the joined text.
 */
export function bookChecksum(
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  depth = CHECKSUM_DEPTH,
): number {
  const side = (crc: number, levels: readonly BookLevel[]) => {
    const n = Math.min(depth, levels.length);
    for (let i = 0; i < n; i++) {
      const l = levels[i]!;
      if (i > 0) crc = crc32Text(crc, ',');
      crc = crc32Text(crc32Text(crc32Text(crc, l[0]), ':'), l[1]);
    }
    return crc;
  };
  return crc32End(side(crc32Text(side(CRC32_START, bids), '|'), asks));
}

/** One side of a book, kept sorted best first. */
class BookSide {
  readonly levels: BookLevel[] = [];
  constructor(private readonly descending: boolean) {}

  /** Index of the level at `price`, or -(insertion point) - 1. */
  private find(price: string): number {
    let lo = 0;
    let hi = this.levels.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      let c = compareDecimal(this.levels[mid]![0], price);
      if (this.descending) c = -c;
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  set(level: BookLevel): void {
    const i = this.find(level[0]);
    if (isZero(level[1])) {
      if (i >= 0) this.levels.splice(i, 1);
    } else if (i >= 0) this.levels[i] = [level[0], level[1], level[2]];
    else this.levels.splice(-i - 1, 0, [level[0], level[1], level[2]]);
  }

  clear(): void {
    this.levels.length = 0;
  }
}

export type BookApplyResult = 'ok' | 'gap' | 'checksum' | 'no-snapshot';

/**
 * A local copy of one instrument's book, rebuilt from a snapshot and the changes after it. A change
 * whose prevChangeId is not the last applied changeId is a gap; a checksum that differs after
 * applying a change means the copy went wrong. Either way the copy is unusable until the next
 * snapshot (the SDK resubscribes).
 */
export class LocalBook {
  private readonly bidSide = new BookSide(true);
  private readonly askSide = new BookSide(false);
  changeId: number | undefined;

  constructor(readonly instrument: string) {}

  get bids(): readonly BookLevel[] {
    return this.bidSide.levels;
  }

  get asks(): readonly BookLevel[] {
    return this.askSide.levels;
  }

  get ready(): boolean {
    return this.changeId !== undefined;
  }

  reset(): void {
    this.bidSide.clear();
    this.askSide.clear();
    this.changeId = undefined;
  }

  /** Applies a snapshot or a change; anything but 'ok' leaves the copy reset. */
  apply(msg: BookMessage, verifyChecksum = true): BookApplyResult {
    if (msg.type === 'snapshot') {
      this.reset();
    } else if (this.changeId === undefined) {
      return 'no-snapshot';
    } else if (msg.prevChangeId !== this.changeId) {
      this.reset();
      return 'gap';
    }
    this.update(msg.bids, msg.asks, msg.changeId);
    if (verifyChecksum && this.checksum() !== msg.checksum) {
      this.reset();
      return 'checksum';
    }
    return 'ok';
  }

  /** Sets levels (quantity zero removes one) and moves to `changeId`, without any check. */
  update(bids: readonly BookLevel[], asks: readonly BookLevel[], changeId: number): void {
    for (const l of bids) this.bidSide.set(l);
    for (const l of asks) this.askSide.set(l);
    this.changeId = changeId;
  }

  checksum(depth = CHECKSUM_DEPTH): number {
    return bookChecksum(this.bids, this.asks, depth);
  }

  top(depth: number): { bids: BookLevel[]; asks: BookLevel[] } {
    return { bids: this.bids.slice(0, depth), asks: this.asks.slice(0, depth) };
  }
}
