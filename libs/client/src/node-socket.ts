import type { Socket } from 'node:net';
import type { WebSocketFactory, WebSocketLike } from './ws-client';

/**
 * Node only: the TCP socket under a connection of the `ws` package (its `_socket`), server or
 * client side; undefined before it opens and once it is gone.
 */
export function socketOf(ws: object): Socket | undefined {
  return (ws as { _socket?: Socket })._socket;
}

const corked: { socket: Socket; uncorked: (() => void) | undefined }[] = [];

/**
 * Node only: corks a socket until the current tick's callbacks have run, so the frames a tick
 * produces for it leave in one write; `uncorked` runs as it is released. One nextTick uncorks every
 * socket corked in the tick (not one callback per connection). (`ws` corks and uncorks around each
 * frame it sends; an outer cork is counted, so frames queue until this one is released.)
 */
export function corkUntilTick(socket: Socket, uncorked?: () => void): void {
  if (corked.length === 0) process.nextTick(uncorkAll);
  corked.push({ socket, uncorked });
  socket.cork();
}

function uncorkAll(): void {
  // a socket corked while these are released (a write callback sending more) waits for its own pass
  const batch = corked.splice(0, corked.length);
  for (const c of batch) {
    c.uncorked?.();
    c.socket.uncork();
  }
}

/**
 * Node only: the WsClient socket factory over the `ws` package (pass its WebSocket class). The
 * requests a tick sends on a connection leave in one write instead of one system call each: a
 * client that answers a read of many acknowledgements with as many new orders sends them together,
 * and the server reads them together. Order and framing are unchanged; each stays its own message.
 */
export function nodeWebSocketFactory(WebSocketClass: new (url: string) => object): WebSocketFactory {
  return (url) => {
    const ws = new WebSocketClass(url) as WebSocketLike;
    const send = ws.send.bind(ws);
    let corkedNow = false;
    const uncorked = () => {
      corkedNow = false;
    };
    ws.send = (data: string) => {
      const socket = corkedNow ? undefined : socketOf(ws);
      if (socket !== undefined) {
        corkedNow = true;
        corkUntilTick(socket, uncorked);
      }
      send(data);
    };
    return ws;
  };
}
