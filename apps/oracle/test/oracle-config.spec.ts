import * as path from 'node:path';
import { DEVELOPMENT_SIGNING_KEY, loadOracleConfig } from '../src/config/oracle-config';

describe('loadOracleConfig', () => {
  it('has the documented defaults; the simulator default depends on how the oracle runs', () => {
    const c = loadOracleConfig({});
    expect(c.dataDir).toBe(path.resolve('.data/oracle'));
    expect(c.httpPort).toBe(3002);
    expect(c.simulator.enabled).toBe(false);
    expect(loadOracleConfig({}, { simulator: true }).simulator.enabled).toBe(true);
    expect(loadOracleConfig({ ORACLE_SIMULATOR: 'off' }, { simulator: true }).simulator.enabled).toBe(false);
    expect(c.signingKey).toBe(DEVELOPMENT_SIGNING_KEY);
    expect(c.publication.deviationBps).toBe(50);
  });

  it('refuses invalid settings with a message naming the variable', () => {
    expect(() => loadOracleConfig({ ORACLE_SIMULATOR: 'yes' })).toThrow(/ORACLE_SIMULATOR must be on or off/);
    expect(() => loadOracleConfig({ ORACLE_PUBLISH_INTERVAL_MS: '0' })).toThrow(/ORACLE_PUBLISH_INTERVAL_MS/);
    expect(() => loadOracleConfig({ ORACLE_SIGNING_KEY: '0x12' })).toThrow(/ORACLE_SIGNING_KEY/);
    expect(() => loadOracleConfig({ ORACLE_HTTP_PORT: '70000' })).toThrow(/ORACLE_HTTP_PORT/);
  });
});
