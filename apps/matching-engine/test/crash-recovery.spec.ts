import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import {
  FIXED_TIME_MS,
  FLOW_SEED,
  cleanReplay,
  closeEngine,
  feed,
  loggedEvents,
  openEngine,
} from './engine-fixture';

/**
 * Crash tests with real processes: a child streams orders into the engine service and prints each
 * acknowledged seq; we kill it with SIGKILL mid-stream, recover the data folder, and check that every
 * acknowledged command survived, that the state hash equals a clean replay of the same commands and
 * that the event log holds each command's events exactly once.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const child = path.join(root, 'dist', 'apps', 'matching-engine', 'test', 'crash-child.js');

Logger.overrideLogger(false);

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
});

/** Runs the child until it has acknowledged `ackTarget` commands, then kills it; returns the last ack. */
function streamThenKill(dir: string, snapshotEvery: number, ackTarget: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [child, dir, String(FLOW_SEED), '250', String(snapshotEvery), String(FIXED_TIME_MS)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let lastAck = 0;
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const seq = Number(line.split(' ')[1]);
      if (seq > lastAck) lastAck = seq;
      if (lastAck >= ackTarget && proc.exitCode === null) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastAck);
      else reject(new Error(`crash child exited with ${code}: ${stderr}`));
    });
  });
}

describe.each([
  ['journal only', 1_000_000_000],
  ['snapshots every 4,000 commands', 4000],
])('kill -9 of the engine mid-stream (%s)', (_name, snapshotEvery) => {
  it('loses no acknowledged command and recovers the clean-replay state', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    const acked = await streamThenKill(dir, snapshotEvery, 15_000);
    expect(acked).toBeGreaterThanOrEqual(15_000);

    const recovered = openEngine(dir, snapshotEvery);
    const last = recovered.recovery.lastSeq;
    expect(last).toBeGreaterThanOrEqual(acked);
    const clean = cleanReplay(last);
    expect(recovered.recovery.stateHash).toBe(clean.hash);
    // the engine goes on from where it was: more commands, same result as a clean run
    await feed(recovered, 500);
    expect(recovered.service.state.stateHash()).toBe(cleanReplay(last + 500).hash);
    await closeEngine(recovered);
    expect(await loggedEvents(dir)).toEqual(cleanReplay(last + 500).events);
  }, 60_000);
});
