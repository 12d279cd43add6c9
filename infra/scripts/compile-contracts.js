#!/usr/bin/env node
/*
 * Compiles contracts/*.sol with solc from npm (solc-js, WebAssembly: no native toolchain) and writes
 * one JSON per contract, { contractName, abi, bytecode }, to dist/contracts/, plus a manifest with
 * the hash of the sources, the compiler version and the settings. Runs again only when that hash
 * changed. OpenZeppelin's contracts are imported from node_modules. `node
 * infra/scripts/compile-contracts.js` from a shell; libs/chain calls it when its artifacts are
 * missing or stale.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const sourceDir = path.join(root, 'contracts');
const outDir = process.env.CONTRACTS_OUT_DIR || path.join(root, 'dist', 'contracts');
const settings = {
  optimizer: { enabled: true, runs: 100000 },
  evmVersion: 'cancun',
  viaIR: true,
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

function readImport(importPath) {
  for (const base of [root, path.join(root, 'node_modules')]) {
    const file = path.join(base, importPath);
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
  }
  return { error: `not found: ${importPath}` };
}

function sourcesHash(solcVersion, files) {
  const hash = crypto.createHash('sha256');
  hash.update(solcVersion).update(JSON.stringify(settings));
  for (const file of files) hash.update(file).update(fs.readFileSync(path.join(sourceDir, file)));
  const ozPackage = path.join(root, 'node_modules', '@openzeppelin', 'contracts', 'package.json');
  hash.update(JSON.parse(fs.readFileSync(ozPackage, 'utf8')).version);
  return hash.digest('hex');
}

/** Whole-file replace, so a reader (another test worker) never sees a half-written artifact. */
function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function compileContracts() {
  const solc = require('solc');
  const files = fs
    .readdirSync(sourceDir)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  const hash = sourcesHash(solc.version(), files);
  const manifestFile = path.join(outDir, 'manifest.json');
  if (fs.existsSync(manifestFile) && JSON.parse(fs.readFileSync(manifestFile, 'utf8')).hash === hash) {
    return { compiled: false, outDir };
  }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(
      files.map((f) => [`contracts/${f}`, { content: fs.readFileSync(path.join(sourceDir, f), 'utf8') }]),
    ),
    settings,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  fs.mkdirSync(outDir, { recursive: true });
  const names = [];
  for (const file of files) {
    for (const [contractName, c] of Object.entries(output.contracts[`contracts/${file}`] || {})) {
      const artifact = { contractName, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
      writeAtomic(path.join(outDir, `${contractName}.json`), `${JSON.stringify(artifact)}\n`);
      names.push(contractName);
    }
  }
  const manifest = { hash, solc: solc.version(), settings, contracts: names };
  writeAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { compiled: true, outDir };
}

module.exports = { compileContracts, outDir };

if (require.main === module) {
  const started = Date.now();
  const { compiled } = compileContracts();
  console.log(`contracts: ${compiled ? 'compiled' : 'up to date'} in ${Date.now() - started} ms (${outDir})`);
}
