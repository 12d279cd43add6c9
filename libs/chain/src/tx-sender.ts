import { getAddress, type Interface, type JsonRpcProvider, Transaction, type Wallet } from 'ethers';
import { ChainTxFailedError, decodeRejection, isTransient } from './errors';
import { TxJournal, type TxRecord } from './tx-journal';

/**
 * Sends one signer's transactions exactly once per operation key, across crashes and restarts.
 *
 * - A new operation is first simulated (eth_estimateGas): a contract rejection becomes a
 *   ChainRejectedError with the contract's error code and nothing is sent.
 * - Its transaction is signed with the next nonce (the larger of the chain's pending nonce and the
 *   journal's), written to the journal and fsynced, and only then broadcast.
 * - A key found in the journal is never signed again: a confirmed one returns its record; a signed
 *   one has the very same raw transaction broadcast again (a node that already has it answers
 *   "already known" or "nonce too low", which is fine) and its receipt awaited.
 * - An operation is done after `confirmations` blocks (its block counted) and the receipt is
 *   re-read at that depth, so a reorganised-away transaction is sent again, not forgotten.
 * - RPC calls that fail in transport are retried with backoff; contract errors are not.
 */
export interface TxSenderOptions {
  readonly confirmations: number;
  readonly pollIntervalMs: number;
  readonly rpcAttempts: number;
  readonly retryDelayMs: number;
  /** the interfaces whose custom errors decode rejections */
  readonly interfaces: readonly Interface[];
  /** observation points for tests of crash safety; a throw there stops the operation */
  readonly hooks?: {
    afterJournal?(record: TxRecord): void;
    afterBroadcast?(record: TxRecord): void;
  };
}

export interface TxRequest {
  readonly to: string | null;
  readonly data: string;
  readonly gasLimit?: bigint;
  /** wei sent along (default 0) */
  readonly value?: bigint;
}

