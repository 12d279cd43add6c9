import { WebSocket } from 'ws';
import { socketOf } from '@exchange/client';

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
