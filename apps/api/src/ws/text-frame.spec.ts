import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { ApiConfig } from '../config/api-config';
import { textFrame, writeFrame } from './text-frame';
import { CLOSE_SLOW_CONSUMER, WsSession, type SessionDeps } from './ws-session';

let wss: WebSocketServer;
let url: string;
let onConnection: (ws: WebSocket) => void;

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  wss.on('connection', (ws) => onConnection(ws));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
});

/** A client that collects the texts it receives until the server closes; resolves with them and the close code. */
function client(): Promise<{ texts: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const texts: string[] = [];
    ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      texts.push((data as Buffer).toString('utf8'));
    });
    ws.on('close', (code) => resolve({ texts, code }));
    ws.on('error', reject);
  });
}

it('frames texts of every length class (7, 16 and 64-bit lengths) that a client reads back, in order with ws.send', async () => {
  const texts = ['', 'é', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(65_535), '€'.repeat(30_000)];
  onConnection = (ws) => {
    for (const t of texts) {
      expect(writeFrame(ws, textFrame(t))).toBe(true);
      ws.send(`after ${t.length}`);
    }
    ws.close(1000);
  };
  const got = await client();
  expect(got.code).toBe(1000);
  expect(got.texts).toEqual(texts.flatMap((t) => [t, `after ${t.length}`]));
});

it('writes nothing once the connection is closing', async () => {
  let written: boolean | undefined;
  onConnection = (ws) => {
    ws.close(1000);
    written = writeFrame(ws, textFrame('late'));
  };
  const got = await client();
  expect(written).toBe(false);
  expect(got.texts).toEqual([]);
});

it('tells a subscriber whose unsent bytes pass the bound that it is too slow, and drops it', async () => {
  const deps = { config: { wsMaxBufferedBytes: 2000 } as ApiConfig } as SessionDeps;
  const frame = textFrame(JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { data: 'x'.repeat(900) } })); // prettier-ignore
  onConnection = (ws) => {
    const session = new WsSession(ws, deps, 'test');
    // one tick: the socket stays corked, so the frames add up in the connection's buffer
    for (let i = 0; i < 10; i++) session.deliverFrame(frame);
  };
  const got = await client();
  expect(got.code).toBe(CLOSE_SLOW_CONSUMER);
  const sent = got.texts.filter((t) => t.includes('subscription'));
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.length).toBeLessThan(10);
  expect(JSON.parse(got.texts[got.texts.length - 1]!)).toMatchObject({
    method: 'disconnect',
    params: { code: 'SLOW_CONSUMER' },
  });
});