export class TxSender {
  private queue: Promise<unknown> = Promise.resolve();
  readonly journal: TxJournal;

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly wallet: Wallet,
    private readonly chainId: bigint,
    journalFile: string,
    private readonly options: TxSenderOptions,
  ) {
    this.journal = new TxJournal(journalFile);
  }

  get address(): string {
    return this.wallet.address;
  }

  /** Runs `key` once: returns its confirmed record (sending only if the journal has none). */
  async send(key: string, request: () => TxRequest | Promise<TxRequest>): Promise<TxRecord> {
    const known = this.journal.get(key);
    if (known) return this.finish(known);
    const record = await this.serial(async () => {
      const again = this.journal.get(key);
      if (again) return again;
      return this.signAndJournal(key, await request());
    });
    return this.finish(record);
  }

  /**
   * Brings every journalled but unconfirmed transaction to its end (call after a restart). Mined
   * transactions the chain no longer has (a development chain replayed from an archive that missed
   * its last blocks, or a deep reorganisation) are sent again first, the same raw transactions.
   */
  async resume(): Promise<TxRecord[]> {
    const out: TxRecord[] = [];
    const mined = Number(await this.raw<string>('eth_getTransactionCount', [this.wallet.address, 'latest']));
    for (const lost of this.journal.minedFrom(mined)) {
      await this.broadcast(lost);
      const done = await this.awaitConfirmed(lost);
      this.journal.write(done);
      out.push(done);
    }
    for (const record of this.journal.pending()) out.push(await this.finish(record));
    return out;
  }

  private async finish(record: TxRecord): Promise<TxRecord> {
    if (record.state === 'confirmed') return record;
    if (record.state === 'reverted' || record.state === 'dropped') {
      throw new ChainTxFailedError(
        record.state === 'reverted' ? 'TX_REVERTED' : 'TX_DROPPED',
        record.key,
        record.hash,
      );
    }
    await this.broadcast(record);
    this.options.hooks?.afterBroadcast?.(record);
    const done = await this.awaitConfirmed(record);
    this.journal.write(done);
    if (done.state !== 'confirmed') {
      throw new ChainTxFailedError(
        done.state === 'reverted' ? 'TX_REVERTED' : 'TX_DROPPED',
        done.key,
        done.hash,
      );
    }
    return done;
  }

  private async signAndJournal(key: string, request: TxRequest): Promise<TxRecord> {
    const from = this.wallet.address;
    let gasLimit = request.gasLimit;
    if (gasLimit === undefined) {
      try {
        const value = `0x${(request.value ?? 0n).toString(16)}`;
        const call = request.to
          ? { from, to: request.to, data: request.data, value }
          : { from, data: request.data, value };
        const estimate = BigInt(await this.raw<string>('eth_estimateGas', [call]));
        gasLimit = (estimate * 12n) / 10n + 10_000n;
      } catch (err) {
        throw decodeRejection(err, this.options.interfaces) ?? err;
      }
    }
    const chainNonce = Number(await this.raw<string>('eth_getTransactionCount', [from, 'pending']));
    const nonce = Math.max(chainNonce, this.journal.nextNonce);
    const fees = await this.fees();
    const tx = Transaction.from({
      type: 2,
      chainId: this.chainId,
      nonce,
      to: request.to,
      data: request.data,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      value: request.value ?? 0n,
    });
    const raw = await this.wallet.signTransaction(tx);
    const hash = Transaction.from(raw).hash as string;
    const record: TxRecord = { key, state: 'signed', nonce, hash, raw };
    this.journal.write(record);
    this.options.hooks?.afterJournal?.(record);
    return record;
  }

  private async broadcast(record: TxRecord): Promise<void> {
    try {
      await this.raw('eth_sendRawTransaction', [record.raw]);
    } catch (err) {
      const message = String((err as Error).message ?? err);
      // the node has it already, or it was mined: the receipt tells
      if (/already known|known transaction|nonce too low|already imported|replacement/i.test(message)) return;
      // a development node answers an error for a transaction it mined as reverted
      if (await this.receipt(record.hash)) return;
      throw err;
    }
  }

  private async awaitConfirmed(record: TxRecord): Promise<TxRecord> {
    const { confirmations, pollIntervalMs } = this.options;
    for (let polls = 0; ; polls++) {
      const receipt = await this.receipt(record.hash);
      if (receipt) {
        const head = Number(await this.raw<string>('eth_blockNumber', []));
        if (head - receipt.blockNumber + 1 >= confirmations) {
          const again = await this.receipt(record.hash);
          if (again && again.blockHash === receipt.blockHash) return settled(record, again);
        }
      } else {
        const mined = Number(
          await this.raw<string>('eth_getTransactionCount', [this.wallet.address, 'latest']),
        );
        if (mined > record.nonce) {
          // the nonce is used and our hash has no receipt: another transaction took it
          if (!(await this.receipt(record.hash))) return { ...record, state: 'dropped' };
          continue;
        }
        // dropped from the pool (a restarted node): the same raw transaction again
        if (polls % 20 === 19) await this.broadcast(record);
      }
      await new Promise((r) => setTimeout(r, pollIntervalMs));
    }
  }

  /** EIP-1559 fees: twice the latest base fee plus the node's suggested tip. */
  private async fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const block = await this.raw<{ baseFeePerGas?: string }>('eth_getBlockByNumber', ['latest', false]);
    let tip = 1_000_000_000n;
    try {
      tip = BigInt(await this.raw<string>('eth_maxPriorityFeePerGas', []));
    } catch (err) {
      if (isTransient(err)) throw err; // a node without the method keeps the default tip
    }
    const base = BigInt(block.baseFeePerGas ?? '0x0');
    return { maxFeePerGas: base * 2n + tip, maxPriorityFeePerGas: tip };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A JSON-RPC request as is. Not through ethers' provider methods, which answer identical
   * requests made within a short time from a cache (a state read right after a write could be stale).
   */
  raw<T = unknown>(method: string, params: unknown[]): Promise<T> {
    return this.rpc(() => this.provider.send(method, params) as Promise<T>);
  }

  private async receipt(hash: string): Promise<Receipt | null> {
    const r = await this.raw<RawReceipt | null>('eth_getTransactionReceipt', [hash]);
    if (!r) return null;
    return {
      blockNumber: Number(r.blockNumber),
      blockHash: r.blockHash,
      status: Number(r.status),
      gasUsed: BigInt(r.gasUsed),
      contractAddress: r.contractAddress ?? null,
    };
  }

  /** An RPC call, retried when the transport fails. */
  async rpc<T>(fn: () => Promise<T>): Promise<T> {
    const { rpcAttempts, retryDelayMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= rpcAttempts || !isTransient(err)) throw err;
        await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** Math.min(attempt - 1, 6)));
      }
    }
  }
}

interface RawReceipt {
  blockNumber: string;
  blockHash: string;
  status: string;
  gasUsed: string;
  contractAddress?: string | null;
}

interface Receipt {
  blockNumber: number;
  blockHash: string;
  status: number;
  gasUsed: bigint;
  contractAddress: string | null;
}

function settled(record: TxRecord, receipt: Receipt): TxRecord {
  return {
    ...record,
    state: receipt.status === 1 ? 'confirmed' : 'reverted',
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed.toString(),
    contractAddress: receipt.contractAddress ? getAddress(receipt.contractAddress) : null,
  };
}
