import { Logger } from '@nestjs/common';
import { Wallet, id } from 'ethers';
import type { LocalChain, TxRecord } from '@exchange/chain';
import {
  CommandType,
  EventType,
  TransferReason,
  decodeEvents,
  type UnsequencedCommand,
} from '@exchange/domain';
import {
  DISPUTE_WINDOW_S, indexRounds, instrumentsAsOf, openChainApp, registration, syncChainTime, trade,
} from './chain-settlement-fixture'; // prettier-ignore
import { TestClock } from './settlement-fixture';

/**
 * Child process of the settlement crash test: the engine service, the settlement app and its chain
 * adapter (CHAIN_RPC_URL: the test's node) on a data folder, driven through one expiry: trading (on
 * the first run), expiry and the signed prices, the dispute window, payables and roots. With a crash
 * point it kills itself with SIGKILL there (a real kill -9, nothing after it runs); the test then
 * starts it again without one. At the end it prints one line: SUMMARY <json>.
 *   node chain-crash-child.js <dataDir> <rpcUrl> <startMs> <crashPoint | ->
 * Crash points: settle-expiry, withdrawn (after the engine applied the payables' withdrawals), and
 * journal:<op> / broadcast:<op> (after a chain operation was journalled, or broadcast) for the
 * operations price, faucet, approve, deposit, root and prime.
 */
export const payee = (accountId: number) => new Wallet(id(`payee-${accountId}`));

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const [dir, rpcUrl, startMs, crashAt] = process.argv.slice(2) as [string, string, string, string];
  const die = (point: string): void => {
    if (point === crashAt) process.kill(process.pid, 'SIGKILL');
  };
  const op = (r: TxRecord) => r.key.split(':')[0];
  const clock = new TestClock(Number(startMs));
  const instruments = instrumentsAsOf(Number(startMs));
  const local: LocalChain = { rpcUrl, port: 0, replayedBlocks: 0, stop: () => Promise.resolve() };
  const app = await openChainApp(local, dir, clock, {
    afterJournal: (r) => die(`journal:${op(r)}`),
    afterBroadcast: (r) => die(`broadcast:${op(r)}`),
  });
  const submit = app.engine.submit.bind(app.engine);
  app.engine.submit = async (commands: readonly UnsequencedCommand[]) => {
    const result = await submit(commands);
    if (commands.some((c) => c.type === CommandType.SettleExpiry)) die('settle-expiry');
    if (commands.some((c) => c.type === CommandType.Withdraw)) die('withdrawn');
    return result;
  };
  if (app.engine.state.instrumentIds().length === 0) {
    for (const a of [4, 5, 7]) {
      const r = await registration(a, payee(a));
      if (app.settlement.payoutAddresses.register(a, r.address, r.signature) !== null)
        throw new Error('registration');
    }
    await trade(app, instruments);
  }
  indexRounds(app, instruments.h100);
  const expiryMs = instruments.h100.future!.expiryMs;
  clock.ms = expiryMs + 1_000;
  await syncChainTime(app.chain, clock);
  await app.pass();
  // the dispute window passes on chain and on the clock
  await app.chain.sender.raw('evm_increaseTime', [DISPUTE_WINDOW_S + 1]);
  await app.chain.sender.raw('evm_mine', []);
  clock.ms = expiryMs + 1_000 + (DISPUTE_WINDOW_S + 1) * 1_000;
  await app.pass();
  const withdrawals: [number, string][] = [];
  for (const f of app.engine.eventLog.frames(0))
    for (const e of decodeEvents(f.payload))
      if (e.type === EventType.LedgerTransfer && e.reason === TransferReason.Withdrawal)
        withdrawals.push([e.debitAccountId, e.amountMinor.toString()]);
  const summary = {
    steps: app.settlement.status().map((s) => [s.symbol, s.step, s.error?.code ?? null]),
    withdrawals,
    conservation: app.engine.state.ledger.conservationProblems(),
    differences: (await app.settlement.reconcileNow())?.differences,
    vault: app.chain.addresses.vault,
    vaultBalance: (await app.chain.stablecoinBalance(app.chain.addresses.vault)).toString(),
  };
  process.stdout.write(`SUMMARY ${JSON.stringify(summary)}\n`);
  await app.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
