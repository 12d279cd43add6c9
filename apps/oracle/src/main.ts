import { portFromEnv, runMain, startApp } from '@exchange/runtime';
import { OracleModule } from './oracle.module';

runMain('oracle', () =>
  startApp(OracleModule, { name: 'oracle', port: portFromEnv('ORACLE_HTTP_PORT', 3002) }),
);
