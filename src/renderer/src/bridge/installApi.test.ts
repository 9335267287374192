import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../test/fakeApi';

afterEach(() => {
  delete window.confab;
  vi.resetModules();
});

describe('installApi', () => {
  it('uses the window.confab that preload provided, without opening a socket', async () => {
    const preload = fakeApi().api;
    window.confab = preload;
    const socket = vi.spyOn(globalThis, 'WebSocket');
    const { installApi } = await import('./installApi');
    expect(installApi()).toBe(preload);
    expect(installApi()).toBe(preload);
    expect(socket).not.toHaveBeenCalled();
  });
});
