import { Wallet } from 'ethers';
import { portFromEnv, runMain, startApp } from '@exchange/runtime';
import { openSettlementChain } from './adapters/open-settlement-chain';
import { loadSettlementConfig } from './config/settlement-config';
import { SettlementModule } from './settlement.module';

/**
 * start:settlement on its own: no engine in the process, so it settles nothing; it opens its chain
 * (or runs without one when CHAIN=off says so) and answers /health and /v1/settlement/chain.
 */
runMain('settlement', async () => {
  const config = loadSettlementConfig(process.env);
  const opened = await openSettlementChain(process.env, config);
  try {
    const signer = config.chain ? new Wallet(config.signingKey).address : undefined;
    const app = await startApp(SettlementModule.standalone(opened.chain, signer), {
      name: 'settlement',
      port: portFromEnv('SETTLEMENT_HTTP_PORT', 3003),
    });
    return {
      close: async () => {
        await app.close();
        await opened.close();
      },
    };
  } catch (err) {
    await opened.close();
    throw err;
  }
});
