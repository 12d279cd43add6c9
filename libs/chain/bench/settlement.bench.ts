/*
 * npm run bench:settlement [-- --quick] [-- --off-chain]
 * Off chain (settlement-work.ts), each figure the median of 5 runs (quick) or 9:
 * - expiry_100k_ms: an expiry of 100,000 positions on a cash-settled future and four of its options
 *   (final settlement, option exercise, every transfer posted to the ledger, each account's net,
 *   the Merkle tree of the positive nets);
 * - alloc_10k_ms: about 10,000 leases by physical delivery plus about 10,000 by token redemption
 *   (allocation and the leases with their escrow and collateral transfers), the two times added;
 * - merkle_100k_ms: the payout tree of 100,000 leaves; and a tree built by ours and by the peer,
 *   @openzeppelin/merkle-tree (one run: it takes seconds), same leaves, same root: the ratio.
 * Each of the three also as *_cpu_ms: this process's CPU time over the work (all its threads), a
 * figure other processes on a shared machine disturb less than wall time.
 * On chain (skipped with --off-chain), gas on a local Hardhat node (solc 0.8.26, optimizer 100,000
 * runs, Cancun): posting a signed final price, posting a payout root, priming the claim words, and
 * Merkle claims sampled across a tree of 100,000 payouts (proofs of 16-17 hashes) to fresh
 * addresses (zero balance: the token transfer's worst case), with primed claim words and without.
 * Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Wallet } from 'ethers';
import {
  connectChain,
  EthersSettlementChain,
  expiryIdOf,
  HARDHAT_DEV_KEYS,
  PayoutTree,
  settlementDomain,
  signFinalPrice,
  startLocalChain,
  type Payout,
} from '@exchange/chain';
import {
  allocationWork,
  deliverWork,
  expiryWork,
  redeemWork,
  settleExpiryWork,
  timed,
} from './settlement-work';

const quick = process.argv.includes('--quick');
const offChain = process.argv.includes('--off-chain');
const LEAVES = 100_000;
const EXPIRY_POSITIONS = 100_000;
const RUNS = quick ? 5 : 9;
const CLAIMS = quick ? 40 : 400;
const PEER_LEAVES = quick ? 20_000 : 100_000;

function payouts(n: number, seed: number): Payout[] {
  const out: Payout[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const hex = (BigInt(seed) * 0x1000000n + BigInt(i + 1)).toString(16).padStart(40, '0');
    out[i] = { account: `0x${hex}`, amountMinor: BigInt(1_000 + ((i * 7_919) % 1_000_000)) };
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The median time of building the tree of `n` payouts (RUNS builds of the same list). */
function timeTree(n: number, seed: number): { ms: number; cpuMs: number; tree: PayoutTree } {
  const list = payouts(n, seed);
  const { ms, cpuMs, result } = timed(RUNS, () => PayoutTree.build(list));
  return { ms, cpuMs, tree: result };
}

