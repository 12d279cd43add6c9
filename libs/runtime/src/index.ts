export { portFromEnv, runMain, startApp, type AppOptions } from './bootstrap';
export { healthController, type HealthDetails } from './health';
