import fc from 'fast-check';
import { ByteReader, ByteWriter, CodecError, CRC32_START, crc32, crc32End, crc32Text } from './bytes';
import {
  CommandCursor,
  decodeCommand,
  decodeCommands,
  decodeEvents,
  encodeCommand,
  encodeCommands,
  encodeEvents,
} from './codec';
import { CommandType, placeOrder, type Command } from './commands';
import { CancelReason, CancelReasonName } from './enums';
import { EventType, LeaseStateName, TransferReason, TransferReasonName, type EngineEvent } from './events';
import { REJECT_CODES } from './reject-code';

const spec = {
  minPriceTicks: 1, maxPriceTicks: 9, minSizeLots: 1, maxSizeLots: 9, priceBandBps: 1, priceBandMinTicks: 0, marketProtectionBps: 5, maxOpenOrders: 3,
}; // prettier-ignore

const commands: Command[] = [
  {
    ...placeOrder({
      instrumentId: 3,
      accountId: 7,
      side: 1,
      qtyLots: 5,
      priceTicks: 2505,
      clientOrderId: 'c-1',
      displayLots: 2,
    }),
    seq: 1,
    timeMs: 10,
  },
  {
    ...placeOrder({
      instrumentId: 3,
      accountId: 7,
      side: 0,
      qtyLots: Number.NaN,
      priceTicks: 2.5,
      positionLots: -4,
    }),
    seq: 2,
    timeMs: 11,
  },
  {
    type: CommandType.CancelOrder,
    seq: 3,
    timeMs: 12,
    instrumentId: 3,
    accountId: 7,
    orderId: 1,
    clientOrderId: '',
  },
  {
    type: CommandType.AmendOrder,
    seq: 4,
    timeMs: 13,
    instrumentId: 3,
    accountId: 7,
    orderId: 0,
    clientOrderId: 'c-1',
    priceTicks: 0,
    qtyLots: 3,
    stopPriceTicks: 0,
  },
  { type: CommandType.MassCancel, seq: 5, timeMs: 14, accountId: 7, instrumentId: 0 },
  { type: CommandType.SetReferencePrice, seq: 6, timeMs: 15, instrumentId: 3, source: 1, priceTicks: 2500 },
  { type: CommandType.ListInstrument, seq: 7, timeMs: 16, instrumentId: 3, symbol: 'H100-2612-C-2.50', spec },
  { type: CommandType.SetInstrumentStatus, seq: 8, timeMs: 17, instrumentId: 3, status: 1 },
  { type: CommandType.AdvanceTime, seq: 9, timeMs: 18 },
  {
    type: CommandType.ListInstrument,
    seq: 10,
    timeMs: 19,
    instrumentId: 4,
    symbol: 'H100-USDC',
    spec,
    definition: {
      symbol: 'H100-USDC',
      kind: 'spot',
      computeClass: 'H100',
      quoteCurrency: 'USDC',
      contract: { ...spec, tickSize: '0.0001', lotSize: '1', multiplier: '1' },
    },
  },
  {
    type: CommandType.Deposit,
    seq: 11,
    timeMs: 20,
    accountId: 7,
    asset: 'USDC',
    amountMinor: 123_456_789_012_345_678_901n,
  },
  { type: CommandType.Withdraw, seq: 12, timeMs: 21, accountId: 7, asset: 'H100', amountMinor: 5n },
  { type: CommandType.Liquidate, seq: 13, timeMs: 22, accountId: 7 },
];

