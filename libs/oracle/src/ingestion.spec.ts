import {
  ProviderRegistry,
  ProviderReportCodec,
  REPORT_REJECT_CODES,
  ReportValidator,
  addressOfPrivateKey,
  type ProviderReport,
  type ReportRejectCode,
  type SignedReport,
} from '@exchange/oracle';

const domain = {
  name: 'GpuComputeOracle',
  version: '1',
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
};
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const OTHER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const NOW_MS = 1_780_000_000_000;
const codec = new ProviderReportCodec(domain);

function base(nonce: number): ProviderReport {
  return {
    providerId: 'prov-1',
    clusterId: 'c1',
    computeClass: 'A100',
    gpusTotal: 64,
    gpusAvailable: 8,
    utilisationBps: 8_750,
    priceMicros: 1_400_000,
    priceKind: 'asked',
    benchmarkSuite: 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu',
    benchmarkScoreMilli: 1_200_000,
    benchmarkMeasuredAtMs: NOW_MS - 60_000,
    observedAtMs: NOW_MS - 1_000,
    nonce,
  };
}

function setup(): { validator: ReportValidator; registry: ProviderRegistry } {
  const registry = new ProviderRegistry();
  registry.register({
    providerId: 'prov-1',
    address: addressOfPrivateKey(KEY),
    stakeMicros: 1_000_000n,
    status: 'active',
  });
  registry.register({
    providerId: 'prov-2',
    address: addressOfPrivateKey(OTHER_KEY),
    stakeMicros: 0n,
    status: 'suspended',
  });
  return { validator: new ReportValidator(registry, codec), registry };
}

function expectOnly(counts: Record<ReportRejectCode, number>, code: ReportRejectCode): void {
  for (const c of REPORT_REJECT_CODES) expect([c, counts[c]]).toEqual([c, c === code ? 1 : 0]);
}

describe('ReportValidator', () => {
  const accepted = codec.sign(base(5), KEY);
  const cases: [ReportRejectCode, () => SignedReport][] = [
    ['UNKNOWN_CLASS', () => codec.sign({ ...base(6), computeClass: 'TPUv5' as never }, KEY)],
    ['VALUE_OUT_OF_RANGE', () => ({ ...accepted, report: { ...base(6), gpusAvailable: 65 } })],
    ['VALUE_OUT_OF_RANGE', () => ({ ...accepted, report: { ...base(6), utilisationBps: 10_001 } })],
    ['VALUE_OUT_OF_RANGE', () => ({ ...accepted, report: { ...base(6), priceMicros: 1.5 } })],
    ['VALUE_OUT_OF_RANGE', () => ({ ...accepted, report: { ...base(6), priceMicros: 0 } })],
    ['VALUE_OUT_OF_RANGE', () => ({ ...accepted, report: { ...base(6), priceKind: 'bid' as never } })],
    ['UNKNOWN_PROVIDER', () => ({ ...accepted, report: { ...base(6), providerId: 'nobody' } })],
    ['PROVIDER_INACTIVE', () => codec.sign({ ...base(6), providerId: 'prov-2' }, OTHER_KEY)],
    ['STALE_REPORT', () => codec.sign({ ...base(6), observedAtMs: NOW_MS - 5 * 60_000 - 1 }, KEY)],
    ['STALE_REPORT', () => codec.sign({ ...base(6), benchmarkMeasuredAtMs: NOW_MS - 8 * 86_400_000 }, KEY)],
    ['FUTURE_REPORT', () => codec.sign({ ...base(6), observedAtMs: NOW_MS + 2_001 }, KEY)],
    ['NONCE_REPLAYED', () => accepted],
    ['NONCE_REPLAYED', () => codec.sign(base(4), KEY)],
    ['BAD_SIGNATURE', () => codec.sign(base(6), OTHER_KEY)],
    ['BAD_SIGNATURE', () => ({ ...accepted, report: base(6) })],
    ['BAD_SIGNATURE', () => ({ report: base(6), signature: '0xdeadbeef' })],
  ];

  it.each(cases)('rejects with %s, counts it and changes no state', (code, make) => {
    const { validator } = setup();
    expect(validator.ingest(accepted, NOW_MS)).toEqual({ ok: true, report: accepted.report });
    const result = validator.ingest(make(), NOW_MS);
    expect(result).toEqual({ ok: false, code });
    expectOnly(validator.rejectCounts(), code);
    expect(validator.lastNonceOf('prov-1')).toBe(5);
    expect(validator.accepted).toBe(1);
    // state unchanged: the next valid report is accepted as if the rejection never happened
    expect(validator.ingest(codec.sign(base(6), KEY), NOW_MS).ok).toBe(true);
    expect(validator.lastNonceOf('prov-1')).toBe(6);
  });

  it('accepts within the skew allowance and a re-activated provider', () => {
    const { validator, registry } = setup();
    expect(validator.ingest(codec.sign({ ...base(1), observedAtMs: NOW_MS + 2_000 }, KEY), NOW_MS).ok).toBe(
      true,
    );
    const suspended = codec.sign({ ...base(1), providerId: 'prov-2' }, OTHER_KEY);
    expect(validator.ingest(suspended, NOW_MS)).toEqual({ ok: false, code: 'PROVIDER_INACTIVE' });
    registry.setStatus('prov-2', 'active');
    expect(validator.ingest(suspended, NOW_MS).ok).toBe(true);
  });
});

describe('ReportValidator.ingestBatch', () => {
  it('gives the same results, counters and state as ingesting one by one', () => {
    const stream: SignedReport[] = [
      codec.sign(base(1), KEY),
      codec.sign(base(2), KEY),
      codec.sign(base(2), KEY), // replay
      codec.sign(base(3), OTHER_KEY), // bad signature: must not advance the nonce
      codec.sign({ ...base(3), observedAtMs: NOW_MS + 10_000 }, KEY), // future
      { ...codec.sign(base(3), KEY), report: { ...base(3), computeClass: 'TPU' as never } },
      codec.sign(base(3), KEY),
      { report: base(4), signature: codec.sign(base(3), KEY).signature }, // signature of another report
      codec.sign({ ...base(4), providerId: 'prov-2' }, OTHER_KEY), // suspended
      codec.sign(base(5), KEY),
    ];
    const one = setup().validator;
    const expected = stream.map((s) => one.ingest(s, NOW_MS));
    const batched = setup().validator;
    expect(batched.ingestBatch(stream, NOW_MS)).toEqual(expected);
    expect(batched.rejectCounts()).toEqual(one.rejectCounts());
    expect(batched.lastNonceOf('prov-1')).toBe(5);
    expect(expected.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'ok',
      'NONCE_REPLAYED',
      'BAD_SIGNATURE',
      'FUTURE_REPORT',
      'UNKNOWN_CLASS',
      'ok',
      'BAD_SIGNATURE',
      'PROVIDER_INACTIVE',
      'ok',
    ]);
    // a second batch uses the cached-key batch path throughout
    const more = [codec.sign(base(6), KEY), codec.sign(base(6), OTHER_KEY), codec.sign(base(7), KEY)];
    expect(batched.ingestBatch(more, NOW_MS).map((r) => r.ok)).toEqual([true, false, true]);
  });
});
