import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../tests/helpers/fakeLlm';
import { defaultLocalTargets, detectLocalServers } from './detectLocal';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('detectLocalServers', () => {
  let fake: FakeLlm;
  beforeEach(async () => {
    fake = await startFakeLlm({ models: ['qwen3:8b', 'llama3.2:3b'] });
  });
  afterEach(async () => {
    await fake.close();
    vi.restoreAllMocks();
  });

  it('probes Ollama and LM Studio at their standard ports by default', () => {
    expect(defaultLocalTargets()).toEqual([
      { preset: 'ollama', baseUrl: 'http://localhost:11434/v1' },
      { preset: 'lmstudio', baseUrl: 'http://localhost:1234/v1' },
    ]);
  });

  it('finds a server on an override URL, with its sorted models, and skips one that is absent', async () => {
    const absent = `http://127.0.0.1:${await closedPort()}/v1`;
    // A generous timeout: the default is tuned for start-up, and a loaded machine can miss it.
    const found = await detectLocalServers({
      timeoutMs: 15_000,
      targets: [
        { preset: 'ollama', baseUrl: fake.openaiBaseUrl },
        { preset: 'lmstudio', baseUrl: absent },
      ],
    });
    expect(found).toEqual([{ preset: 'ollama', baseUrl: fake.openaiBaseUrl, models: ['llama3.2:3b', 'qwen3:8b'] }]);
    expect(fake.lastRequest()?.headers.authorization).toBeUndefined();
  });

  it('reports a running server with no models as found', async () => {
    fake.models = [];
    expect(
      await detectLocalServers({ timeoutMs: 15_000, targets: [{ preset: 'ollama', baseUrl: fake.openaiBaseUrl }] }),
    ).toEqual([{ preset: 'ollama', baseUrl: fake.openaiBaseUrl, models: [] }]);
  });

  it('returns [] quickly and quietly when nothing listens, answers wrongly, or hangs', async () => {
    const log = vi.spyOn(console, 'log');
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    fake.enqueue({ kind: 'status', status: 500 }, { kind: 'hang' });
    const started = Date.now();
    const found = await detectLocalServers({
      timeoutMs: 150,
      targets: [
        { preset: 'ollama', baseUrl: `http://127.0.0.1:${await closedPort()}/v1` },
        { preset: 'lmstudio', baseUrl: fake.openaiBaseUrl },
        { preset: 'llamacpp', baseUrl: fake.openaiBaseUrl },
      ],
    });
    expect(found).toEqual([]);
    // A hang would never return; the bound is loose so a busy machine does not fail it.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(log).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});
