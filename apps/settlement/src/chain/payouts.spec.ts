import {
  CommandType,
  EventType,
  SystemAccount,
  TransferReason,
  encodeEvents,
  type EngineEvent,
  type LedgerTransfer,
} from '@exchange/domain';
import { findPayableOutcomes, netByAccount, type EventFrames, type PayableItem } from './payouts';

const transfer = (seq: number, from: number, to: number, amountMinor: bigint, reason: TransferReason): LedgerTransfer => ({
  type: EventType.LedgerTransfer, seq, instrumentId: 0, debitAccountId: from, creditAccountId: to, asset: 'USDC', amountMinor, reason, leaseId: '',
}); // prettier-ignore

/** An event log of one frame per seq. */
function log(events: EngineEvent[]): EventFrames {
  const seqs = [...new Set(events.map((e) => e.seq))].sort((a, b) => a - b);
  const frames = seqs.map((seq) => {
    return { firstSeq: seq, lastSeq: seq, payload: encodeEvents(events.filter((x) => x.seq === seq)) };
  });
  return { frames: (after) => frames.filter((f) => f.lastSeq > after) };
}

const items: PayableItem[] = [
  { accountId: 5, address: '0x0000000000000000000000000000000000000005', amountMinor: 72n },
  { accountId: 7, address: '0x0000000000000000000000000000000000000007', amountMinor: 79n },
];
const withdrawal = (seq: number, accountId: number, amount: bigint) =>
  transfer(seq, accountId, SystemAccount.External, amount, TransferReason.Withdrawal);

it('nets every transfer of the expiry per user account, system accounts left out', () => {
  expect(
    netByAccount([
      transfer(9, SystemAccount.Clearing, 5, 100n, TransferReason.FutureFinalSettlement),
      transfer(9, 5, SystemAccount.Escrow, 130n, TransferReason.EscrowFund),
      transfer(9, 2, 7, 79n, TransferReason.OptionExercise),
      transfer(9, 3, 4, 10n, TransferReason.FutureFinalSettlement),
      transfer(9, 4, 3, 10n, TransferReason.FutureFinalSettlement),
    ]),
  ).toEqual([
    { accountId: 2, netMinor: -79n },
    { accountId: 5, netMinor: -30n },
    { accountId: 7, netMinor: 79n },
  ]);
});

it('finds a batch of payable withdrawals after a restart only where all of them sit on consecutive seqs', () => {
  const rejected: EngineEvent = { type: EventType.OrderRejected, seq: 13, commandType: CommandType.Withdraw, instrumentId: 0, accountId: 7, orderId: 0, clientOrderId: '', code: 'INSUFFICIENT_BALANCE' }; // prettier-ignore
  // account 5's own withdrawal of the same amount at seq 10 is not the batch; the batch is 12-13
  const events = [withdrawal(10, 5, 72n), withdrawal(12, 5, 72n), rejected];
  expect(findPayableOutcomes(log(events), 9, items)).toEqual([
    { ...items[0], seq: 12, refused: null },
    { ...items[1], seq: 13, refused: 'INSUFFICIENT_BALANCE' },
  ]);
  // never sent: nothing matches, so the batch may be sent
  expect(findPayableOutcomes(log([withdrawal(10, 5, 72n)]), 9, items)).toBeUndefined();
  // a withdrawal before the plan was written does not count
  expect(findPayableOutcomes(log([withdrawal(8, 5, 72n), withdrawal(9, 7, 79n)]), 9, items)).toBeUndefined();
  expect(findPayableOutcomes(log([]), 9, [])).toEqual([]);
});
