import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { encodeCommands, type Command } from '@exchange/domain';
import { encodeFrame, scanFrame } from '@exchange/journal';
import {
  FIXED_TIME_MS,
  FLOW_SEED,
  cleanReplay,
  closeEngine,
  feed,
  loggedEvents,
  openEngine,
} from '../../test/engine-fixture';
import { sequencedFlow } from '../../test/synthetic-flow';

Logger.overrideLogger(false);

const open = openEngine;
const close = closeEngine;
const TIME_MS = FIXED_TIME_MS;
const SEED = FLOW_SEED;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));

/** Where the frames of a journal segment end (the command journal keeps zeros written ahead of them). */
function framesEnd(file: string): number {
  const bytes = fs.readFileSync(file);
  let off = 0;
  for (let s = scanFrame(bytes, off); s.kind === 'frame'; s = scanFrame(bytes, off)) off = s.end;
  return off;
}

describe('EngineService recovery', () => {
  it('restarts to the same state hash, with every event logged exactly once', async () => {
    const dir = tmp();
    const first = open(dir);
    await feed(first, 2000);
    const hash = first.service.state.stateHash();
    await close(first);

    const second = open(dir);
    expect(second.recovery).toMatchObject({
      snapshotSeq: 0,
      replayedCommands: 2000,
      reemittedCommands: 0,
      lastSeq: 2000,
      stateHash: hash,
    });
    const clean = cleanReplay(2000);
    expect(hash).toBe(clean.hash);
    expect(await loggedEvents(dir)).toEqual(clean.events);
    await close(second);
  });

  it('recovers from the newest snapshot plus the journal tail, and compacts the journal', async () => {
    const dir = tmp();
    const first = open(dir, 700);
    await feed(first, 2500);
    await first.service.takeSnapshot(); // let the scheduled snapshots settle too
    await feed(first, 333);
    const hash = first.service.state.stateHash();
    await close(first);
    expect(fs.readdirSync(path.join(dir, 'snapshots')).length).toBe(2);

    const second = open(dir, 700);
    expect(second.recovery!.snapshotSeq).toBe(2500);
    expect(second.recovery!.replayedCommands).toBe(333);
    expect(second.recovery!.stateHash).toBe(hash);
    expect(hash).toBe(cleanReplay(2833).hash);
    expect(second.commands.firstSeq).toBeGreaterThan(1); // older segments were deleted
    await close(second);
  });

  it('cuts a torn journal tail (a batch that was being written) and recovers the intact commands', async () => {
    const dir = tmp();
    const first = open(dir);
    await feed(first, 1000);
    await close(first);
    // a crash in the middle of writing batch 1001-1100: part of its frame reached the file (over the
    // zeros written ahead), no events did
    const frame = encodeFrame(
      1001,
      1100,
      encodeCommands(sequencedFlow(SEED, 1100, TIME_MS).slice(1000) as Command[]),
    );
    const seg = fs.readdirSync(path.join(dir, 'journal')).sort().at(-1)!;
    const file = path.join(dir, 'journal', seg);
    const end = framesEnd(file);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, frame, 0, frame.length >> 1, end); // its first half
    fs.closeSync(fd);

    const second = open(dir);
    expect(second.commands.recovery.truncated).toMatchObject({
      offset: end,
      reason: 'checksum mismatch in the last frame',
    });
    expect(second.recovery!.lastSeq).toBe(1000);
    expect(second.recovery!.stateHash).toBe(cleanReplay(1000).hash);
    await feed(second, 100);
    expect(second.service.state.stateHash()).toBe(cleanReplay(1100).hash);
    await close(second);
    expect(await loggedEvents(dir)).toEqual(cleanReplay(1100).events);
  });

  it('refuses to start when the event log is ahead of the command log', async () => {
    const dir = tmp();
    const first = open(dir);
    await feed(first, 1000);
    await close(first);
    const seg = fs.readdirSync(path.join(dir, 'journal')).sort().at(-1)!;
    const file = path.join(dir, 'journal', seg);
    fs.truncateSync(file, framesEnd(file) - 100);
    expect(() => open(dir)).toThrow(/lost acknowledged commands/);
  });

  it('re-emits the events the event log lost, once', async () => {
    const dir = tmp();
    const first = open(dir);
    await feed(first, 1000);
    await close(first);
    const seg = fs.readdirSync(path.join(dir, 'events')).sort().at(-1)!;
    const file = path.join(dir, 'events', seg);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));

    const second = open(dir);
    expect(second.recovery!.reemittedCommands).toBeGreaterThan(0);
    await close(second);
    expect(await loggedEvents(dir)).toEqual(cleanReplay(1000).events);
  });

  it('passes over a damaged snapshot and replays from the previous one', async () => {
    const dir = tmp();
    const first = open(dir);
    await feed(first, 500);
    await first.service.takeSnapshot();
    await feed(first, 500);
    await first.service.takeSnapshot();
    await close(first);
    const snaps = fs.readdirSync(path.join(dir, 'snapshots')).sort();
    const newest = path.join(dir, 'snapshots', snaps.at(-1)!);
    const b = fs.readFileSync(newest);
    b[b.length - 3] ^= 0x55;
    fs.writeFileSync(newest, b);

    const second = open(dir);
    expect(second.recovery!.snapshotSeq).toBe(500);
    expect(second.recovery!.stateHash).toBe(cleanReplay(1000).hash);
    await close(second);
  });

  it('refuses to start when the journal no longer reaches back to the snapshot', async () => {
    const dir = tmp();
    const first = open(dir);
    await feed(first, 300);
    await first.service.takeSnapshot();
    await feed(first, 300);
    await first.service.takeSnapshot();
    await close(first);
    for (const f of fs.readdirSync(path.join(dir, 'snapshots')))
      fs.writeFileSync(path.join(dir, 'snapshots', f), 'garbage');
    expect(() => open(dir)).toThrow(/cannot recover/);
  });
});
