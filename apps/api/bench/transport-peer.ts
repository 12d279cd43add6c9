import * as http from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { bookChecksum, compareDecimal, type BookLevel } from '@exchange/client';
import { textFrame, writeFrame } from '../src/ws/text-frame';

/**
 * The transport peer of bench:api: the same HTTP server (node:http) and WebSocket library (`ws`) as
 * the api app, answering every order with a fixed acknowledgement of the same shape, without
 * checking a signature, validating or reaching an engine. The API's figures over this peer's on the
 * same client workload say what share of the transport's ceiling the API keeps.
 * Market data the same way: a `public/subscribe` gets the book's snapshot, and each buy and cancel
 * while anyone subscribes moves a one-sided book and sends its change (change ids linked, checksum of
 * the top levels) to every subscriber, framed once and written to each connection as the API does.
 */
const port = Number(process.env.PEER_PORT);
const order = (id: number, side: string, price: string, quantity: string) => ({
  order: {
    orderId: id,
    clientOrderId: '',
    instrument: 'H100-USDC',
    side,
    type: 'limit',
    timeInForce: 'GTC',
    price,
    stopPrice: null,
    quantity,
    filledQuantity: '0',
    remainingQuantity: quantity,
    status: 'open',
    postOnly: false,
    reduceOnly: false,
    createdSeq: id,
    updatedSeq: id,
  },
  fills: [],
});
let nextOrderId = 1;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let status = 200;
    let body: unknown = { serverTimeMs: Date.now() };
    if (req.method === 'POST' && req.url === '/v1/orders') {
      const p = JSON.parse(Buffer.concat(chunks).toString()) as {
        side: string;
        price: string;
        quantity: string;
      };
      status = 201;
      body = order(nextOrderId++, p.side, p.price, p.quantity);
    } else if (req.method === 'DELETE') body = { cancelled: [] };
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
});

/** The peer's book while anyone subscribes: bids by price, and each open order's price. */
const subscribers = new Set<WebSocket>();
const bids = new Map<string, BookLevel>();
const orderPrices = new Map<number, string>();
let changeId = 0;

function bookMessage(type: 'snapshot' | 'change', changed: BookLevel[]): string {
  const levels = [...bids.values()].sort((a, b) => compareDecimal(b[0], a[0]));
  const data = {
    type,
    instrument: 'H100-USDC',
    changeId: type === 'snapshot' ? changeId : ++changeId,
    ...(type === 'change' ? { prevChangeId: changeId - 1 } : {}),
    bids: type === 'snapshot' ? levels : changed,
    asks: [],
    checksum: bookChecksum(levels, []),
    timestampMs: Date.now(),
  };
  return JSON.stringify({
    jsonrpc: '2.0',
    method: 'subscription',
    params: { channel: 'book.H100-USDC', data },
  });
}

/** Sends a book change to every subscriber: one frame, written to each connection. */
function publish(level: BookLevel): void {
  if (level[1] === '0') bids.delete(level[0]);
  else bids.set(level[0], level);
  const frame = textFrame(bookMessage('change', [level]));
  for (const ws of subscribers) writeFrame(ws, frame);
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    ws.on('message', (data: RawData) => {
      const m = JSON.parse(data.toString()) as Request | Request[];
      if (!Array.isArray(m) && m.method === 'public/subscribe') {
        ws.send(bookMessage('snapshot', []));
        subscribers.add(ws);
        ws.once('close', () => subscribers.delete(ws));
      }
      // a JSON-RPC batch: one answer message holding every answer
      const text = Array.isArray(m) ? `[${m.map(answer).join(',')}]` : answer(m);
      // as the API does: the book's change leaves before the order's acknowledgement
      if (!Array.isArray(m) && subscribers.size > 0) moveBook(m);
      ws.send(text);
    });
  }),
);

interface Request {
  id: number;
  method: string;
  params: Record<string, string>;
}

/** A buy rests at its price and a cancel takes it away, in the book subscribers follow. */
function moveBook(m: Request): void {
  if (m.method === 'private/buy') {
    orderPrices.set(nextOrderId - 1, m.params.price!);
    publish([m.params.price!, m.params.quantity!, 1]);
  } else if (m.method === 'private/cancel') {
    const price = orderPrices.get(Number(m.params.orderId));
    orderPrices.delete(Number(m.params.orderId));
    if (price !== undefined) publish([price, '0', 0]);
  }
}

function answer(m: Request): string {
  const p = m.params;
  const quotes = (p as unknown as { quotes?: { side: string; price: string; quantity: string }[] }).quotes;
  const result =
    m.method === 'private/buy' || m.method === 'private/sell'
      ? order(nextOrderId++, m.method.slice(8), p.price!, p.quantity!)
      : m.method === 'private/cancel_all'
        ? { cancelled: [] }
        : m.method === 'public/subscribe'
          ? (p as unknown as { channels: string[] }).channels
          : m.method === 'private/mass_quote' && quotes !== undefined
            ? {
                cancelled: [],
                quotes: quotes.map((q) => ({
                  ok: true,
                  result: order(nextOrderId++, q.side, q.price, q.quantity),
                })),
              }
            : { accountId: 1, scopes: ['read', 'trade'] };
  return JSON.stringify({ jsonrpc: '2.0', id: m.id, result });
}

server.listen(port, '127.0.0.1');
const stop = () => {
  wss.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
