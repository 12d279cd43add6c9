import { runMain, startApp } from '@exchange/runtime';
import { loadEngineConfig } from './config/engine-config';
import { MatchingEngineModule } from './matching-engine.module';

runMain('matching-engine', () =>
  startApp(MatchingEngineModule, { name: 'matching-engine', port: loadEngineConfig().httpPort }),
);
