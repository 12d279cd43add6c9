import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { connectChain } from './connection';
import { HARDHAT_DEV_KEYS, startLocalChain } from './local-chain';
import { EthersSettlementChain } from './settlement-chain';
import { TEST_DEPLOY_PARAMS } from './test-deploy-params';

/**
 * The embedded node keeps its chain in memory; with an archive a restart continues the same chain:
 * the same genesis, every block mined again with its hash, the contracts and their state where they
 * were, the chain records (keyed by chain id and genesis) still valid. Blocks lost to a crash before
 * they were archived come back when the operator's journalled sender resumes.
 */
it('restarts the embedded chain from its archive, and resends what a crash kept from the archive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chain-archive-'));
  const archiveDir = join(dir, 'local-chain');
  const dataDir = join(dir, 'chain');
  const provider = new Wallet(Wallet.createRandom().privateKey);
  /** Opens the archived node and the operator on it (deploying once, then finding the deployment). */
  const open = async () => {
    const local = await startLocalChain({ archiveDir });
    const connection = await connectChain(local.rpcUrl);
    const op = new EthersSettlementChain(connection, HARDHAT_DEV_KEYS[0], { dataDir, confirmations: 1, pollIntervalMs: 10 }); // prettier-ignore
    await op.deploy(TEST_DEPLOY_PARAMS);
    const close = async () => {
      connection.provider.destroy();
      await local.stop();
    };
    return { local, connection, op, close };
  };
  const state = async (op: EthersSettlementChain) => ({
    custody: await op.custodyMinor(),
    supply: await op.gpuHourSupply('H100'),
    stake: (await op.stakeOf(provider.address)).bondedMinor,
  });
  try {
    const first = await open();
    expect(first.local.replayedBlocks).toBe(0);
    const { op } = first;
    await op.mintTestStablecoin('fund', op.operator, 5_000_000n);
    await op.approveStablecoin('fund', op.addresses.vault, 5_000_000n);
    await op.deposit('fund', 5_000_000n);
    await op.mintGpuHours('H100', EthersSettlementChain.idOf('w-1'), provider.address, 7n);
    // a provider stakes from its own wallet, its gas sent by the operator as a transaction
    await op.sendEther('gas', provider.address, 10n ** 17n);
    await op.mintTestStablecoin('stake', provider.address, 2_000_000n);
    const own = op.as(provider.privateKey);
    await own.approveStablecoin('stake', op.addresses.providerCollateral, 2_000_000n);
    await own.stake('stake', 2_000_000n);
    const before = { ...(await state(op)), head: await op.blockNumber(), genesis: first.connection.genesisHash, addresses: op.addresses }; // prettier-ignore
    expect(before).toMatchObject({ custody: 5_000_000n, supply: 7n, stake: 2_000_000n });
    await first.close();

    // a clean restart: the same chain
    const second = await open();
    expect(second.local.replayedBlocks).toBe(before.head);
    expect(second.connection.genesisHash).toBe(before.genesis);
    expect(second.op.addresses).toEqual(before.addresses);
    expect(await second.op.blockNumber()).toBe(before.head);
    expect(await state(second.op)).toEqual({ custody: 5_000_000n, supply: 7n, stake: 2_000_000n });
    await second.op.mintGpuHours('H100', EthersSettlementChain.idOf('w-2'), provider.address, 3n);
    const head = await second.op.blockNumber();
    await second.close();

    // a crash lost the last archived block (the second mint): the operator's resume sends it again
    const blocks = join(archiveDir, 'blocks.jsonl');
    const lines = readFileSync(blocks, 'utf8').trimEnd().split('\n');
    writeFileSync(blocks, `${lines.slice(0, -1).join('\n')}\n`);
    const third = await open();
    expect(third.local.replayedBlocks).toBe(head - 1);
    expect(await third.op.blockNumber()).toBe(head);
    expect(await state(third.op)).toEqual({ custody: 5_000_000n, supply: 10n, stake: 2_000_000n });
    await third.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

it('refuses an archive that is not the chain it replays on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chain-archive-bad-'));
  const archiveDir = join(dir, 'local-chain');
  try {
    const local = await startLocalChain({ archiveDir });
    const connection = await connectChain(local.rpcUrl);
    const op = new EthersSettlementChain(connection, HARDHAT_DEV_KEYS[0], { dataDir: join(dir, 'chain'), confirmations: 1, pollIntervalMs: 10 }); // prettier-ignore
    await op.sendEther('x', Wallet.createRandom().address, 1n);
    connection.provider.destroy();
    await local.stop();
    // another genesis date: the archived blocks cannot be this chain's
    writeFileSync(
      join(archiveDir, 'genesis.json'),
      `${JSON.stringify({ initialDate: '2026-01-01T00:00:00.000Z' })}\n`,
    );
    await expect(startLocalChain({ archiveDir })).rejects.toThrow(/CHAIN_ARCHIVE_DIVERGED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
