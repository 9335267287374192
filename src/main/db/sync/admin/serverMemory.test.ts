import { describe, expect, it } from 'vitest';
import { memoryAdvice } from './serverMemory';

const MiB = 1024 * 1024;

describe('memoryAdvice', () => {
  it('says nothing while the database fits in shared_buffers, the boundary included', () => {
    expect(memoryAdvice(128 * MiB, 20 * MiB)).toBeNull();
    expect(memoryAdvice(128 * MiB, 128 * MiB)).toBeNull();
  });

  it('names both sizes and the setting once the database has outgrown the cache', () => {
    const advice = memoryAdvice(128 * MiB, 1536 * MiB);
    expect(advice).toContain('(1,536 MB)');
    expect(advice).toContain('(128 MB)');
    expect(advice).toMatch(/Raise shared_buffers/);
  });
});
