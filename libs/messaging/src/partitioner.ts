/**
 * Kafka's default partitioner (murmur2 of the key, positive, modulo the partition count), as the
 * Java client and kafkajs's DefaultPartitioner compute it, so both adapters place a key alike.
 */
export function murmur2(key: Uint8Array): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  const length = key.length;
  let h = seed ^ length;
  const n = length >> 2;
  for (let i = 0; i < n; i++) {
    const i4 = i * 4;
    let k =
      (key[i4]! & 0xff) +
      ((key[i4 + 1]! & 0xff) << 8) +
      ((key[i4 + 2]! & 0xff) << 16) +
      ((key[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  const tail = length - rest;
  if (rest === 3) h ^= (key[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (key[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= key[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

const encoder = new TextEncoder();

export function partitionOf(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}
