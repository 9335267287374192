/**
 * Who a process id stands for. A pid alone is not an identity: after a crash or a reboot the
 * number is handed to some other process, and a lock that names it would block Confab forever.
 * Both answers are null where the platform gives no cheap way to tell (Windows); callers then
 * fall back to "is the pid alive".
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Linux reports process times in USER_HZ, which the kernel ABI fixes at 100 per second on every
 * architecture Node runs on (sysconf(_SC_CLK_TCK) is not reachable from Node).
 */
const LINUX_TICKS_PER_SECOND = 100;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. The second
 * field (the command name, in parentheses) may itself hold spaces and ')', so fields are counted
 * from the last ')'.
 */
function linuxStartTicks(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = afterName[22 - 3];
  return ticks && /^\d+$/.test(ticks) ? ticks : null;
}

let bootId: string | null | undefined;
function linuxBootId(): string | null {
  bootId ??= readText('/proc/sys/kernel/random/boot_id')?.trim() || null;
  return bootId;
}

function linuxBootTimeSeconds(): number | null {
  const match = /^btime (\d+)$/m.exec(readText('/proc/stat') ?? '');
  return match ? Number(match[1]) : null;
}

/** `ps -o lstart=`: the start as a date, to the second ("Mon Nov  3 10:00:00 2026" in the C locale). */
function darwinStart(pid: number): string | null {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
      timeout: 2_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return out || null;
  } catch {
    return null; // no such process
  }
}

/**
 * An exact identity of the running process `pid` (equal for the same process, different for any
 * later process given the same pid), or null if it cannot be read.
 *
 * On Linux: the boot id plus the start time in ticks since boot. The boot time in /proc/stat is
 * not used here because it is derived from the wall clock and moves when the clock is stepped
 * (NTP at boot), which would make a live Confab look like a stranger.
 */
export function processStartIdentity(pid: number): string | null {
  if (process.platform === 'linux') {
    const ticks = linuxStartTicks(pid);
    const boot = linuxBootId();
    return ticks && boot ? `linux:${boot}:${ticks}` : null;
  }
  if (process.platform === 'darwin') {
    const start = darwinStart(pid);
    return start ? `darwin:${start}` : null;
  }
  return null;
}

/**
 * When `pid` started, in milliseconds since the epoch, to about a second; null if unknown. Only
 * for judging locks written before identities were recorded, so wall-clock precision is enough.
 */
export function processStartTime(pid: number): number | null {
  if (process.platform === 'linux') {
    const ticks = linuxStartTicks(pid);
    const bootSeconds = linuxBootTimeSeconds();
    if (ticks === null || bootSeconds === null) return null;
    return bootSeconds * 1000 + (Number(ticks) * 1000) / LINUX_TICKS_PER_SECOND;
  }
  if (process.platform === 'darwin') {
    const start = darwinStart(pid);
    const ms = start ? Date.parse(start) : NaN;
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}