/** The expiry of 100,000 positions and the allocation of about 10,000 leases each way. */
function offChainFigures(): { rows: [string, string][]; json: Record<string, number> } {
  const work = expiryWork(EXPIRY_POSITIONS, 7);
  for (const n of [2_000, 20_000]) settleExpiryWork(expiryWork(n, 8)); // warm-up
  const expiry = timed(RUNS, () => settleExpiryWork(work));
  const { ledger } = expiry.result;
  if (ledger.conservationProblems().length > 0) throw new Error('the expiry broke conservation');
  const alloc = allocationWork(11);
  const warm = allocationWork(12);
  for (let k = 0; k < 3; k++) {
    deliverWork(warm); // warm-up
    redeemWork(warm);
  }
  const delivery = timed(RUNS, () => deliverWork(alloc));
  const redemption = timed(RUNS, () => redeemWork(alloc));
  const allocMs = delivery.ms + redemption.ms;
  return {
    rows: [
      [
        `expiry of ${EXPIRY_POSITIONS} positions: ${expiry.result.transfers} transfers, ${expiry.result.payouts} payouts (ms)`,
        `${expiry.ms.toFixed(0)} (cpu ${expiry.cpuMs.toFixed(0)})`,
      ],
      [
        `allocation: ${delivery.result} delivery + ${redemption.result} redemption leases (ms)`,
        `${delivery.ms.toFixed(1)} + ${redemption.ms.toFixed(1)} = ${allocMs.toFixed(1)} (cpu ${(delivery.cpuMs + redemption.cpuMs).toFixed(1)})`,
      ],
    ],
    json: {
      expiry_100k_ms: Math.round(expiry.ms),
      expiry_100k_cpu_ms: Math.round(expiry.cpuMs),
      expiry_transfers: expiry.result.transfers,
      expiry_payouts: expiry.result.payouts,
      alloc_10k_ms: Number(allocMs.toFixed(1)),
      alloc_10k_cpu_ms: Number((delivery.cpuMs + redemption.cpuMs).toFixed(1)),
      alloc_delivery_ms: Number(delivery.ms.toFixed(1)),
      alloc_delivery_leases: delivery.result,
      alloc_redemption_ms: Number(redemption.ms.toFixed(1)),
      alloc_redemption_leases: redemption.result,
    },
  };
}

function print(rows: [string, string][], json: Record<string, number>): void {
  console.log(
    `settlement bench (${quick ? 'quick' : 'full'}${offChain ? ', off chain' : ''}), node ${process.version}`,
  );
  for (const [k, v] of rows) console.log(`  ${k.padEnd(72)} ${v}`);
  console.log(JSON.stringify(json));
}

