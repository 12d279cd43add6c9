import { type Signer, TypedDataEncoder, verifyTypedData } from 'ethers';

/**
 * EIP-712 messages the contracts verify. Times on chain are Unix seconds (block.timestamp);
 * prices are integer micro-USDC like the oracle's `priceMicros`; amounts are the stablecoin's minor
 * units (6 decimals for USDC).
 */
export interface TypedDomain {
  readonly name: string;
  readonly version: string;
  readonly chainId: bigint;
  readonly verifyingContract: string;
}

/** The oracle's final settlement price of one expiry. */
export interface FinalPrice {
  /** keccak256 of the instrument symbol, see expiryIdOf */
  readonly expiryId: string;
  readonly priceMicros: bigint;
  /** end of the settlement window (s) */
  readonly windowEnd: bigint;
  readonly signedAt: bigint;
}

export interface SignedFinalPrice extends FinalPrice {
  readonly signature: string;
}

/** The exchange's attestation that a lease failed, with what the slash pays. */
export interface FailureAttestation {
  readonly leaseId: string;
  readonly provider: string;
  readonly lessee: string;
  readonly lesseeMinor: bigint;
  readonly insuranceMinor: bigint;
  readonly failedAt: bigint;
}

export interface SignedFailureAttestation extends FailureAttestation {
  readonly signature: string;
}

export const FINAL_PRICE_TYPES = {
  FinalPrice: [
    { name: 'expiryId', type: 'bytes32' },
    { name: 'priceMicros', type: 'uint256' },
    { name: 'windowEnd', type: 'uint64' },
    { name: 'signedAt', type: 'uint64' },
  ],
};

export const FAILURE_TYPES = {
  FailureAttestation: [
    { name: 'leaseId', type: 'bytes32' },
    { name: 'provider', type: 'address' },
    { name: 'lessee', type: 'address' },
    { name: 'lesseeMinor', type: 'uint256' },
    { name: 'insuranceMinor', type: 'uint256' },
    { name: 'failedAt', type: 'uint64' },
  ],
};

export function settlementDomain(chainId: bigint, settlementPrice: string): TypedDomain {
  return { name: 'ComputeExchange Settlement', version: '1', chainId, verifyingContract: settlementPrice };
}

export function collateralDomain(chainId: bigint, providerCollateral: string): TypedDomain {
  return { name: 'ComputeExchange Collateral', version: '1', chainId, verifyingContract: providerCollateral };
}

export async function signFinalPrice(
  signer: Signer,
  domain: TypedDomain,
  price: FinalPrice,
): Promise<SignedFinalPrice> {
  const signature = await signer.signTypedData(domain, FINAL_PRICE_TYPES, { ...price });
  return { ...price, signature };
}

export async function signFailure(
  signer: Signer,
  domain: TypedDomain,
  attestation: FailureAttestation,
): Promise<SignedFailureAttestation> {
  const signature = await signer.signTypedData(domain, FAILURE_TYPES, { ...attestation });
  return { ...attestation, signature };
}

export function finalPriceDigest(domain: TypedDomain, price: FinalPrice): string {
  return TypedDataEncoder.hash(domain, FINAL_PRICE_TYPES, {
    expiryId: price.expiryId,
    priceMicros: price.priceMicros,
    windowEnd: price.windowEnd,
    signedAt: price.signedAt,
  });
}

export function finalPriceSigner(domain: TypedDomain, price: SignedFinalPrice): string {
  const { signature, ...message } = price;
  return verifyTypedData(domain, FINAL_PRICE_TYPES, message, signature);
}
