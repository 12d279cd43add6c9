import { portFromEnv, runMain, startApp } from '@exchange/runtime';
import { SettlementModule } from './settlement.module';

runMain('settlement', () =>
  startApp(SettlementModule, { name: 'settlement', port: portFromEnv('SETTLEMENT_HTTP_PORT', 3003) }),
);
