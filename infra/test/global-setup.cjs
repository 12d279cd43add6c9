/*
 * Jest global setup: make a real Kafka broker available to the suites that need one.
 * - KAFKA_BROKERS set: use those brokers.
 * - otherwise, with Java and Maven on the machine: start the single-node broker of infra/kafka
 *   (fetched from Maven Central once, then cached) and stop it again after the run.
 * - otherwise: the Kafka suites are skipped, and one line says so. With REQUIRE_KAFKA=1 (CI) that is
 *   an error instead.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

module.exports = async function globalSetup() {
  if (process.env.KAFKA_BROKERS) return;
  if (has('java', ['-version']) && has('mvn', ['-v'])) {
    const before = execFileSync(path.join(root, 'infra/kafka/kafka.sh'), ['status'], {
      encoding: 'utf8',
    }).trim();
    execFileSync(path.join(root, 'infra/kafka/kafka.sh'), ['start'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT || 9092}`;
    process.env.EXCHANGE_TEST_STARTED_KAFKA = before.startsWith('running') ? '' : '1';
    return;
  }
  const why = 'no KAFKA_BROKERS set and no Java 17 + Maven to start infra/kafka';
  if (process.env.REQUIRE_KAFKA === '1') throw new Error(`Kafka is required (REQUIRE_KAFKA=1) but ${why}`);
  process.stdout.write(`\nSKIPPED: the Kafka suites (real broker) did not run: ${why}.\n`);
};
