import { dirname, join } from 'node:path';
import { Wallet } from 'ethers';
import { repoRoot } from './artifacts';
import { connectChain } from './connection';
import { HARDHAT_DEV_KEYS, startLocalChain, type LocalChain } from './local-chain';
import { EthersSettlementChain, type DeployParams } from './settlement-chain';

/**
 * The chain of a running exchange, from its settings:
 * - CHAIN_RPC_URL unset (embedded default): a local Hardhat node is started and the contracts are
 *   deployed by its first development account. The node keeps its chain in memory; the chain is
 *   archived under `<dataDir>/local-chain` (ChainArchive) and mined again at the next start, so a
 *   restart continues the same chain (CHAIN_LOCAL_ARCHIVE=off: a new chain at every start).
 * - CHAIN_RPC_URL set: that endpoint, with CHAIN_PRIVATE_KEY as the operator. If it does not answer,
 *   this fails with CHAIN_UNREACHABLE: there is no fallback to the local chain.
 */
export interface ChainSettings {
  readonly rpcUrl?: string;
  readonly privateKey?: string;
  readonly confirmations: number;
  readonly dataDir: string;
  readonly stablecoin?: string;
  readonly oracleSigners: readonly string[];
  readonly priceDisputeWindowS: bigint;
  readonly slashDisputeWindowS: bigint;
  readonly unbondingDelayS: bigint;
  readonly computeClasses: readonly string[];
  /** how long CHAIN_RPC_URL may take to answer at start */
  readonly connectTimeoutMs: number;
  /** the embedded node's chain is archived and replayed across restarts */
  readonly localArchive: boolean;
}

export interface OpenedChain {
  readonly chain: EthersSettlementChain;
  /** the local node when the embedded default started one */
  readonly local?: LocalChain;
  /** how long opening took: starting the local node (0 with CHAIN_RPC_URL), connecting and deploying */
  readonly timings: { readonly nodeMs: number; readonly connectMs: number; readonly deployMs: number };
  close(): Promise<void>;
}

export function chainSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  computeClasses: readonly string[],
): ChainSettings {
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
    return v;
  };
  const rpcUrl = env.CHAIN_RPC_URL || undefined;
  if (rpcUrl && !env.CHAIN_PRIVATE_KEY)
    throw new Error('CHAIN_RPC_URL is set: CHAIN_PRIVATE_KEY must be set too');
  // the final-price signer of the settlement app (SETTLEMENT_SIGNING_KEY, else the oracle's key)
  const oracleKey = env.SETTLEMENT_SIGNING_KEY || env.ORACLE_SIGNING_KEY || HARDHAT_DEV_KEYS[0];
  const defaultDir = env.ENGINE_DATA_DIR ? join(dirname(env.ENGINE_DATA_DIR), 'chain') : join(repoRoot(), '.data', 'chain'); // prettier-ignore
  return {
    rpcUrl,
    privateKey: env.CHAIN_PRIVATE_KEY || undefined,
    confirmations: int('CHAIN_CONFIRMATIONS', rpcUrl ? 3 : 1),
    dataDir: env.CHAIN_DATA_DIR || defaultDir,
    stablecoin: env.CHAIN_STABLECOIN || undefined,
    oracleSigners: env.CHAIN_ORACLE_SIGNERS
      ? env.CHAIN_ORACLE_SIGNERS.split(',')
      : [new Wallet(oracleKey).address],
    priceDisputeWindowS: BigInt(int('CHAIN_PRICE_DISPUTE_WINDOW_S', 3600)),
    slashDisputeWindowS: BigInt(int('CHAIN_SLASH_DISPUTE_WINDOW_S', 86_400)),
    unbondingDelayS: BigInt(int('CHAIN_UNBONDING_DELAY_S', 7 * 86_400)),
    computeClasses,
    connectTimeoutMs: int('CHAIN_CONNECT_TIMEOUT_MS', 10_000),
    localArchive: (env.CHAIN_LOCAL_ARCHIVE ?? 'on') !== 'off',
  };
}

export async function openChain(settings: ChainSettings): Promise<OpenedChain> {
  let local: LocalChain | undefined;
  let rpcUrl = settings.rpcUrl;
  let key = settings.privateKey;
  const t0 = Date.now();
  if (!rpcUrl) {
    local = await startLocalChain(settings.localArchive ? { archiveDir: join(settings.dataDir, 'local-chain') } : {}); // prettier-ignore
    rpcUrl = local.rpcUrl;
    key = HARDHAT_DEV_KEYS[0];
  }
  const t1 = Date.now();
  try {
    const connection = await connectChain(rpcUrl, settings.connectTimeoutMs);
    const t2 = Date.now();
    const chain = new EthersSettlementChain(connection, key as string, {
      dataDir: settings.dataDir,
      confirmations: settings.confirmations,
    });
    const params: DeployParams = {
      oracleSigners: settings.oracleSigners,
      priceDisputeWindowS: settings.priceDisputeWindowS,
      maxPriceAgeS: 86_400n,
      maxClockSkewS: 300n,
      slashDisputeWindowS: settings.slashDisputeWindowS,
      unbondingDelayS: settings.unbondingDelayS,
      computeClasses: settings.computeClasses,
      // 1 token = 1 GPU-hour, whole like the ledger's spot tokens
      gpuTokenDecimals: 0,
      stablecoin: settings.stablecoin,
    };
    await chain.deploy(params);
    return {
      chain,
      local,
      timings: { nodeMs: t1 - t0, connectMs: t2 - t1, deployMs: Date.now() - t2 },
      close: async () => {
        connection.provider.destroy();
        await local?.stop();
      },
    };
  } catch (err) {
    await local?.stop();
    throw err;
  }
}
