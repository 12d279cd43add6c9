import { FlatStructHasher, type Eip712Domain, type FlatField } from './eip712';
import type { PublishedRound } from './publisher';
import { recoverAddress, signDigest } from './signature';

/**
 * Published rounds signed by the oracle's key as EIP-712 typed data `IndexRound`, so a contract
 * (ecrecover over the same digest) or any client can verify them.
 */
export const INDEX_ROUND_FIELDS: readonly FlatField[] = [
  { name: 'indexId', type: 'string' },
  { name: 'roundId', type: 'uint64' },
  { name: 'priceMicros', type: 'uint64' },
  { name: 'lowMicros', type: 'uint64' },
  { name: 'highMicros', type: 'uint64' },
  { name: 'utilisationBps', type: 'uint16' },
  { name: 'providers', type: 'uint32' },
  { name: 'publishedAtMs', type: 'uint64' },
];

export interface SignedRound {
  readonly round: PublishedRound;
  readonly signature: string;
}

export class RoundAttestor {
  readonly hasher: FlatStructHasher;

  constructor(readonly domain: Eip712Domain) {
    this.hasher = new FlatStructHasher('IndexRound', INDEX_ROUND_FIELDS, domain);
  }

  get types(): Record<string, { name: string; type: string }[]> {
    return this.hasher.ethersTypes;
  }

  digest(round: PublishedRound): Uint8Array {
    return this.hasher.digest(round as unknown as Record<string, unknown>);
  }

  sign(round: PublishedRound, oraclePrivateKeyHex: string): SignedRound {
    return { round, signature: signDigest(this.digest(round), oraclePrivateKeyHex) };
  }

  /** True when the round was signed by `oracleAddress`. */
  verify(signed: SignedRound, oracleAddress: string): boolean {
    const signer = recoverAddress(this.digest(signed.round), signed.signature);
    return signer !== undefined && signer === oracleAddress.toLowerCase();
  }
}
