import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A compiled contract: its ABI and creation bytecode (infra/scripts/compile-contracts.js). */
export interface ContractArtifact {
  readonly contractName: string;
  readonly abi: readonly unknown[];
  readonly bytecode: string;
}

export type ContractName =
  'SettlementPrice' | 'CollateralVault' | 'ProviderCollateral' | 'GpuHourToken' | 'TestStablecoin';

/** The repository root: the nearest folder above this file (or its dist/ copy) with the contracts' compile script. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'infra', 'scripts', 'compile-contracts.js'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('the repository root (contracts/) was not found above libs/chain');
    dir = parent;
  }
}

let compiledDir: string | undefined;

/** Compiles the contracts when their artifacts are missing or stale, once per process. */
export function ensureCompiled(): string {
  if (compiledDir) return compiledDir;
  const root = repoRoot();
  const require = createRequire(join(root, 'package.json'));
  const script = require(join(root, 'infra', 'scripts', 'compile-contracts.js')) as {
    compileContracts(): { outDir: string };
  };
  compiledDir = script.compileContracts().outDir;
  return compiledDir;
}

export function loadArtifact(name: ContractName): ContractArtifact {
  const file = join(ensureCompiled(), `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ContractArtifact;
}
