/*
 * The local EVM of the embedded default: `hardhat node` with this config serves a Hardhat network
 * (chain id 31337, its well-known development accounts, automine) on JSON-RPC. Contracts are not
 * compiled by Hardhat: infra/scripts/compile-contracts.js compiles them with solc from npm, so the
 * sources folder Hardhat looks at is empty and it never downloads a compiler.
 */
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dataDir = process.env.HARDHAT_DATA_DIR || path.join(root, '.data', 'hardhat');

module.exports = {
  paths: {
    root,
    sources: path.join(__dirname, 'no-sources'),
    cache: path.join(dataDir, 'cache'),
    artifacts: path.join(dataDir, 'artifacts'),
  },
  networks: {
    hardhat: {
      chainId: 31337,
      mining: { auto: true, interval: 0 },
      // an archived chain restarts on its first start's genesis (libs/chain local-chain.ts)
      ...(process.env.HARDHAT_INITIAL_DATE ? { initialDate: process.env.HARDHAT_INITIAL_DATE } : {}),
    },
  },
};
