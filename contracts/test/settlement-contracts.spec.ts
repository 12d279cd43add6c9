import { Wallet } from 'ethers';
import {
  collateralDomain,
  EthersSettlementChain,
  expiryIdOf,
  PayoutTree,
  settlementDomain,
  signFailure,
  signFinalPrice,
  type FinalPrice,
} from '@exchange/chain';
import { PARAMS, startChainFixture, type ChainFixture } from './chain-fixture';

let f: ChainFixture;
let op: EthersSettlementChain;
let seq = 0;

beforeAll(async () => {
  f = await startChainFixture();
  op = f.chain;
}, 60_000);
afterAll(async () => f?.close());

const priceDomain = () => settlementDomain(f.connection.chainId, op.addresses.settlementPrice);
const uniqueExpiry = () => expiryIdOf(`H100-TEST-${++seq}`);

async function signedPrice(overrides: Partial<FinalPrice> = {}, signer: Wallet = f.oracle) {
  const now = await f.now();
  const price: FinalPrice = {
    expiryId: uniqueExpiry(),
    priceMicros: 2_500_000n,
    windowEnd: now - 60n,
    signedAt: now,
    ...overrides,
  };
  return signFinalPrice(signer, priceDomain(), price);
}

/** A trader key with stablecoin deposited into the vault's custody. */
async function funded(keyIndex: number, amountMinor: bigint): Promise<EthersSettlementChain> {
  const trader = op.as(f.keys[keyIndex]);
  const tag = `${keyIndex}-${++seq}`;
  await trader.mintTestStablecoin(tag, trader.operator, amountMinor);
  await trader.approveStablecoin(tag, op.addresses.vault, amountMinor);
  await trader.deposit(tag, amountMinor);
  return trader;
}

async function finalPriceFor(expiryId: string, priceMicros = 2_500_000n): Promise<void> {
  await op.postPrice(await signedPrice({ expiryId, priceMicros }));
  await f.increaseTime(PARAMS.priceDisputeWindowS);
}

describe('SettlementPrice', () => {
  it('holds a signed price through the dispute window, then makes it final', async () => {
    const p = await signedPrice();
    await op.postPrice(p);
    const posted = await op.priceOf(p.expiryId);
    expect(posted.priceMicros).toBe(p.priceMicros);
    expect(posted.signer).toBe(f.oracle.address);
    expect(await op.isFinal(p.expiryId)).toBe(false);
    await f.increaseTime(PARAMS.priceDisputeWindowS - 10n);
    expect(await op.isFinal(p.expiryId)).toBe(false);
    await f.increaseTime(10n);
    expect(await op.isFinal(p.expiryId)).toBe(true);
  });

  it('refuses a price signed by a key outside the signer set', async () => {
    const p = await signedPrice({}, new Wallet(f.keys[7]));
    await expect(op.postPrice(p)).rejects.toMatchObject({ code: 'UNKNOWN_SIGNER' });
  });

  it('refuses a signature over other values and a malformed signature', async () => {
    const p = await signedPrice();
    await expect(op.postPrice({ ...p, priceMicros: p.priceMicros + 1n })).rejects.toMatchObject({
      code: 'UNKNOWN_SIGNER',
    });
    await expect(op.postPrice({ ...p, signature: `0x${'11'.repeat(65)}` })).rejects.toMatchObject({
      code: 'UNKNOWN_SIGNER',
    });
  });

  it('refuses a stale signature, one from the future, and a window not over when signed', async () => {
    const now = await f.now();
    const stale = await signedPrice({
      signedAt: now - PARAMS.maxPriceAgeS - 5n,
      windowEnd: now - PARAMS.maxPriceAgeS - 10n,
    });
    await expect(op.postPrice(stale)).rejects.toMatchObject({ code: 'STALE_SIGNATURE' });
    const future = await signedPrice({ signedAt: now + PARAMS.maxClockSkewS + 60n });
    await expect(op.postPrice(future)).rejects.toMatchObject({ code: 'FUTURE_SIGNATURE' });
    const early = await signedPrice({ windowEnd: now + 10n, signedAt: now });
    await expect(op.postPrice(early)).rejects.toMatchObject({ code: 'WINDOW_NOT_OVER' });
  });

  it('accepts one price per expiry; a voided price cannot come back; no void after the window', async () => {
    const p = await signedPrice();
    await op.postPrice(p);
    const again = await signedPrice({ expiryId: p.expiryId, priceMicros: 3_000_000n });
    await expect(op.postPrice(again)).rejects.toMatchObject({ code: 'PRICE_ALREADY_POSTED' });
    const contract = (await import('ethers')).Contract;
    const price = new contract(
      op.addresses.settlementPrice,
      (await import('@exchange/chain')).loadArtifact('SettlementPrice').abi as never,
      new Wallet(f.keys[0], f.connection.provider),
    );
    await expect(
      price.getFunction('voidPrice')(p.expiryId, p.priceMicros, p.windowEnd, p.signedAt),
    ).rejects.toThrow(/OwnableUnauthorizedAccount|reverted/);
    await op.sender.send(`void:${p.expiryId}`, () => ({
      to: op.addresses.settlementPrice,
      data: price.interface.encodeFunctionData('voidPrice', [
        p.expiryId,
        p.priceMicros,
        p.windowEnd,
        p.signedAt,
      ]),
    }));
    expect((await op.priceOf(p.expiryId)).postedAt).toBe(0n);
    // the same signed price again (a new operation key: the adapter knows this one as posted)
    const repost = op.sender.send(`repost:${p.expiryId}`, () => ({
      to: op.addresses.settlementPrice,
      data: price.interface.encodeFunctionData('postPrice', [
        p.expiryId,
        p.priceMicros,
        p.windowEnd,
        p.signedAt,
        p.signature,
      ]),
    }));
    await expect(repost).rejects.toMatchObject({ code: 'PRICE_IS_VOIDED' });
    await op.postPrice(again);
    await f.increaseTime(PARAMS.priceDisputeWindowS);
    const late = op.sender.send(`void-late:${p.expiryId}`, () => ({
      to: op.addresses.settlementPrice,
      data: price.interface.encodeFunctionData('voidPrice', [
        again.expiryId,
        again.priceMicros,
        again.windowEnd,
        again.signedAt,
      ]),
    }));
    await expect(late).rejects.toMatchObject({ code: 'DISPUTE_WINDOW_OVER' });
  });
});