const events: EngineEvent[] = [
  { type: EventType.InstrumentListed, seq: 1, instrumentId: 3, symbol: 'H100-USDC' },
  { type: EventType.InstrumentStatusChanged, seq: 2, instrumentId: 3, status: 2 },
  {
    type: EventType.OrderAccepted, seq: 3, instrumentId: 3, orderId: 3, accountId: 9, clientOrderId: 'x', side: 0, orderType: 2,
    timeInForce: 3, flags: 3, priceTicks: 10, qtyLots: 4, displayLots: 1, stopPriceTicks: 9, expireAtMs: 99,
  },
  { type: EventType.OrderRejected, seq: 4, commandType: 3, instrumentId: 3, accountId: 9, orderId: 2, clientOrderId: 'y', code: 'AMEND_NO_CHANGE' },
  {
    type: EventType.Trade, seq: 5, instrumentId: 3, tradeId: 77, priceTicks: 10, qtyLots: 2, aggressorSide: 1, makerOrderId: 1,
    makerAccountId: 2, takerOrderId: 5, takerAccountId: 3, makerRemainingLots: 0, takerRemainingLots: 8,
  },
  { type: EventType.OrderCancelled, seq: 6, instrumentId: 3, orderId: 1, accountId: 2, cancelledLots: 3, remainingLots: 1, reason: 3 },
  { type: EventType.OrderAmended, seq: 7, instrumentId: 3, orderId: 1, accountId: 2, priceTicks: 11, remainingLots: 1, stopPriceTicks: 0, priorityKept: true },
  { type: EventType.OrderExpired, seq: 8, instrumentId: 3, orderId: 1, accountId: 2, expiredLots: 1 },
  { type: EventType.OrderTriggered, seq: 9, instrumentId: 3, orderId: 4, accountId: 2, triggerPriceTicks: 12 },
  { type: EventType.BookDelta, seq: 10, instrumentId: 3, side: 1, priceTicks: 12, qtyLots: 0, orderCount: 0 },
  { type: EventType.LedgerTransfer, seq: 11, instrumentId: 3, debitAccountId: 2, creditAccountId: -2, asset: 'USDC', amountMinor: 1_500n, reason: 3, leaseId: '' },
  { type: EventType.LedgerTransfer, seq: 11, instrumentId: 3, debitAccountId: -5, creditAccountId: 4, asset: 'USDC', amountMinor: 7n, reason: TransferReason.EscrowRelease, leaseId: 'H100-2611-2' },
  { type: EventType.LedgerTransfer, seq: 11, instrumentId: 3, debitAccountId: -6, creditAccountId: -3, asset: 'USDC', amountMinor: 9n, reason: TransferReason.SlashInsurance, leaseId: 'H100-2611-3' },
  { type: EventType.PositionChanged, seq: 12, instrumentId: 3, accountId: 2, qtyLots: -4, costMinor: -7_200_000n },
  { type: EventType.Liquidation, seq: 13, instrumentId: 0, accountId: 2, phase: 2, equityMinor: -5n, maintenanceMinor: 0n, insuranceMinor: 5n },
  {
    type: EventType.LeaseStateChanged, seq: 14, instrumentId: 3, leaseId: 'H100-2611-1', providerAccountId: 4, lesseeAccountId: 2,
    state: 5, failure: 3, gpuCount: 2, deliveryStartMs: 1_000, deliveryEndMs: 3_601_000, releasedHours: 1, paidMinor: 10n,
    releasedMinor: 4n, refundedMinor: 6n, collateralMinor: 3n,
  },
  { type: EventType.InstrumentSettled, seq: 15, instrumentId: 3, kind: 0, key: 'MTM:3:2026-11-25', priceTicks: 2_550, intrinsicTicks: 0, leases: 0 },
  { type: EventType.InstrumentSettled, seq: 16, instrumentId: 4, kind: 1, key: 'EXPIRY:4', priceTicks: 2_610, intrinsicTicks: 110, leases: 3 },
  { type: EventType.StakeChanged, seq: 17, instrumentId: 0, accountId: 301, change: 2, amountMinor: 18_750_000n, stakeMinor: 981_250_000n, leaseId: 'H100-RDM-9-1', failedAtMs: 1_795_000_000_000 },
  { type: EventType.StakeChanged, seq: 18, instrumentId: 0, accountId: 301, change: 0, amountMinor: 5n, stakeMinor: 5n, leaseId: '', failedAtMs: 0 },
]; // prettier-ignore

/** Settlement and lease commands, appended after the older types. */
const settlementCommands: Command[] = [
  { type: CommandType.DailySettle, seq: 20, timeMs: 1, instrumentId: 3, businessDate: '2026-11-25', priceTicks: 2_550 },
  { type: CommandType.ExpireInstrument, seq: 21, timeMs: 2, instrumentId: 3 },
  { type: CommandType.SettleExpiry, seq: 22, timeMs: 3, instrumentId: 3, finalPriceTicks: Number.NaN },
  { type: CommandType.ProvisionLease, seq: 23, timeMs: 4, leaseId: 'H100-2611-1', endpoint: 'ssh://n1.example:22', credentialHash: 'ab'.repeat(32) },
  { type: CommandType.AttestLease, seq: 24, timeMs: 5, leaseId: 'H100-2611-1', suite: 'mlperf-h100', scorePerGpu: 2_950.5 },
  { type: CommandType.LeaseHeartbeat, seq: 25, timeMs: 6, leaseId: 'H100-2611-1' },
  { type: CommandType.LeaseTick, seq: 26, timeMs: 7, computeClass: 'H100', indexMinorPerGpuHour: 2_700_000n },
  { type: CommandType.DisputeLease, seq: 27, timeMs: 8, leaseId: 'H100-2611-2' },
  { type: CommandType.ResolveLeaseDispute, seq: 28, timeMs: 9, leaseId: 'H100-2611-2', upheld: true, indexMinorPerGpuHour: 1n },
  { type: CommandType.ResolveLeaseDispute, seq: 29, timeMs: 9, leaseId: 'H100-2611-3', upheld: false, indexMinorPerGpuHour: 0n },
  { type: CommandType.CommitCapacity, seq: 30, timeMs: 10, accountId: 301, computeClass: 'H100', gpuCount: 64 },
  { type: CommandType.RedeemTokens, seq: 31, timeMs: 11, accountId: 7, computeClass: 'L40S', gpuCount: 2.5, hours: Number.NaN },
  { type: CommandType.ChainDeposit, seq: 32, timeMs: 12, accountId: 7, asset: 'H100', amountMinor: 12n, reference: '31337:0xab:4', redeemGpus: 2, redeemHours: 6 },
  { type: CommandType.ChainWithdraw, seq: 33, timeMs: 13, accountId: 7, asset: 'USDC', amountMinor: 1_500_000n },
  { type: CommandType.ChainStake, seq: 34, timeMs: 14, accountId: 301, amountMinor: 250_000_000n, reference: '31337:0xcd:2' },
  { type: CommandType.ReleaseStake, seq: 35, timeMs: 15, accountId: 301, amountMinor: 1n },
]; // prettier-ignore

