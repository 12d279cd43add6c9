import { ByteReader, ByteWriter, CodecError, type InstrumentDefinition, type Side } from '@exchange/domain';
import { Ledger } from '@exchange/ledger';
import { MatchingEngine, type ExchangeEventSink } from '@exchange/order-book';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from './risk-config';
import type { OpenOrder } from './risk-account';
import { RiskInstrument } from './risk-instrument';
import { RiskStage } from './risk-stage';

export const RISK_SNAPSHOT_TAG_V1 = 0x52;
/** V2 adds each position's opening seq and the settlement section (settled keys, expired instruments, leases). */
export const RISK_SNAPSHOT_TAG_V2 = 0x53;
/** V3 adds the redemption state (capacity commitments, class indexes) and the chain deposits' references. */
export const RISK_SNAPSHOT_TAG_V3 = 0x54;
/** V4 adds providers' on-chain stake as the engine counts it (ChainStake). */
export const RISK_SNAPSHOT_TAG_V4 = 0x55;

/**
 * The shard's whole state in canonical form: the engine's snapshot, the ledger's balances, the
 * instruments' definitions and reference prices, and every account's positions and open orders in
 * ascending order, then the settlement state. Derived state (reservation totals, exposures, holders,
 * scenario vectors) is rebuilt on restore. Its SHA-256 is the state hash: equal states, equal
 * hashes. Version 1 snapshots (no opening seqs, no settlement state), version 2 (no redemption
 * state) and version 3 (no stakes) still restore.
 */
export function snapshotRiskStage(stage: RiskStage): Uint8Array {
  const w = new ByteWriter(1 << 16);
  w.u8(RISK_SNAPSHOT_TAG_V4);
  w.f64(stage.lastSeq);
  w.f64(stage.nowMs);
  const engine = stage.engine.snapshot();
  w.u32(engine.length);
  w.raw(engine);
  const entries = stage.ledger.entries();
  w.f64(entries.length);
  for (const [id, asset, v] of entries) {
    w.f64(id);
    w.str(asset);
    w.bigint(v);
  }
  const instruments = stage.state.instruments.filter((i): i is RiskInstrument => i !== undefined);
  w.f64(instruments.length);
  for (const ins of instruments) {
    w.f64(ins.instrumentId);
    w.text(JSON.stringify(ins.definition));
    w.f64(ins.markTicks);
    w.f64(ins.lastTicks);
    w.f64(ins.markTimeMs);
    w.f64(ins.version);
  }
  const ids = stage.accountIds();
  w.f64(ids.length);
  for (const id of ids) {
    const a = stage.account(id)!;
    w.f64(id);
    w.bool(a.inLiquidation);
    const positions = [...a.positions.keys()].sort((x, y) => x - y);
    w.f64(positions.length);
    for (const pid of positions) {
      const p = a.positions.get(pid)!;
      w.f64(pid);
      w.f64(p.qtyLots);
      w.bigint(p.costMinor);
      w.f64(p.openedSeq);
    }
    const orders = [...a.orders.keys()].sort((x, y) => x - y);
    w.f64(orders.length);
    for (const oid of orders) {
      const o = a.orders.get(oid)!;
      w.f64(o.orderId);
      w.f64(o.instrumentId);
      w.u8(o.side);
      w.f64(o.priceTicks);
      w.f64(o.openLots);
      w.f64(o.reservedMinor);
      w.u8((o.limit ? 1 : 0) | (o.reduceOnly ? 2 : 0));
    }
  }
  stage.settlement.write(w);
  const refs = [...stage.chainDeposits].sort();
  w.f64(refs.length);
  for (const ref of refs) w.str(ref);
  const staked = ids.filter((id) => stage.account(id)!.stakeMinor > 0);
  w.f64(staked.length);
  for (const id of staked) {
    w.f64(id);
    w.f64(stage.account(id)!.stakeMinor);
  }
  return w.bytes().slice();
}

export function riskStateHash(stage: RiskStage): string {
  return bytesToHex(sha256(snapshotRiskStage(stage)));
}

export function restoreRiskStage(
  bytes: Uint8Array,
  out: ExchangeEventSink,
  config: RiskConfig = DEFAULT_RISK_CONFIG,
): RiskStage {
  const r = new ByteReader(bytes);
  const tag = r.u8();
  if (tag < RISK_SNAPSHOT_TAG_V1 || tag > RISK_SNAPSHOT_TAG_V4)
    throw new CodecError('not a risk stage snapshot (unknown tag)');
  const v2 = tag !== RISK_SNAPSHOT_TAG_V1;
  const stage = new RiskStage(out, config);
  stage.lastSeq = r.f64();
  stage.nowMs = r.f64();
  const engineLength = r.u32();
  const engineBytes = bytes.subarray(r.pos, r.pos + engineLength);
  r.pos += engineLength;
  stage.engine = MatchingEngine.restore(engineBytes, stage.teeSink);
  const entries: [number, string, bigint][] = [];
  for (let i = r.f64(); i > 0; i--) entries.push([r.f64(), r.str(), r.bigint()]);
  stage.ledger = Ledger.fromEntries(entries);
  const st = stage.state;
  for (let i = r.f64(); i > 0; i--) {
    const id = r.f64();
    const definition = JSON.parse(r.text()) as InstrumentDefinition;
    const book = stage.engine.book(id);
    if (book === undefined)
      throw new CodecError(`risk snapshot names instrument ${id}, which the engine lacks`);
    const ins = new RiskInstrument(id, definition, book.spec, config);
    ins.markTicks = r.f64();
    ins.lastTicks = r.f64();
    ins.markTimeMs = r.f64();
    ins.version = r.f64();
    st.register(ins);
  }
  for (let i = r.f64(); i > 0; i--) {
    const a = st.accountFor(r.f64());
    st.setLiquidating(a, r.bool());
    for (let j = r.f64(); j > 0; j--)
      a.positions.set(r.f64(), { qtyLots: r.f64(), costMinor: r.bigint(), openedSeq: v2 ? r.f64() : 0 });
    for (let j = r.f64(); j > 0; j--) {
      const o: OpenOrder = {
        orderId: r.f64(),
        instrumentId: r.f64(),
        side: r.u8() as Side,
        priceTicks: r.f64(),
        openLots: r.f64(),
        reservedMinor: r.f64(),
        ...orderFlags(r.u8()),
      };
      a.orders.set(o.orderId, o);
      a.hold(o, st.instruments[o.instrumentId]!, 1);
    }
    const underlyings = new Set<number>();
    for (const pid of a.positions.keys()) underlyings.add(st.instruments[pid]!.underlyingId);
    for (const u of underlyings) st.trackHolder(a, u);
  }
  if (v2) stage.settlement.read(r, tag >= RISK_SNAPSHOT_TAG_V3);
  if (tag >= RISK_SNAPSHOT_TAG_V3) for (let i = r.f64(); i > 0; i--) stage.chainDeposits.add(r.str());
  if (tag >= RISK_SNAPSHOT_TAG_V4)
    for (let i = r.f64(); i > 0; i--) st.accountFor(r.f64()).stakeMinor = r.f64();
  if (r.remaining !== 0) throw new CodecError(`risk snapshot has ${r.remaining} trailing bytes`);
  return stage;
}

function orderFlags(bits: number): { limit: boolean; reduceOnly: boolean } {
  return { limit: (bits & 1) !== 0, reduceOnly: (bits & 2) !== 0 };
}
