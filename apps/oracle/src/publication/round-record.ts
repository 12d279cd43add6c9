import type { SignedRound } from '@exchange/oracle';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record of TOPICS.prices (keyed by index id): one signed published round, as JSON. */
export function encodeRoundRecord(signed: SignedRound): Uint8Array {
  return encoder.encode(
    JSON.stringify({ v: 1, kind: 'index-round', round: signed.round, signature: signed.signature }),
  );
}

export function decodeRoundRecord(bytes: Uint8Array): SignedRound | undefined {
  try {
    const raw = JSON.parse(decoder.decode(bytes)) as { v?: unknown; kind?: unknown } & Partial<SignedRound>;
    if (
      raw.v !== 1 ||
      raw.kind !== 'index-round' ||
      raw.round === undefined ||
      typeof raw.signature !== 'string'
    )
      return undefined;
    return { round: raw.round, signature: raw.signature };
  } catch {
    return undefined;
  }
}
