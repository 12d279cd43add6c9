export { portFromEnv, runMain, startApp, type AppOptions, type Closable } from './bootstrap';
export { healthController, type HealthDetails } from './health';
