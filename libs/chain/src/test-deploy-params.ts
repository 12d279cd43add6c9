import { Wallet } from 'ethers';
import { HARDHAT_DEV_KEYS } from './local-chain';
import type { DeployParams } from './settlement-chain';

/** Short windows for the library's tests on the local node (the oracle signs with development key 3). */
export const TEST_DEPLOY_PARAMS: DeployParams = {
  oracleSigners: [new Wallet(HARDHAT_DEV_KEYS[3]).address],
  priceDisputeWindowS: 60n,
  maxPriceAgeS: 86_400n,
  maxClockSkewS: 300n,
  slashDisputeWindowS: 60n,
  unbondingDelayS: 120n,
  computeClasses: ['H100'],
  gpuTokenDecimals: 6,
};