describe('binary codec', () => {
  it('round-trips every command type, keeping odd numbers exactly', () => {
    const decoded = decodeCommands(encodeCommands(commands));
    expect(decoded).toEqual(commands);
    expect(Number.isNaN((decoded[1] as { qtyLots: number }).qtyLots)).toBe(true);
  });

  it('round-trips the settlement and lease commands, through both decoders', () => {
    const bytes = encodeCommands(settlementCommands);
    expect(decodeCommands(bytes)).toEqual(settlementCommands);
    const cursor = new CommandCursor();
    cursor.reset(bytes);
    const seen: Command[] = [];
    while (cursor.remaining > 0) seen.push({ ...cursor.next() } as Command);
    expect(seen).toEqual(settlementCommands);
    expect(CommandType.ResolveLeaseDispute).toBe(20);
    expect(CommandType.ChainWithdraw).toBe(24);
    expect(CommandType.ReleaseStake).toBe(26);
  });

  it('writes a lease id only for lease transfer reasons (older ledger records read unchanged)', () => {
    const plain = encodeEvents([events[10]!]);
    const w = new ByteWriter(64);
    w.u8(0xe1); w.u8(EventType.LedgerTransfer); w.f64(11); w.f64(3); w.f64(2); w.f64(-2); w.u8(3); w.str('USDC'); w.bigint(1_500n);
    expect(plain).toEqual(w.bytes().slice());
  }); // prettier-ignore

  it('keeps enumerations append-only', () => {
    expect(TransferReason.InsuranceCover).toBe(6);
    expect(TransferReason.SlashInsurance).toBe(17);
    expect(TransferReasonName[TransferReason.VariationMargin]).toBe('variation_margin');
    expect(TransferReasonName[TransferReason.StakeRelease]).toBe('stake_release');
    expect(CancelReasonName[CancelReason.InstrumentExpired]).toBe('instrument_expired');
    expect(REJECT_CODES.indexOf('NO_MARK_PRICE')).toBe(40);
    expect(REJECT_CODES.indexOf('INSTRUMENT_EXPIRED')).toBe(41);
    expect(LeaseStateName.length).toBe(9);
  });

  it('round-trips every event type', () => {
    expect(decodeEvents(encodeEvents(events))).toEqual(events);
  });

  it('sequences while encoding', () => {
    const { seq: _s, timeMs: _t, ...unsequenced } = commands[2]!;
    const w = new ByteWriter(16);
    encodeCommand(w, unsequenced as Command, 42, 4242);
    expect(decodeCommand(new ByteReader(w.bytes()))).toEqual({ ...commands[2], seq: 42, timeMs: 4242 });
  });

  it('decodes through the cursor into reused objects with the same values', () => {
    const cursor = new CommandCursor();
    cursor.reset(encodeCommands(commands));
    const seen: Command[] = [];
    while (cursor.remaining > 0) seen.push({ ...cursor.next() } as Command);
    expect(seen).toEqual(commands);
  });

  it('refuses unknown tags, unknown types and truncated records', () => {
    const bytes = encodeCommands(commands.slice(0, 1));
    expect(() => decodeCommands(bytes.subarray(0, bytes.length - 1))).toThrow(CodecError);
    const badTag = bytes.slice();
    badTag[0] = 0x99;
    expect(() => decodeCommands(badTag)).toThrow(/codec tag/);
    const badType = bytes.slice();
    badType[1] = 200;
    expect(() => decodeCommands(badType)).toThrow(/unknown command type/);
    expect(() => encodeCommands([{ ...commands[0]!, side: 300 } as unknown as Command])).toThrow(RangeError);
  });

  it('keeps reject codes append-only by index', () => {
    expect(REJECT_CODES[0]).toBe('INVALID_COMMAND');
    expect(REJECT_CODES.indexOf('PRICE_NOT_ON_TICK')).toBe(13);
    expect(new Set(REJECT_CODES).size).toBe(REJECT_CODES.length);
  });

  it('round-trips strings, including non-ASCII, and crc32 matches the standard check value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const w = new ByteWriter(4);
        w.str(s);
        expect(new ByteReader(w.bytes()).str()).toBe(s);
      }),
    );
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('crc32Text over a sequence of strings is crc32 of their joined UTF-8 bytes', () => {
    expect(crc32End(crc32Text(crc32Text(CRC32_START, '1234'), '56789'))).toBe(0xcbf43926);
    expect(crc32End(CRC32_START)).toBe(crc32(new Uint8Array(0)));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('grapheme', 'binary-ascii'), maxLength: 20 }), { maxLength: 6 }), (parts) => {
        const joined = new TextEncoder().encode(parts.join(''));
        expect(crc32End(parts.reduce(crc32Text, CRC32_START))).toBe(crc32(joined));
      }),
    ); // prettier-ignore
  });
});
