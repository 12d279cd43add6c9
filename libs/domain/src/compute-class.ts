/**
 * Compute classes: the GPU models the exchange lists. Each has a reference benchmark score that
 * defines its performance factor against the H100 reference, and so its size in compute units
 * (CU = one H100-equivalent hour). The scores are contract data published by the exchange (the
 * oracle refreshes the live factor from provider benchmark reports); `referencePrice` seeds strike
 * grids and demo markets only.
 */
export type ComputeClassId = 'H100' | 'A100' | 'L40S' | 'RTX4090';

export interface ComputeClass {
  readonly id: ComputeClassId;
  readonly description: string;
  /** Reference benchmark suite all scores are measured with. */
  readonly benchmarkSuite: string;
  /** Reference score of one GPU of this class in that suite. */
  readonly referenceScore: number;
  /** Reference price in USD per GPU-hour, as a decimal string. */
  readonly referencePrice: string;
}

export const REFERENCE_BENCHMARK_SUITE = 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu';

export const COMPUTE_CLASSES: readonly ComputeClass[] = [
  {
    id: 'H100',
    description: 'NVIDIA H100 SXM 80GB',
    benchmarkSuite: REFERENCE_BENCHMARK_SUITE,
    referenceScore: 3000,
    referencePrice: '2.50',
  },
  {
    id: 'A100',
    description: 'NVIDIA A100 SXM 80GB',
    benchmarkSuite: REFERENCE_BENCHMARK_SUITE,
    referenceScore: 1200,
    referencePrice: '1.40',
  },
  {
    id: 'L40S',
    description: 'NVIDIA L40S 48GB',
    benchmarkSuite: REFERENCE_BENCHMARK_SUITE,
    referenceScore: 600,
    referencePrice: '0.90',
  },
  {
    id: 'RTX4090',
    description: 'NVIDIA GeForce RTX 4090 24GB',
    benchmarkSuite: REFERENCE_BENCHMARK_SUITE,
    referenceScore: 330,
    referencePrice: '0.40',
  },
];

/** The class every compute unit is measured against. */
export const REFERENCE_COMPUTE_CLASS: ComputeClassId = 'H100';

export function computeClass(id: string): ComputeClass | undefined {
  return COMPUTE_CLASSES.find((c) => c.id === id);
}
