export { portFromEnv, runMain, startApp, type AppOptions, type Closable } from './bootstrap';
export { freePorts } from './free-ports';
export { healthController, type HealthDetails } from './health';