describe('CollateralVault', () => {
  it('settles an expiry: signed price, dispute window, root, claims that pay exactly', async () => {
    const payer = await funded(0, 10_000_000n);
    const expiryId = uniqueExpiry();
    const winners = [1, 2, 3].map((i) => new Wallet(f.keys[i]).address);
    const tree = PayoutTree.build(
      winners.map((account, i) => ({ account, amountMinor: BigInt(1_000_000 * (i + 1)) })),
    );
    const custodyBefore = await op.custodyMinor();
    const p = await signedPrice({ expiryId, priceMicros: 2_600_000n });
    await op.postPrice(p);
    const post = {
      expiryId,
      root: tree.root,
      totalMinor: tree.totalMinor,
      priceMicros: p.priceMicros,
      leafCount: tree.leaves.length,
    };
    await expect(op.postRoot(post)).rejects.toMatchObject({ code: 'PRICE_NOT_FINAL' });
    await expect(op.claim(tree.root, tree.leaves[0], tree.proof(0))).rejects.toMatchObject({
      code: 'NO_FINAL_ROOT',
    });
    await f.increaseTime(PARAMS.priceDisputeWindowS);
    await expect(op.postRoot({ ...post, priceMicros: 2_500_000n })).rejects.toMatchObject({
      code: 'PRICE_MISMATCH',
    });
    const posted = await op.postRoot(post);
    await op.primeClaims(tree.root, tree.leaves.length);
    expect(await op.custodyMinor()).toBe(custodyBefore - tree.totalMinor);
    for (const leaf of tree.leaves) {
      const before = await op.stablecoinBalance(leaf.account);
      await payer.claim(tree.root, leaf, tree.proof(leaf.index));
      expect(await op.stablecoinBalance(leaf.account)).toBe(before + leaf.amountMinor);
      expect(await op.isClaimed(tree.root, leaf.index)).toBe(true);
    }
    expect((await op.poolOf(tree.root)).remainingMinor).toBe(0n);
    await expect(op.claim(tree.root, tree.leaves[1], tree.proof(1))).rejects.toMatchObject({
      code: 'ALREADY_CLAIMED',
    });
    // the adapter answers a repeated operation from its journal; the contract refuses a second root
    expect((await op.postRoot(post)).hash).toBe(posted.hash);
    const second = op.sender.send(`root-again:${expiryId}`, () => ({
      to: op.addresses.vault,
      data: op['ifaces'].CollateralVault.encodeFunctionData('postRoot', [
        expiryId,
        tree.root,
        1n,
        p.priceMicros,
        1,
      ]),
    }));
    await expect(second).rejects.toMatchObject({ code: 'ROOT_ALREADY_POSTED' });
  });

  it('refuses a wrong proof, a changed amount and a leaf of another tree', async () => {
    await funded(0, 5_000_000n);
    const expiryId = uniqueExpiry();
    const accounts = [4, 5, 6].map((i) => new Wallet(f.keys[i]).address);
    const tree = PayoutTree.build(accounts.map((account) => ({ account, amountMinor: 100_000n })));
    await finalPriceFor(expiryId);
    await op.postRoot({
      expiryId,
      root: tree.root,
      totalMinor: tree.totalMinor,
      priceMicros: 2_500_000n,
      leafCount: 3,
    });
    await expect(op.claim(tree.root, tree.leaves[0], tree.proof(1))).rejects.toMatchObject({
      code: 'INVALID_PROOF',
    });
    await expect(
      op.claim(tree.root, { ...tree.leaves[0], amountMinor: 100_001n }, tree.proof(0)),
    ).rejects.toMatchObject({
      code: 'INVALID_PROOF',
    });
    await expect(
      op.claim(tree.root, { ...tree.leaves[0], account: accounts[1] }, tree.proof(0)),
    ).rejects.toMatchObject({
      code: 'INVALID_PROOF',
    });
    const other = PayoutTree.build([{ account: accounts[0], amountMinor: 100_000n }]);
    await expect(op.claim(tree.root, other.leaves[0], other.proof(0))).rejects.toMatchObject({
      code: 'INVALID_PROOF',
    });
  });

  it('never pays a root more than it was funded with', async () => {
    await funded(0, 5_000_000n);
    const expiryId = uniqueExpiry();
    const tree = PayoutTree.build(
      [4, 5].map((i) => ({ account: new Wallet(f.keys[i]).address, amountMinor: 600_000n })),
    );
    await finalPriceFor(expiryId);
    await op.postRoot({
      expiryId,
      root: tree.root,
      totalMinor: 1_000_000n,
      priceMicros: 2_500_000n,
      leafCount: 2,
    });
    await op.claim(tree.root, tree.leaves[0], tree.proof(0));
    await expect(op.claim(tree.root, tree.leaves[1], tree.proof(1))).rejects.toMatchObject({
      code: 'POOL_EXHAUSTED',
    });
  });

  it('refuses over-withdrawal, a second withdrawal with the same id, and a root larger than custody', async () => {
    const custody = await op.custodyMinor();
    const to = new Wallet(f.keys[6]).address;
    await expect(op.withdraw(EthersSettlementChain.idOf('w-over'), to, custody + 1n)).rejects.toMatchObject({
      code: 'OVERDRAWN',
    });
    await op.withdraw(EthersSettlementChain.idOf('w-1'), to, 1n);
    // a new key for the same withdrawal id reaches the contract, which refuses it
    const second = op.sender.send('withdraw-again', () => ({
      to: op.addresses.vault,
      data: op['ifaces'].CollateralVault.encodeFunctionData('withdraw', [
        EthersSettlementChain.idOf('w-1'),
        to,
        1n,
      ]),
    }));
    await expect(second).rejects.toMatchObject({ code: 'WITHDRAWAL_DONE' });
    const expiryId = uniqueExpiry();
    await finalPriceFor(expiryId);
    const tree = PayoutTree.build([{ account: to, amountMinor: custody + 1n }]);
    await expect(
      op.postRoot({
        expiryId,
        root: tree.root,
        totalMinor: tree.totalMinor,
        priceMicros: 2_500_000n,
        leafCount: 1,
      }),
    ).rejects.toMatchObject({ code: 'OVERDRAWN' });
    const stranger = op.as(f.keys[6]);
    await expect(stranger.withdraw(EthersSettlementChain.idOf('w-2'), to, 1n)).rejects.toMatchObject({
      code: 'OWNABLE_UNAUTHORIZED_ACCOUNT',
    });
  });
});

