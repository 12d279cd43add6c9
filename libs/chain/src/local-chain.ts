import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './artifacts';
import { ChainArchive, type Rpc } from './chain-archive';

/**
 * The embedded default's EVM: `hardhat node` (Hardhat 2, in-memory Hardhat network, chain id
 * 31337, automine) as a child process on a loopback port. Its state lives only as long as the
 * process. The first development account (its well-known key, below) deploys and operates.
 */
export const HARDHAT_CHAIN_ID = 31337n;
/** Hardhat's development accounts 0..3 ("test test ... junk"); public knowledge, never for real funds. */
export const HARDHAT_DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const;

/**
 * Loaded into the node's process: it exits when its parent is gone (the parent killed with SIGKILL
 * runs no exit handler), so a local chain never outlives the exchange that started it.
 */
const PARENT_WATCHDOG =
  'data:text/javascript,const p=process.ppid;setInterval(()=>{if(process.ppid!==p)process.exit(0)},500).unref()';

export interface LocalChain {
  readonly rpcUrl: string;
  readonly port: number;
  /** With an archive: the blocks mined again from it at the start. */
  readonly replayedBlocks: number;
  stop(): Promise<void>;
}

export interface LocalChainOptions {
  /** 0: a free port */
  readonly port?: number;
  readonly startTimeoutMs?: number;
  /**
   * Keep the chain across restarts in this folder (ChainArchive): the node starts on the archive's
   * genesis and mines its blocks again; unset, the chain lives as long as the node.
   */
  readonly archiveDir?: string;
}

/** A JSON-RPC call to `url` (the local node; no retries). */
function rpcOf(url: string): Rpc {
  let id = 0;
  return async <T>(method: string, params: unknown[]): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
}

export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  const root = repoRoot();
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const cli = join(root, 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js');
  const config = join(root, 'infra', 'chain', 'hardhat.config.cjs');
  const archive = options.archiveDir === undefined ? undefined : new ChainArchive(options.archiveDir);
  const genesis = archive === undefined ? {} : { HARDHAT_INITIAL_DATE: archive.genesisDate() };
  const child = spawn(
    process.execPath,
    ['--import', PARENT_WATCHDOG, cli, 'node', '--config', config, '--hostname', '127.0.0.1', '--port', `${port}`], // prettier-ignore
    {
      cwd: root,
      env: { ...process.env, ...genesis, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const rpc = rpcOf(rpcUrl);
  let replayedBlocks = 0;
  try {
    await waitForRpc(rpcUrl, rpc, child, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(
      `the local Hardhat node did not start: ${(err as Error).message}\n${output.slice(-2000)}`,
    );
  }
  if (archive !== undefined) {
    try {
      replayedBlocks = await archive.replay(rpc);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    archive.record(rpc);
  }
  // the node prints every request; stop reading so the pipe never fills up
  child.stdout?.removeListener('data', keep);
  child.stdout?.resume();
  // the node never outlives this process when it exits (process.exit after a failed start included)
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    rpcUrl,
    port,
    replayedBlocks,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await archive?.stop(rpc).catch(() => undefined);
      return stopChild(child);
    },
  };
}

async function waitForRpc(url: string, rpc: Rpc, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      await rpc('eth_chainId', []);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer on ${url} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
