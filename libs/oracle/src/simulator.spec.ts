import {
  IndexPublisher,
  ProviderRegistry,
  ProviderReportCodec,
  ProviderSimulator,
  ReportValidator,
  RoundAttestor,
  SeededRandom,
  addressOfPrivateKey,
  computeIndex,
  type ProviderReport,
} from '@exchange/oracle';

const domain = {
  name: 'GpuComputeOracle',
  version: '1',
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
};
const codec = new ProviderReportCodec(domain);
const T0 = 1_780_000_000_000;
const ORACLE_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

describe('SeededRandom', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 1_000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1_000 }, () => b.next()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(new SeededRandom(43).next()).not.toBe(xs[0]);
  });
});

describe('simulated providers end to end', () => {
  it('produces the same signed stream for a seed; faulty providers are rejected, the index publishes', () => {
    const config = { seed: 7, providersPerClass: 4, faultyFraction: 0.35 };
    const sim = new ProviderSimulator(codec, config);
    const again = new ProviderSimulator(codec, config);
    const registry = new ProviderRegistry();
    for (const record of sim.registryRecords()) registry.register(record);
    const validator = new ReportValidator(registry, codec);
    const accepted: ProviderReport[] = [];
    const publisher = new IndexPublisher('CU');
    for (let step = 0; step < 3; step++) {
      const nowMs = T0 + step * 60_000;
      const batch = sim.step(nowMs);
      expect(again.step(nowMs)).toEqual(batch);
      for (const signed of batch) {
        const result = validator.ingest(signed, nowMs);
        const provider = sim.providers.find((p) => p.providerId === signed.report.providerId)!;
        if (provider.fault === 'honest' || provider.fault === 'outlier') expect(result.ok).toBe(true);
        if (provider.fault === 'stale') expect(result).toEqual({ ok: false, code: 'STALE_REPORT' });
        if (provider.fault === 'bad_signature') expect(result).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
        if (result.ok) accepted.push(result.report);
      }
      publisher.offer(computeIndex(accepted, nowMs).composite, nowMs);
    }
    const faults = new Set(sim.providers.map((p) => p.fault));
    expect(faults.size).toBeGreaterThanOrEqual(3); // the seed exercises several fault kinds
    const counts = validator.rejectCounts();
    expect(counts.STALE_REPORT + counts.BAD_SIGNATURE + counts.NONCE_REPLAYED).toBeGreaterThan(0);
    const snap = computeIndex(accepted, T0 + 120_000);
    expect(snap.composite.status).toBe('ok');
    const outliers = sim.providers.filter((p) => p.fault === 'outlier').map((p) => p.providerId);
    for (const id of outliers) expect(snap.composite.outlierProviders).toContain(id);
    expect(publisher.history.length).toBeGreaterThanOrEqual(1);
    const attestor = new RoundAttestor(domain);
    const signed = attestor.sign(publisher.latest!, ORACLE_KEY);
    expect(attestor.verify(signed, addressOfPrivateKey(ORACLE_KEY))).toBe(true);
  });
});
