import { JsonRpcProvider } from 'ethers';
import { ChainUnreachableError, isTransient } from './errors';

/** A JSON-RPC endpoint known to answer, and which chain it is (id and genesis block). */
export interface ChainConnection {
  readonly rpcUrl: string;
  readonly provider: JsonRpcProvider;
  readonly chainId: bigint;
  /** the genesis block hash: a restarted in-memory node is a different chain with the same id */
  readonly genesisHash: string;
}

export async function connectChain(
  rpcUrl: string,
  timeoutMs = 10_000,
  pollingIntervalMs = 200,
): Promise<ChainConnection> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, {
    staticNetwork: true,
    batchMaxCount: 1,
    pollingInterval: pollingIntervalMs,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    // transport failures are retried until the deadline; anything else fails at once
    for (;;) {
      try {
        const chainId = await withTimeout(provider.send('eth_chainId', []) as Promise<string>, timeoutMs);
        const genesis = (await withTimeout(
          provider.send('eth_getBlockByNumber', ['0x0', false]),
          timeoutMs,
        )) as {
          hash?: string;
        } | null;
        if (!genesis?.hash) throw new Error('no genesis block');
        return { rpcUrl, provider, chainId: BigInt(chainId), genesisHash: genesis.hash };
      } catch (err) {
        if (!isTransient(err) || Date.now() + 200 > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (err) {
    provider.destroy();
    throw new ChainUnreachableError(
      `the chain at ${redact(rpcUrl)} did not answer (${(err as Error).message}); fix CHAIN_RPC_URL or unset it to run the local chain`,
    );
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolvePromise(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The URL without credentials or API keys in its path or query. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(malformed URL)';
  }
}
