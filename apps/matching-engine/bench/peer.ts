import { OrderBook as PeerBook, Side as PeerSide, type LimitOrderOptions } from 'nodejs-order-book';
import { CommandType, Side, TimeInForce, type Command } from '@exchange/domain';

/**
 * The same command stream for nodejs-order-book: new GTC and IOC limits, cancels and moves
 * (its `modify` with a new price). Conversion happens before timing; ids are strings there.
 */
const OP_LIMIT = 0;
const OP_CANCEL = 1;
const OP_MOVE = 2;
type PeerTif = NonNullable<LimitOrderOptions['timeInForce']>;
const GTC = 'GTC' as PeerTif;
const IOC = 'IOC' as PeerTif;

export interface PeerStream {
  ops: Uint8Array;
  ids: string[];
  sides: PeerSide[];
  prices: Float64Array;
  sizes: Float64Array;
  tifs: PeerTif[];
}

export function toPeerStream(commands: readonly Command[]): PeerStream {
  const n = commands.length;
  const s: PeerStream = {
    ops: new Uint8Array(n),
    ids: new Array(n),
    sides: new Array(n),
    prices: new Float64Array(n),
    sizes: new Float64Array(n),
    tifs: new Array(n),
  };
  commands.forEach((c, i) => {
    if (c.type === CommandType.PlaceOrder) {
      s.ops[i] = OP_LIMIT;
      s.ids[i] = String(c.seq);
      s.sides[i] = c.side === Side.Buy ? PeerSide.BUY : PeerSide.SELL;
      s.prices[i] = c.priceTicks;
      s.sizes[i] = c.qtyLots;
      s.tifs[i] = c.timeInForce === TimeInForce.IOC ? IOC : GTC;
    } else if (c.type === CommandType.CancelOrder) {
      s.ops[i] = OP_CANCEL;
      s.ids[i] = String(c.orderId);
    } else if (c.type === CommandType.AmendOrder) {
      s.ops[i] = OP_MOVE;
      s.ids[i] = String(c.orderId);
      s.prices[i] = c.priceTicks;
    } else {
      throw new Error(`peer stream: unsupported command type ${c.type}`);
    }
  });
  return s;
}

export function newPeerBook(): PeerBook {
  return new PeerBook();
}

/** Applies ops [from, to) of the stream; `each` (if given) brackets every op for latency. */
export function runPeer(book: PeerBook, s: PeerStream, from: number, to: number): number {
  let trades = 0;
  for (let i = from; i < to; i++) {
    const op = s.ops[i];
    if (op === OP_LIMIT) {
      const r = book.limit({
        id: s.ids[i]!,
        side: s.sides[i]!,
        size: s.sizes[i]!,
        price: s.prices[i]!,
        timeInForce: s.tifs[i]!,
      });
      trades += r.done.length;
    } else if (op === OP_CANCEL) {
      book.cancel(s.ids[i]!);
    } else {
      book.modify(s.ids[i]!, { price: s.prices[i]! });
    }
  }
  return trades;
}

export function runPeerOne(book: PeerBook, s: PeerStream, i: number): void {
  runPeer(book, s, i, i + 1);
}
