import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { nodeWebSocketFactory, socketOf } from './node-socket';
import type { WebSocketLike } from './ws-client';

let wss: WebSocketServer;
let url: string;
const received: string[] = [];

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (data) => received.push((data as Buffer).toString())));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
});

const nextTick = () => new Promise<void>((r) => setImmediate(r));

it('sends the messages of one tick in one write, each its own message, in order', async () => {
  const ws = nodeWebSocketFactory(WebSocket)(url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (e) => reject(new Error(String(e)));
  });
  const socket = socketOf(ws)!;
  // count what reaches the socket's write path: one chunk (_write) or several together (_writev)
  const writes: number[] = [];
  const s = socket as unknown as {
    _write: (...a: unknown[]) => void;
    _writev: (chunks: unknown[], cb: unknown) => void;
  };
  const write = s._write.bind(socket);
  const writev = s._writev.bind(socket);
  s._write = (...a) => {
    writes.push(1);
    write(...a);
  };
  s._writev = (chunks, cb) => {
    writes.push(chunks.length);
    writev(chunks, cb);
  };

  const send = (ws2: WebSocketLike, from: number, n: number) => {
    for (let i = from; i < from + n; i++) ws2.send(`m${i}`);
  };
  send(ws, 0, 50);
  expect(socket.writableCorked).toBe(1);
  await nextTick();
  expect(socket.writableCorked).toBe(0);
  // `ws` writes each frame as its header and its payload: 100 chunks, one system call
  expect(writes).toEqual([100]);
  send(ws, 50, 3);
  await nextTick();
  expect(writes).toEqual([100, 6]);

  const want = Array.from({ length: 53 }, (_, i) => `m${i}`);
  for (let i = 0; i < 100 && received.length < want.length; i++) await nextTick();
  expect(received).toEqual(want);
  ws.close();
});
