import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Signature, Transaction } from 'ethers';

/** One archived block: its number, hash, timestamp and raw (signed) transactions in order. */
interface ArchivedBlock {
  readonly n: number;
  readonly hash: string;
  readonly ts: number;
  readonly txs: readonly string[];
}

/** A JSON-RPC call to the node. */
export type Rpc = <T>(method: string, params: unknown[]) => Promise<T>;

interface RpcTx {
  hash: string;
  type: string;
  chainId?: string;
  nonce: string;
  to: string | null;
  input: string;
  value: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  accessList?: { address: string; storageKeys: string[] }[];
  r: string;
  s: string;
  v: string;
  yParity?: string;
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: RpcTx[];
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The signed transaction as it was sent, rebuilt from the node's fields (checked against its hash). */
function rawTransactionOf(t: RpcTx): string {
  const type = Number(BigInt(t.type));
  const tx = Transaction.from({
    type,
    chainId: t.chainId === undefined ? undefined : BigInt(t.chainId),
    nonce: Number(BigInt(t.nonce)),
    to: t.to,
    data: t.input,
    value: BigInt(t.value),
    gasLimit: BigInt(t.gas),
    ...(type === 2
      ? { maxFeePerGas: BigInt(t.maxFeePerGas!), maxPriorityFeePerGas: BigInt(t.maxPriorityFeePerGas!) }
      : { gasPrice: BigInt(t.gasPrice!) }),
    ...(type >= 1 ? { accessList: t.accessList ?? [] } : {}),
    signature: Signature.from({ r: t.r, s: t.s, v: t.yParity !== undefined ? 27 + Number(BigInt(t.yParity)) : Number(BigInt(t.v)) }), // prettier-ignore
  });
  if (tx.hash !== t.hash) throw new Error(`CHAIN_ARCHIVE: transaction ${t.hash} rebuilt as ${tx.hash}`);
  return tx.serialized;
}

/**
 * A development chain kept across restarts of a node that holds its state in memory (the embedded
 * Hardhat node): the first start's genesis date (`genesis.json`, so a restart has the same genesis
 * block and chain records keyed by it stay valid) and every block's transactions (`blocks.jsonl`,
 * appended and fsynced as the node mines them, polled every `pollMs`). At the next start the blocks
 * are mined again in order, each at its timestamp, and each must come out with its archived hash
 * (else CHAIN_ARCHIVE_DIVERGED: the archive is not this chain's). Only transactions change the
 * state this way: RPC state edits (hardhat_setBalance and the like) are not archived. Blocks mined
 * in the last poll interval before a crash are lost; a journalled sender sends its lost
 * transactions again when it resumes (TxSender.resume).
 */
export class ChainArchive {
  private readonly blocksFile: string;
  private lastBlock = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | null = null;
  lastError: string | null = null;

  constructor(
    readonly dir: string,
    private readonly pollMs = 200,
  ) {
    mkdirSync(dir, { recursive: true });
    this.blocksFile = join(dir, 'blocks.jsonl');
  }

  /** The genesis date of this archive's chain (ISO), chosen now on the first start. */
  genesisDate(nowMs = Date.now()): string {
    const file = join(this.dir, 'genesis.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { initialDate: string }).initialDate;
    const initialDate = new Date(Math.floor(nowMs / 1000) * 1000).toISOString();
    writeFileSync(file, `${JSON.stringify({ initialDate })}\n`);
    return initialDate;
  }

  private blocks(): ArchivedBlock[] {
    if (!existsSync(this.blocksFile)) return [];
    const out: ArchivedBlock[] = [];
    for (const line of readFileSync(this.blocksFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as ArchivedBlock);
      } catch {
        break; // a line cut short by a crash ends the archive
      }
    }
    return out;
  }

  /** Mines the archived blocks again on a fresh node of the same genesis; the number of blocks replayed. */
  async replay(rpc: Rpc): Promise<number> {
    const blocks = this.blocks();
    if (blocks.length === 0) return 0;
    await rpc('evm_setAutomine', [false]);
    try {
      for (const b of blocks) {
        await rpc('evm_setNextBlockTimestamp', [hex(b.ts)]);
        for (const raw of b.txs) await rpc('eth_sendRawTransaction', [raw]);
        await rpc('evm_mine', []);
        const mined = await rpc<RpcBlock>('eth_getBlockByNumber', [hex(b.n), false]);
        if (mined?.hash !== b.hash)
          throw new Error(`CHAIN_ARCHIVE_DIVERGED: block ${b.n} replayed as ${mined?.hash}, archived as ${b.hash} (${this.dir})`); // prettier-ignore
      }
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    this.lastBlock = blocks[blocks.length - 1]!.n;
    return blocks.length;
  }

  /** Archives the blocks mined after the replay, every `pollMs`, until stop(). */
  record(rpc: Rpc): void {
    this.timer = setInterval(() => void this.poll(rpc), this.pollMs);
    this.timer.unref();
  }

  /** Archives what the node mined since the last poll (a poll under way is joined). */
  poll(rpc: Rpc): Promise<void> {
    this.polling ??= this.pollOnce(rpc)
      .then(() => void (this.lastError = null))
      .catch((err: unknown) => void (this.lastError = String(err)))
      .finally(() => (this.polling = null));
    return this.polling;
  }

  private async pollOnce(rpc: Rpc): Promise<void> {
    const head = Number(BigInt(await rpc<string>('eth_blockNumber', [])));
    if (head <= this.lastBlock) return;
    const lines: string[] = [];
    for (let n = this.lastBlock + 1; n <= head; n++) {
      const b = await rpc<RpcBlock>('eth_getBlockByNumber', [hex(n), true]);
      lines.push(JSON.stringify({ n, hash: b.hash, ts: Number(BigInt(b.timestamp)), txs: b.transactions.map(rawTransactionOf) })); // prettier-ignore
    }
    const fd = openSync(this.blocksFile, 'a');
    try {
      appendFileSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.lastBlock = head;
  }

  /** Stops recording after a last poll. */
  async stop(rpc: Rpc): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.poll(rpc);
  }
}
