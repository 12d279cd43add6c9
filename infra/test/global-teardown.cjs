'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

/** Stops the broker if the global setup started it. */
module.exports = async function globalTeardown() {
  if (process.env.EXCHANGE_TEST_STARTED_KAFKA !== '1') return;
  execFileSync(path.resolve(__dirname, '..', 'kafka', 'kafka.sh'), ['stop'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
};
