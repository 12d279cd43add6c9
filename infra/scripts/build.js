#!/usr/bin/env node
/*
 * Compiles apps/ and libs/ (TypeScript) to dist/ as ES modules with swc, keeping the folder layout.
 * `@exchange/<lib>` imports become relative paths (from tsconfig.json's paths) and relative imports
 * get their `.js`, so Node runs dist/ as native ES modules: imported bindings are resolved by the
 * engine, with no CommonJS re-export getters on hot paths. Type checking is `npm run lint`
 * (tsc --noEmit); this step only transpiles, and only files newer than their output, unless the
 * set of source files or the build settings changed (an import is resolved to a file only if that
 * file exists when the importer is compiled), in which case everything is compiled again.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const outRoot = path.join(root, 'dist');
const swcOptions = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcOptions.$schema;
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
swcOptions.jsc.baseUrl = root;
swcOptions.jsc.paths = tsconfig.compilerOptions.paths;

function* sources(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* sources(full);
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !/\.(spec|e2e-spec)\.ts$/.test(entry.name)
    ) {
      yield full;
    }
  }
}

function compile(file, all) {
  const rel = path.relative(root, file);
  const out = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
  if (!all && fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(file).mtimeMs) return false;
  const result = swc.transformFileSync(file, {
    ...swcOptions,
    filename: file,
    sourceFileName: path.relative(path.dirname(out), file),
    swcrc: false,
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${result.code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
  if (result.map) fs.writeFileSync(`${out}.map`, result.map);
  return true;
}

fs.mkdirSync(outRoot, { recursive: true });
fs.writeFileSync(path.join(outRoot, 'package.json'), '{ "type": "module" }\n');
const files = ['apps', 'libs'].flatMap((top) => [...sources(path.join(root, top))]);
const manifestFile = path.join(outRoot, '.build-manifest');
const manifest = JSON.stringify({ swcOptions, files: files.map((f) => path.relative(root, f)).sort() });
const all = !fs.existsSync(manifestFile) || fs.readFileSync(manifestFile, 'utf8') !== manifest;
let compiled = 0;
for (const file of files) if (compile(file, all)) compiled++;
fs.writeFileSync(manifestFile, manifest);
const total = files.length;
if (process.env.BUILD_VERBOSE) console.log(`build: ${compiled} of ${total} files compiled to dist/`);
