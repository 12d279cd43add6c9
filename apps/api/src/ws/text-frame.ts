import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * A complete WebSocket text frame as a server sends it (RFC 6455 section 5.2: FIN, opcode 1, no
 * mask, the payload length in 7, 7+16 or 7+64 bits), header and payload in one buffer. Built once
 * and written as is to every connection that gets the message: a market-data notification to a
 * thousand subscribers is serialised, UTF-8 encoded and framed once instead of a thousand times.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

/** The TCP socket under a `ws` connection (undefined once it is gone). */
export function socketOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/**
 * Writes a frame from textFrame() straight to the connection's socket, behind whatever `ws` has
 * written already. Only for connections without permessage-deflate (the API's server turns it
 * off): `ws` then never holds frames back in a queue of its own, so writing to the socket keeps
 * the order of messages. False when the connection is no longer open (nothing is written).
 */
export function writeFrame(ws: WebSocket, frame: Buffer): boolean {
  const socket = socketOf(ws);
  if (ws.readyState !== WebSocket.OPEN || socket === undefined) return false;
  socket.write(frame);
  return true;
}

const corked: { socket: Socket; uncorked: () => void }[] = [];

/**
 * Corks a socket until the current tick's callbacks have run, so the frames a tick produces for it
 * leave in one write; `uncorked` runs as it is released. One nextTick uncorks every socket corked in
 * the tick (not one callback per connection). (`ws` corks and uncorks around each frame it sends;
 * an outer cork is counted, so frames queue until this one is released.)
 */
export function corkUntilTick(socket: Socket, uncorked: () => void): void {
  if (corked.length === 0) process.nextTick(uncorkAll);
  corked.push({ socket, uncorked });
  socket.cork();
}

function uncorkAll(): void {
  // a socket corked while these are released (a write callback sending more) waits for its own pass
  const batch = corked.splice(0, corked.length);
  for (const c of batch) {
    c.uncorked();
    c.socket.uncork();
  }
}