describe('ProviderCollateral', () => {
  const domain = () => collateralDomain(f.connection.chainId, op.addresses.providerCollateral);

  async function stakedProvider(keyIndex: number, amountMinor: bigint): Promise<EthersSettlementChain> {
    const provider = op.as(f.keys[keyIndex]);
    const tag = `stake-${++seq}`;
    await provider.mintTestStablecoin(tag, provider.operator, amountMinor);
    await provider.approveStablecoin(tag, op.addresses.providerCollateral, amountMinor);
    await provider.stake(tag, amountMinor);
    return provider;
  }

  it('slashes only with the attester signature, after the dispute window, once, and not when voided', async () => {
    const provider = await stakedProvider(4, 5_000_000n);
    const lessee = new Wallet(f.keys[5]).address;
    const insurance = new Wallet((await import('@exchange/chain')).HARDHAT_DEV_KEYS[2]).address;
    const failedAt = await f.now();
    const attestation = {
      leaseId: EthersSettlementChain.idOf(`lease-${++seq}`),
      provider: provider.operator,
      lessee,
      lesseeMinor: 1_200_000n,
      insuranceMinor: 300_000n,
      failedAt,
    };
    const forged = await signFailure(new Wallet(f.keys[7]), domain(), attestation);
    await expect(op.slash(forged)).rejects.toMatchObject({ code: 'BAD_ATTESTATION' });
    const signed = await signFailure(
      new Wallet((await import('@exchange/chain')).HARDHAT_DEV_KEYS[0]),
      domain(),
      attestation,
    );
    await expect(op.as(f.keys[6]).slash(signed)).rejects.toMatchObject({ code: 'DISPUTE_WINDOW_OPEN' });
    await f.increaseTime(PARAMS.slashDisputeWindowS);
    const [lesseeBefore, insuranceBefore] = [
      await op.stablecoinBalance(lessee),
      await op.stablecoinBalance(insurance),
    ];
    await op.slash(signed);
    expect(await op.stablecoinBalance(lessee)).toBe(lesseeBefore + 1_200_000n);
    expect(await op.stablecoinBalance(insurance)).toBe(insuranceBefore + 300_000n);
    expect((await op.stakeOf(provider.operator)).bondedMinor).toBe(3_500_000n);
    await expect(op.as(f.keys[6]).slash(signed)).rejects.toMatchObject({ code: 'ALREADY_SLASHED' });

    const voidedAttestation = {
      ...attestation,
      leaseId: EthersSettlementChain.idOf(`lease-${++seq}`),
      failedAt: await f.now(),
    };
    const voided = await signFailure(
      new Wallet((await import('@exchange/chain')).HARDHAT_DEV_KEYS[0]),
      domain(),
      voidedAttestation,
    );
    await op.sender.send(`void-lease:${voided.leaseId}`, () => ({
      to: op.addresses.providerCollateral,
      data: op['ifaces'].ProviderCollateral.encodeFunctionData('voidAttestation', [voided.leaseId]),
    }));
    await f.increaseTime(PARAMS.slashDisputeWindowS);
    await expect(op.slash(voided)).rejects.toMatchObject({ code: 'ATTESTATION_IS_VOIDED' });
  });

  it('releases stake only by the exchange, once per id; keeps it slashable until the delay is over; never slashes more than the stake', async () => {
    const provider = await stakedProvider(5, 1_000_000n);
    const releaseId = EthersSettlementChain.idOf(`release-${++seq}`);
    await expect(provider.releaseStake(releaseId, provider.operator, 1n)).rejects.toMatchObject({
      code: 'OWNABLE_UNAUTHORIZED_ACCOUNT',
    });
    await expect(op.releaseStake(releaseId, provider.operator, 1_000_001n)).rejects.toMatchObject({
      code: 'INSUFFICIENT_STAKE',
    });
    await op.releaseStake(releaseId, provider.operator, 600_000n);
    const again = op.sender.send(`release-again-${seq}`, () => ({
      to: op.addresses.providerCollateral,
      data: op['ifaces'].ProviderCollateral.encodeFunctionData('releaseStake', [
        releaseId,
        provider.operator,
        1n,
      ]),
    }));
    await expect(again).rejects.toMatchObject({ code: 'ALREADY_RELEASED' });
    await op.releaseStake(EthersSettlementChain.idOf(`release-${++seq}`), provider.operator, 400_000n);
    expect(await op.stakeOf(provider.operator)).toMatchObject({
      bondedMinor: 0n,
      unbondingMinor: 1_000_000n,
    });
    const withdrawEarly = provider.sender.send('withdraw-early', () => ({
      to: op.addresses.providerCollateral,
      data: op['ifaces'].ProviderCollateral.encodeFunctionData('withdrawUnbonded', []),
    }));
    await expect(withdrawEarly).rejects.toMatchObject({ code: 'STILL_UNBONDING' });
    const lessee = new Wallet(f.keys[6]).address;
    const attestation = {
      leaseId: EthersSettlementChain.idOf(`lease-${++seq}`),
      provider: provider.operator,
      lessee,
      lesseeMinor: 700_000n,
      insuranceMinor: 700_000n,
      failedAt: await f.now(),
    };
    const signed = await signFailure(
      new Wallet((await import('@exchange/chain')).HARDHAT_DEV_KEYS[0]),
      domain(),
      attestation,
    );
    await f.increaseTime(PARAMS.slashDisputeWindowS);
    await op.slash(signed);
    const stake = await op.stakeOf(provider.operator);
    expect(stake.bondedMinor + stake.unbondingMinor).toBe(0n);
  });

  it('pays released stake to the provider after the unbonding delay', async () => {
    const provider = await stakedProvider(8, 2_000_000n);
    const before = await op.stablecoinBalance(provider.operator);
    await op.releaseStake(EthersSettlementChain.idOf(`release-${++seq}`), provider.operator, 1_500_000n);
    await f.increaseTime(PARAMS.unbondingDelayS);
    await provider.withdrawUnbonded(`after-delay-${seq}`);
    expect(await op.stablecoinBalance(provider.operator)).toBe(before + 1_500_000n);
    expect(await op.stakeOf(provider.operator)).toMatchObject({ bondedMinor: 500_000n, unbondingMinor: 0n });
  });
});

