import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3';
import { keccak256 as ethersKeccak256 } from 'ethers';
import { keccak256, keccak256Into, keccak256Many } from './keccak';

const bytesToHex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

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

  it('hashes batches of messages, one block each or longer, at offsets, across its batch capacity', () => {
    // more than one WebAssembly call's worth (1,024 messages), and not a multiple of it
    for (const [messageBytes, count] of [
      [0, 3],
      [8, 50],
      [32, 5_000],
      [64, 700],
      [96, 2_100],
      [128, 300],
      [136, 20],
      [33, 40],
      [200, 10],
    ] as const) {
      const input = Uint8Array.from(
        { length: 7 + messageBytes * count },
        (_, i) => (i * 131 + messageBytes) & 0xff,
      );
      const out = new Uint8Array(5 + 32 * count).fill(9);
      keccak256Many(input, 7, messageBytes, count, out, 5);
      for (let k = 0; k < count; k++) {
        const message = input.subarray(7 + k * messageBytes, 7 + (k + 1) * messageBytes);
        expect(bytesToHex(out.subarray(5 + 32 * k, 37 + 32 * k))).toBe(bytesToHex(keccak_256(message)));
      }
      expect([...out.subarray(0, 5)]).toEqual([9, 9, 9, 9, 9]);
    }
  });

  it('agrees with @noble/hashes on random batches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 18 }).map((w) => w * 8),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (messageBytes, count, seed) => {
          const input = Uint8Array.from(
            { length: messageBytes * count },
            (_, i) => (seed + i * 2_654_435_761) >>> 24,
          );
          const out = new Uint8Array(32 * count);
          keccak256Many(input, 0, messageBytes, count, out, 0);
          for (let k = 0; k < count; k++) {
            const message = input.subarray(k * messageBytes, (k + 1) * messageBytes);
            expect(bytesToHex(out.subarray(32 * k, 32 * k + 32))).toBe(bytesToHex(keccak_256(message)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a batch outside its buffers and writes nothing', () => {
    const input = new Uint8Array(64);
    const out = new Uint8Array(64).fill(3);
    expect(() => keccak256Many(input, 0, 32, 3, out, 0)).toThrow(RangeError);
    expect(() => keccak256Many(input, 0, 32, 2, out, 1)).toThrow(RangeError);
    expect(() => keccak256Many(input, -1, 32, 1, out, 0)).toThrow(RangeError);
    expect(() => keccak256Many(input, 0, 32, -1, out, 0)).toThrow(RangeError);
    expect(out.every((b) => b === 3)).toBe(true);
  });
});
