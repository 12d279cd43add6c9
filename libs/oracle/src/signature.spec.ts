import fc from 'fast-check';
import {
  Signature,
  TypedDataEncoder,
  Wallet,
  recoverAddress as ethersRecoverAddress,
  verifyTypedData,
} from 'ethers';
import {
  ProviderReportCodec,
  RoundAttestor,
  SignatureVerifier,
  addressOfPrivateKey,
  signDigest,
  bytesToHex,
  recoverAddress,
  type Eip712Domain,
  type ProviderReport,
  type PublishedRound,
} from '@exchange/oracle';

const domain: Eip712Domain = {
  name: 'GpuComputeOracle',
  version: '1',
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
};
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const OTHER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const codec = new ProviderReportCodec(domain);
const report: ProviderReport = {
  providerId: 'prov-1',
  clusterId: 'h100-east-1',
  computeClass: 'H100',
  gpusTotal: 256,
  gpusAvailable: 40,
  utilisationBps: 8438,
  priceMicros: 2_450_000,
  priceKind: 'realised',
  benchmarkSuite: 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu',
  benchmarkScoreMilli: 3_012_500,
  benchmarkMeasuredAtMs: 1_780_000_000_000,
  observedAtMs: 1_780_000_060_000,
  nonce: 17,
};

describe('EIP-712 provider reports', () => {
  it('computes the same digest as ethers TypedDataEncoder', () => {
    expect(bytesToHex(codec.digest(report))).toBe(TypedDataEncoder.hash(domain, codec.types, report));
  });

  it('agrees with ethers: ethers-signed reports recover here, ours verify in ethers', async () => {
    const wallet = new Wallet(KEY);
    const address = wallet.address.toLowerCase();
    const ethersSig = await wallet.signTypedData(domain, codec.types, report);
    expect(recoverAddress(codec.digest(report), ethersSig)).toBe(address);
    const ours = codec.sign(report, KEY);
    expect(ours.signature).toBe(ethersSig); // RFC 6979: deterministic and low-s on both sides
    expect(verifyTypedData(domain, codec.types, report, ours.signature).toLowerCase()).toBe(address);
    expect(addressOfPrivateKey(KEY)).toBe(address);
  });

  it('fast cached verification accepts exactly what recovery accepts', () => {
    const address = addressOfPrivateKey(KEY);
    const verifier = new SignatureVerifier();
    const first = codec.sign(report, KEY);
    expect(verifier.verify(codec.digest(report), first.signature, address)).toBe(true); // recovery, caches key
    expect(verifier.cachedKeys).toBe(1);
    const next = { ...report, nonce: 18 };
    const second = codec.sign(next, KEY);
    expect(verifier.verify(codec.digest(next), second.signature, address)).toBe(true); // fast path
    // a tampered report: ethers recovers some other address, we reject
    const tampered = { ...next, priceMicros: 1 };
    expect(verifyTypedData(domain, codec.types, tampered, second.signature).toLowerCase()).not.toBe(address);
    expect(verifier.verify(codec.digest(tampered), second.signature, address)).toBe(false);
    // flipped recovery bit: ethers recovers another address, the fast path rejects too
    const v = second.signature.slice(130) === '1b' ? '1c' : '1b';
    const flipped = second.signature.slice(0, 130) + v;
    expect(verifyTypedData(domain, codec.types, next, flipped).toLowerCase()).not.toBe(address);
    expect(verifier.verify(codec.digest(next), flipped, address)).toBe(false);
    // another key's signature
    const foreign = codec.sign(next, OTHER_KEY);
    expect(verifier.verify(codec.digest(next), foreign.signature, address)).toBe(false);
  });

  it('rejects malformed and high-s (malleable) signatures', () => {
    const address = addressOfPrivateKey(KEY);
    const verifier = new SignatureVerifier();
    const digest = codec.digest(report);
    const sig = Signature.from(codec.sign(report, KEY).signature);
    const n = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
    const highS = `0x${BigInt(sig.r).toString(16).padStart(64, '0')}${(n - BigInt(sig.s)).toString(16).padStart(64, '0')}${sig.v === 27 ? '1c' : '1b'}`;
    expect(recoverAddress(digest, highS)).toBeUndefined();
    expect(verifier.verify(digest, highS, address)).toBe(false);
    for (const bad of ['0x', '0x1234', `${sig.serialized.slice(0, 130)}05`, 'zz'])
      expect(verifier.verify(digest, bad, address)).toBe(false);
  });
});

const ORDER_N = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');

/** ethers' answer for "was digest signed by address", with EIP-2's low-s rule on top. */
function ethersAccepts(digest: Uint8Array, signature: string, address: string): boolean {
  try {
    const sig = Signature.from(signature);
    if (BigInt(sig.s) > ORDER_N / 2n) return false;
    return ethersRecoverAddress(digest, signature).toLowerCase() === address;
  } catch {
    return false;
  }
}

describe('SignatureVerifier against ethers (property)', () => {
  const cached = new SignatureVerifier(); // long-lived: keys learned along the way
  const key = fc.bigInt({ min: 1n, max: ORDER_N - 1n }).map((k) => `0x${k.toString(16).padStart(64, '0')}`);
  const variant = fc.constantFrom('as-signed', 'flipped-v', 'v-0-1', 'tampered', 'other-signer', 'random-r');

  it('accepts exactly what ethers recovers to the expected address', () => {
    fc.assert(
      fc.property(
        key,
        key,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        variant,
        fc.bigInt({ min: 1n, max: ORDER_N - 1n }),
        (k, other, digest, how, randomR) => {
          const address = addressOfPrivateKey(k);
          let signature = signDigest(digest, k);
          let checked = digest;
          if (how === 'flipped-v')
            signature = signature.slice(0, 130) + (signature.endsWith('1b') ? '1c' : '1b');
          if (how === 'v-0-1') signature = signature.slice(0, 130) + (signature.endsWith('1b') ? '00' : '01');
          if (how === 'tampered') checked = Uint8Array.from(digest, (b, i) => (i === 7 ? b ^ 1 : b));
          if (how === 'other-signer') signature = signDigest(digest, other);
          if (how === 'random-r')
            signature = `0x${randomR.toString(16).padStart(64, '0')}${signature.slice(66)}`;
          const expected = ethersAccepts(checked, signature, address);
          expect(new SignatureVerifier().verify(checked, signature, address)).toBe(expected);
          expect(cached.verify(checked, signature, address)).toBe(expected);
          if (how === 'as-signed') expect(expected).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('signed index rounds', () => {
  it('signs a published round that ethers and the attestor both verify', () => {
    const attestor = new RoundAttestor(domain);
    const round: PublishedRound = {
      indexId: 'CU',
      roundId: 7,
      priceMicros: 2_500_000,
      lowMicros: 2_400_000,
      highMicros: 2_600_000,
      utilisationBps: 7_500,
      providers: 9,
      publishedAtMs: 1_780_000_100_000,
    };
    const signed = attestor.sign(round, OTHER_KEY);
    const oracle = addressOfPrivateKey(OTHER_KEY);
    expect(attestor.verify(signed, oracle)).toBe(true);
    expect(verifyTypedData(domain, attestor.types, round, signed.signature).toLowerCase()).toBe(oracle);
    expect(attestor.verify({ ...signed, round: { ...round, priceMicros: 2_500_001 } }, oracle)).toBe(false);
    expect(attestor.verify(signed, addressOfPrivateKey(KEY))).toBe(false);
  });
});
