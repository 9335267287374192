import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processStartIdentity, processStartTime } from './processIdentity';

const supported = process.platform === 'linux' || process.platform === 'darwin';

describe.runIf(supported)('process identity', () => {
  it('is stable for one process and differs for another one', async () => {
    const mine = processStartIdentity(process.pid);
    expect(mine).toMatch(/^(linux|darwin):/);
    expect(processStartIdentity(process.pid)).toBe(mine);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const theirs = processStartIdentity(child.pid!);
      expect(theirs).not.toBeNull();
      expect(theirs).not.toBe(mine);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is null for a process that has ended', () => {
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    expect(processStartIdentity(Number(ended.stdout))).toBeNull();
    expect(processStartTime(Number(ended.stdout))).toBeNull();
  });

  it('gives the start time to within a few seconds', () => {
    const startedAt = Date.now() - process.uptime() * 1000;
    const reported = processStartTime(process.pid);
    expect(reported).not.toBeNull();
    // The boot time is given in whole seconds, and the clock may have been adjusted since.
    expect(Math.abs(reported! - startedAt)).toBeLessThan(5_000);
  });
});
