import { createServer, type Server } from 'node:net';

/**
 * `count` distinct loopback ports free right now, chosen by the OS (each bound to port 0, then all
 * released together): for tests and benchmarks that start processes on fixed ports. Ports derived
 * from the pid can fall in the ephemeral range and collide with other processes' connections.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      ports.push(typeof address === 'object' && address !== null ? address.port : 0);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
