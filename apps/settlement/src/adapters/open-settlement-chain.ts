import { Logger } from '@nestjs/common';
import { chainSettingsFromEnv, openChain, redact } from '@exchange/chain';
import { COMPUTE_CLASSES } from '@exchange/domain';
import { embeddedProviderWallets, type DemoProviderWallets } from '../agents/stake-demo';
import type { SettlementConfig } from '../config/settlement-config';
import { EthersChainAdapter } from './ethers-chain.adapter';

export interface OpenedSettlementChain {
  /** undefined: CHAIN=off, said so in the log */
  readonly chain?: EthersChainAdapter;
  /** The embedded chain only: the demo providers' wallets on it. */
  readonly demoWallets?: DemoProviderWallets;
  close(): Promise<void>;
}

/**
 * The settlement app's chain from the environment: CHAIN=off runs without one (explicitly, never as
 * a fallback); CHAIN_RPC_URL unset starts the local Hardhat node and deploys the contracts; set, it
 * uses that chain and fails with CHAIN_UNREACHABLE when it does not answer. Logs how long it took.
 */
export async function openSettlementChain(
  env: NodeJS.ProcessEnv,
  config: SettlementConfig,
): Promise<OpenedSettlementChain> {
  const log = new Logger('Chain');
  if (!config.chain) {
    log.warn({ msg: 'chain off (CHAIN=off): expiries settle in the ledger only, nothing is paid on chain' });
    return { close: () => Promise.resolve() };
  }
  const settings = chainSettingsFromEnv(
    env,
    COMPUTE_CLASSES.map((c) => c.id),
  );
  const startedMs = Date.now();
  const opened = await openChain(settings);
  const chain = new EthersChainAdapter(opened.chain, settings.stablecoin === undefined);
  log.log({
    msg: 'chain ready',
    embedded: opened.local !== undefined,
    replayedBlocks: opened.local?.replayedBlocks, // the embedded chain's archive, mined again
    rpc: redact(opened.chain.connection.rpcUrl),
    chainId: chain.chainId.toString(),
    operator: chain.operator,
    settlementPrice: chain.settlementPrice,
    vault: chain.vault,
    dataDir: settings.dataDir,
    startMs: Date.now() - startedMs, // what the chain adds to start-up (beside the database's start)
    ...opened.timings,
  });
  const demoWallets = opened.local !== undefined ? embeddedProviderWallets(opened.chain) : undefined;
  return { chain, demoWallets, close: () => opened.close() };
}
