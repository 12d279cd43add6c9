import { crc32 } from 'node:zlib';

/**
 * A journal frame: a header and a payload of whole records.
 *   u32 magic | u32 payload length | u32 CRC-32 of (seqs + payload) | f64 first seq | f64 last seq | payload
 * The sequence range lets a reader skip frames before the seq it wants without decoding them.
 */
export const FRAME_MAGIC = 0x314a5845; // "EXJ1" little-endian
export const FRAME_HEADER_BYTES = 28;

export function encodeFrame(firstSeq: number, lastSeq: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint32(4, payload.length, true);
  view.setFloat64(12, firstSeq, true);
  view.setFloat64(20, lastSeq, true);
  frame.set(payload, FRAME_HEADER_BYTES);
  view.setUint32(8, crc32(frame.subarray(12)), true);
  return frame;
}

export type FrameScan =
  | { kind: 'frame'; firstSeq: number; lastSeq: number; payload: Uint8Array; end: number }
  | { kind: 'end' }
  | { kind: 'torn'; reason: string }
  | { kind: 'corrupt'; reason: string };

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Reads the frame at `offset`. Nothing but zeros from there on is the end: the space a journal
 * zero-fills ahead of its frames, or a tail a crash left zeroed (no frame was written there).
 * A damaged frame is "torn" when nothing but zeros follows it, or its header, or it runs past the
 * end of the file (a write cut short by a crash, which only the last frame can suffer); otherwise it
 * is "corrupt", and the reader must stop rather than guess.
 */
export function scanFrame(bytes: Uint8Array, offset: number): FrameScan {
  if (offset === bytes.length || allZero(bytes, offset)) return { kind: 'end' };
  if (bytes.length - offset < FRAME_HEADER_BYTES) return { kind: 'torn', reason: 'partial frame header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(offset, true);
  if (magic !== FRAME_MAGIC) {
    return allZero(bytes, offset + FRAME_HEADER_BYTES)
      ? { kind: 'torn', reason: 'partial frame header' }
      : { kind: 'corrupt', reason: `bad frame magic 0x${magic.toString(16)}` };
  }
  const length = view.getUint32(offset + 4, true);
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > bytes.length) return { kind: 'torn', reason: 'frame runs past the end of the file' };
  const crc = view.getUint32(offset + 8, true);
  if (crc32(bytes.subarray(offset + 12, end)) !== crc) {
    return end === bytes.length || allZero(bytes, end)
      ? { kind: 'torn', reason: 'checksum mismatch in the last frame' }
      : { kind: 'corrupt', reason: 'checksum mismatch before the end of the file' };
  }
  return {
    kind: 'frame',
    firstSeq: view.getFloat64(offset + 12, true),
    lastSeq: view.getFloat64(offset + 20, true),
    payload: bytes.subarray(offset + FRAME_HEADER_BYTES, end),
    end,
  };
}