describe('GpuHourToken', () => {
  it('mints once per withdrawal id, burns on deposit and on redemption', async () => {
    const holder = op.as(f.keys[7]);
    const withdrawalId = EthersSettlementChain.idOf(`gpu-w-${++seq}`);
    const supply = await op.gpuHourSupply('H100');
    await op.mintGpuHours('H100', withdrawalId, holder.operator, 5_000_000n);
    const again = op.sender.send(`mint-again-${seq}`, () => ({
      to: op.addresses.gpuHourTokens.H100,
      data: op['ifaces'].GpuHourToken.encodeFunctionData('mint', [withdrawalId, holder.operator, 1n]),
    }));
    await expect(again).rejects.toMatchObject({ code: 'ALREADY_MINTED' });
    await expect(
      holder.mintGpuHours('H100', EthersSettlementChain.idOf('x'), holder.operator, 1n),
    ).rejects.toMatchObject({
      code: 'OWNABLE_UNAUTHORIZED_ACCOUNT',
    });
    const burn = (fn: string, args: unknown[]) =>
      holder.sender.send(`${fn}-${++seq}`, () => ({
        to: op.addresses.gpuHourTokens.H100,
        data: op['ifaces'].GpuHourToken.encodeFunctionData(fn, args),
      }));
    await burn('depositToExchange', [2_000_000n]);
    // redeem 1 GPU for 1 hour: 1 token of 6 decimals (2 left, so 3 GPU-hours are too many)
    await burn('redeem', [1, 1]);
    expect(await op.gpuHourSupply('H100')).toBe(supply + 2_000_000n);
    await expect(burn('redeem', [0, 5])).rejects.toMatchObject({ code: 'ZERO_AMOUNT' });
    await expect(burn('redeem', [3, 1])).rejects.toMatchObject({ code: 'ERC20_INSUFFICIENT_BALANCE' });
  });
});
