import { parentPort, workerData } from 'node:worker_threads';
import {
  ProviderRegistry,
  ProviderReportCodec,
  ReportValidator,
  type Eip712Domain,
  type ProviderRecord,
  type SignedReport,
} from '@exchange/oracle';

/**
 * Benchmark worker: validates its share of signed reports (whole providers, so nonces stay in
 * order) with a full ReportValidator, signature checks included. Protocol: workerData carries
 * the domain, registry, warm-up and timed reports; the worker answers 'ready' after the warm-up
 * and a result after each 'go k/n'. Warm-up: the registry's first reports (which teach the validator's
 * verifier the providers' keys), then a JIT warm-up that runs a prefix of the timed reports
 * through a separate, throw-away validator, so the timed validator's state (nonces, cached keys)
 * is untouched and it still does every check.
 */
interface WorkerInput {
  readonly domain: Eip712Domain;
  readonly records: ProviderRecord[];
  readonly warmup: SignedReport[];
  readonly reports: SignedReport[];
  readonly nowMs: number;
  /** Reports per ingestBatch call; 1 means ingest() one by one. */
  readonly batchSize: number;
}

const JIT_WARMUP_REPORTS = 2_000;
const input = workerData as WorkerInput;
const registry = new ProviderRegistry();
for (const r of input.records) registry.register(r);
const validator = new ReportValidator(registry, new ProviderReportCodec(input.domain));
for (const s of input.warmup) validator.ingest(s, input.nowMs);
const scratch = new ReportValidator(registry, new ProviderReportCodec(input.domain));
for (const s of input.warmup) scratch.ingest(s, input.nowMs);
const jitWarmup = input.reports.slice(0, Math.min(input.reports.length, JIT_WARMUP_REPORTS));
for (let i = 0; i < jitWarmup.length; i += input.batchSize)
  scratch.ingestBatch(jitWarmup.slice(i, i + input.batchSize), input.nowMs);
const port = parentPort!;
/** 'go k/n': validate the k-th of n consecutive parts of the reports (nonces keep increasing). */
port.on('message', (msg: string) => {
  const m = /^go (\d+)\/(\d+)$/.exec(msg);
  if (m === null) return;
  const part = Number(m[1]);
  const parts = Number(m[2]);
  const { reports, batchSize, nowMs } = input;
  const from = Math.floor((reports.length * part) / parts);
  const to = Math.floor((reports.length * (part + 1)) / parts);
  const t0 = process.hrtime.bigint();
  let accepted = 0;
  if (batchSize <= 1) {
    for (let i = from; i < to; i++) if (validator.ingest(reports[i]!, nowMs).ok) accepted++;
  } else {
    for (let i = from; i < to; i += batchSize)
      for (const r of validator.ingestBatch(reports.slice(i, Math.min(to, i + batchSize)), nowMs))
        if (r.ok) accepted++;
  }
  const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  port.postMessage({ accepted, elapsedMs, rejects: validator.rejectCounts() });
  if (part === parts - 1) port.close();
});
port.postMessage('ready');
