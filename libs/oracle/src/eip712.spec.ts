import fc from 'fast-check';
import { TypedDataEncoder } from 'ethers';
import { FlatStructHasher, bytesToHex, type Eip712Domain, type FlatField } from './eip712';

const domain: Eip712Domain = {
  name: 'GpuComputeOracle',
  version: '1',
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
};
const FIELDS: readonly FlatField[] = [
  { name: 'id', type: 'string' },
  { name: 'owner', type: 'address' },
  { name: 'small', type: 'uint16' },
  { name: 'amount', type: 'uint64' },
  { name: 'big', type: 'uint256' },
];

/** Differential: the flat-struct EIP-712 digest against ethers' TypedDataEncoder. */
describe('FlatStructHasher', () => {
  const hasher = new FlatStructHasher('Thing', FIELDS, domain);

  it('agrees with ethers for any strings, addresses and uint values (numbers and bigints)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 65_535 }),
        fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1)),
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        (id, owner, small, amount, big) => {
          const value = { id, owner: bytesToHex(owner), small, amount, big };
          expect(bytesToHex(hasher.digest(value))).toBe(
            TypedDataEncoder.hash(domain, hasher.ethersTypes, value),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
