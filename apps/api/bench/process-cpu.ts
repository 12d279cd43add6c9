import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

let ticksPerS: number | undefined;

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK, 100 nearly everywhere). */
function clockTicks(): number {
  if (ticksPerS === undefined) {
    try {
      ticksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerS = 100;
    }
  }
  return ticksPerS;
}

/**
 * pid -> [parent pid, CPU ticks] of every process /proc shows: its own user + system time and that
 * of its children that ended and were waited for (PostgreSQL's autovacuum workers and closed
 * backends), each counted once, by the parent that reaped it.
 */
function processTable(): Map<number, [number, number]> {
  const table = new Map<number, [number, number]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // fields after "(comm)": state ppid ... utime (14th field) stime cutime cstime (17th)
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), [Number(f[1]), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])]);
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/**
 * CPU time (user + system, all threads) of a process and its descendants, in µs: the exchange with
 * the embedded PostgreSQL it started. Undefined where /proc is missing (not Linux).
 */
export function processTreeCpuUs(rootPid: number | undefined): number | undefined {
  if (rootPid === undefined || !fs.existsSync('/proc/self/stat')) return undefined;
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, [ppid]] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let ticks = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    ticks += table.get(pid)?.[1] ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return (ticks / clockTicks()) * 1e6;
}
