export {
  databaseOptionsFromEnv,
  openDatabase,
  postgresDataSource,
  type Database,
  type DatabaseOptions,
} from './database';
export { EngineEventsProjection, storedOffset, type ProjectionResult } from './engine-events.projection';
export { MIGRATIONS } from './migrations/0001-initial-schema';
