/*
 * Jest setup of every test file's environment. Jest runs the TypeScript sources, and a worker
 * thread cannot load them: in-process suites run the engine's projection on its own thread
 * (PROJECTION_THREAD=main). Suites that start the compiled exchange from dist/ set the variable
 * they want for it (apps/main.spec.ts runs the default, the worker).
 */
'use strict';
process.env.PROJECTION_THREAD ??= 'main';
