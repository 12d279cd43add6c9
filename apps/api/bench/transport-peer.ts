import * as http from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/**
 * The transport peer of bench:api: the same HTTP server (node:http) and WebSocket library (`ws`) as
 * the api app, answering every order with a fixed acknowledgement of the same shape, without
 * checking a signature, validating or reaching an engine. The API's figures over this peer's on the
 * same client workload say what share of the transport's ceiling the API keeps.
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

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    ws.on('message', (data: RawData) => {
      const m = JSON.parse(data.toString()) as Request | Request[];
      // a JSON-RPC batch: one answer message holding every answer
      const text = Array.isArray(m) ? `[${m.map(answer).join(',')}]` : answer(m);
      ws.send(text);
    });
  }),
);

interface Request {
  id: number;
  method: string;
  params: Record<string, string>;
}

function answer(m: Request): string {
  const p = m.params;
  const quotes = (p as unknown as { quotes?: { side: string; price: string; quantity: string }[] }).quotes;
  const result =
    m.method === 'private/buy' || m.method === 'private/sell'
      ? order(nextOrderId++, m.method.slice(8), p.price!, p.quantity!)
      : m.method === 'private/cancel_all'
        ? { cancelled: [] }
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
