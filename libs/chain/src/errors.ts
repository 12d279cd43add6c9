import { type Interface } from 'ethers';

/** A contract refused the call: the contract's custom error as a stable code (e.g. ALREADY_CLAIMED). */
export class ChainRejectedError extends Error {
  constructor(
    readonly code: string,
    readonly errorName: string,
    readonly args: readonly unknown[],
  ) {
    super(`${code}: ${errorName}(${args.map(String).join(', ')})`);
    this.name = 'ChainRejectedError';
  }
}

/** CHAIN_RPC_URL (or the local node) does not answer; never replaced by another chain. */
export class ChainUnreachableError extends Error {
  readonly code = 'CHAIN_UNREACHABLE';
  constructor(message: string) {
    super(`CHAIN_UNREACHABLE: ${message}`); // the code leads the message, so a failed start's log names it
    this.name = 'ChainUnreachableError';
  }
}

/** A sent transaction that did not end as confirmed (reverted on chain, or its nonce taken by another). */
export class ChainTxFailedError extends Error {
  constructor(
    readonly code: 'TX_REVERTED' | 'TX_DROPPED',
    readonly key: string,
    readonly hash: string,
  ) {
    super(`${code}: ${key} (${hash})`);
    this.name = 'ChainTxFailedError';
  }
}

/** `AlreadyClaimed` -> `ALREADY_CLAIMED` */
export function errorCode(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The revert data inside an ethers error, if any. */
export function revertData(err: unknown): string | undefined {
  let e = err as { data?: unknown; error?: unknown; info?: { error?: { data?: unknown } } } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.data === 'string' && e.data.startsWith('0x') && e.data.length >= 10) return e.data;
    if (e.data && typeof e.data === 'object' && typeof (e.data as { data?: unknown }).data === 'string') {
      return (e.data as { data: string }).data;
    }
    if (e.info?.error?.data && typeof e.info.error.data === 'string') return e.info.error.data;
    e = e.error as typeof e;
  }
  return undefined;
}

/** Decodes a revert into a ChainRejectedError with the interfaces given, or undefined. */
export function decodeRejection(
  err: unknown,
  interfaces: readonly Interface[],
): ChainRejectedError | undefined {
  const data = revertData(err);
  if (!data) return undefined;
  for (const iface of interfaces) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return new ChainRejectedError(errorCode(parsed.name), parsed.name, [...parsed.args]);
    } catch {
      // not one of this interface's errors
    }
  }
  return new ChainRejectedError('REVERTED', 'unknown', [data]);
}

/** True for failures of the transport (connection refused, timeouts, 5xx), worth retrying. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string } } | undefined;
  if (!e) return false;
  if (e.code === 'NETWORK_ERROR' || e.code === 'TIMEOUT' || e.code === 'SERVER_ERROR') return true;
  const causeCode = e.cause?.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'].includes(causeCode)) return true;
  return /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed|timeout/i.test(e.message ?? '');
}
