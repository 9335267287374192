import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeConfab } from '../test/fakeApi';

afterEach(() => {
  delete window.confab;
  vi.resetModules();
});

describe('api', () => {
  it('uses the window.confab that preload provided, without opening a socket', async () => {
    const preload = new FakeConfab().api;
    window.confab = preload;
    const socket = vi.spyOn(globalThis, 'WebSocket');
    const { installApi, getApi } = await import('./installApi');
    expect(installApi()).toBe(preload);
    expect(getApi()).toBe(preload);
    expect(socket).not.toHaveBeenCalled();
  });

  it('refuses to hand out an API before startup installed one', async () => {
    const { getApi } = await import('./installApi');
    expect(() => getApi()).toThrow(/installApi/);
  });
});
