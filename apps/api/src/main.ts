import { portFromEnv, runMain, startApp } from '@exchange/runtime';
import { ApiModule } from './api.module';

runMain('api', () => startApp(ApiModule, { name: 'api', port: portFromEnv('API_HTTP_PORT', 3000) }));