async function main(): Promise<void> {
  const off = offChainFigures();
  // off chain: the tree
  timeTree(2_000, 9); // warm-up
  const { ms: treeMs, cpuMs: treeCpuMs, tree } = timeTree(LEAVES, 1);
  const peerInput = payouts(PEER_LEAVES, 1);
  const ours = timeTree(PEER_LEAVES, 1);
  const p0 = performance.now();
  const peer = StandardMerkleTree.of(
    peerInput.map((p, i) => [i, p.account, p.amountMinor]),
    ['uint256', 'address', 'uint256'],
  );
  const peerMs = performance.now() - p0;
  if (peer.root !== ours.tree.root) throw new Error('the peer built another root');
  const treeRows: [string, string][] = [
    [`payout tree of ${LEAVES} leaves (ms)`, `${treeMs.toFixed(0)} (cpu ${treeCpuMs.toFixed(0)})`],
    [
      `tree of ${PEER_LEAVES}: ours / @openzeppelin/merkle-tree (ms)`,
      `${ours.ms.toFixed(0)} / ${peerMs.toFixed(0)} (x${(peerMs / ours.ms).toFixed(1)})`,
    ],
  ];
  const treeJson = {
    merkle_100k_ms: Math.round(treeMs),
    merkle_100k_cpu_ms: Math.round(treeCpuMs),
    merkle_peer_ms: Math.round(peerMs),
    merkle_peer_leaves: PEER_LEAVES,
    merkle_peer_ratio: Number((peerMs / ours.ms).toFixed(2)),
  };
  if (offChain) return print([...off.rows, ...treeRows], { ...off.json, ...treeJson });

  // on chain
  const local = await startLocalChain();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-chain-'));
  try {
    const connection = await connectChain(local.rpcUrl);
    const op = new EthersSettlementChain(connection, HARDHAT_DEV_KEYS[0], {
      dataDir,
      confirmations: 1,
      pollIntervalMs: 5,
    });
    const oracle = new Wallet(HARDHAT_DEV_KEYS[3]);
    await op.deploy({
      oracleSigners: [oracle.address],
      priceDisputeWindowS: 3600n,
      maxPriceAgeS: 86_400n,
      maxClockSkewS: 300n,
      slashDisputeWindowS: 86_400n,
      unbondingDelayS: 7n * 86_400n,
      computeClasses: ['H100'],
      gpuTokenDecimals: 6,
    });
    const funding = tree.totalMinor * 2n;
    await op.mintTestStablecoin('bench', op.operator, funding);
    await op.approveStablecoin('bench', op.addresses.vault, funding);
    await op.deposit('bench', funding);

    const block = (await connection.provider.send('eth_getBlockByNumber', ['latest', false])) as {
      timestamp: string;
    };
    const now = BigInt(block.timestamp);
    const domain = settlementDomain(connection.chainId, op.addresses.settlementPrice);
    const expiries = ['H100-BENCH-A', 'H100-BENCH-B'].map(expiryIdOf);
    const postPriceGas: number[] = [];
    for (const expiryId of expiries) {
      const signed = await signFinalPrice(oracle, domain, {
        expiryId,
        priceMicros: 2_500_000n,
        windowEnd: now - 60n,
        signedAt: now,
      });
      postPriceGas.push(Number((await op.postPrice(signed)).gasUsed));
    }
    await connection.provider.send('evm_increaseTime', [3600]);
    await connection.provider.send('evm_mine', []);

    // the second expiry's tree differs (other accounts), so its root is its own
    const treeB = PayoutTree.build(payouts(LEAVES, 2));
    const rootA = await op.postRoot({
      expiryId: expiries[0],
      root: tree.root,
      totalMinor: tree.totalMinor,
      priceMicros: 2_500_000n,
      leafCount: LEAVES,
    });
    await op.postRoot({
      expiryId: expiries[1],
      root: treeB.root,
      totalMinor: treeB.totalMinor,
      priceMicros: 2_500_000n,
      leafCount: LEAVES,
    });
    const prime = await op.primeClaims(tree.root, LEAVES);
    const primeGas = prime.reduce((s, r) => s + Number(r.gasUsed), 0);

    const claimer = op.as(HARDHAT_DEV_KEYS[1]);
    const measure = async (t: PayoutTree): Promise<number[]> => {
      const gas: number[] = [];
      for (let k = 0; k < CLAIMS; k++) {
        const index = Math.floor(((k + 0.5) * LEAVES) / CLAIMS);
        gas.push(Number((await claimer.claim(t.root, t.leaves[index], t.proof(index))).gasUsed));
      }
      return gas;
    };
    const primed = await measure(tree);
    const unprimed = await measure(treeB);

    const rows: [string, string][] = [
      ['post signed final price (gas)', `${Math.max(...postPriceGas)}`],
      ['post payout root (gas)', `${rootA.gasUsed}`],
      [
        `prime ${Math.ceil(LEAVES / 255)} claim words (gas, per leaf)`,
        `${primeGas} (${(primeGas / LEAVES).toFixed(0)})`,
      ],
      [
        `claim, primed words: max / median / min (${CLAIMS} claims)`,
        `${Math.max(...primed)} / ${median(primed)} / ${Math.min(...primed)}`,
      ],
      [`claim, unprimed words: max / median`, `${Math.max(...unprimed)} / ${median(unprimed)}`],
      ['anchor: Uniswap merkle-distributor claim', '~78000'],
      ...treeRows,
      ...off.rows,
    ];
    connection.provider.destroy();
    print(rows, {
      claim_gas_max: Math.max(...primed),
      claim_gas_median: median(primed),
      claim_gas_max_unprimed: Math.max(...unprimed),
      claim_gas_median_unprimed: median(unprimed),
      post_price_gas: Math.max(...postPriceGas),
      post_root_gas: Number(rootA.gasUsed),
      prime_gas_per_leaf: Math.round(primeGas / LEAVES),
      ...treeJson,
      ...off.json,
      claims: CLAIMS,
      leaves: LEAVES,
    });
  } finally {
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
