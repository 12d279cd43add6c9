import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3';
import { keccak256 as ethersKeccak256 } from 'ethers';
import { bytesToHex } from './eip712';
import { keccak256, keccak256Into } from './keccak';

/** Differential: the WebAssembly Keccak-256 against @noble/hashes and ethers. */
describe('keccak256', () => {
  it('agrees with @noble/hashes and ethers on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), (data) => {
        const ours = bytesToHex(keccak256(data));
        expect(ours).toBe(bytesToHex(keccak_256(data)));
        expect(ours).toBe(ethersKeccak256(data));
      }),
      { numRuns: 300 },
    );
  });

  it('handles every padding boundary and inputs longer than its memory page', () => {
    // rate 136: a tail of 135 bytes puts both padding bits in one byte; 65,280 bytes is one full
    // page of blocks, after which the input is absorbed in several calls
    for (const length of [0, 1, 135, 136, 137, 271, 272, 65_007, 65_008, 65_144, 200_001]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(bytesToHex(keccak256(data))).toBe(bytesToHex(keccak_256(data)));
    }
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
  });

  it('writes into a caller buffer at an offset and leaves the input unchanged', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const copy = data.slice();
    const out = new Uint8Array(40).fill(7);
    keccak256Into(data, out, 5);
    expect(bytesToHex(out.subarray(5, 37))).toBe(bytesToHex(keccak_256(data)));
    expect([...out.subarray(0, 5), ...out.subarray(37)]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect(data).toEqual(copy);
  });
});
