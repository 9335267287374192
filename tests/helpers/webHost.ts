/**
 * The web host in this process, on a real core (DB worker on a copy of the migrated template):
 * for tests that speak its HTTP and WebSocket protocols directly, as a page or an attacker would.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { startCore, type Core } from '../../src/main/core/core';
import { keyFileCipher } from '../../src/main/secrets/keyFileCipher';
import { startWebHost, type WebHost } from '../../src/main/web/server';
import { DB_WORKER_TS } from './chatCore';
import { MIGRATIONS_DIR } from './engines';

export interface TestWebHost {
  core: Core;
  host: WebHost;
  origin: string;
  dataDir: string;
  /** An authenticated API socket, open. */
  socket(): Promise<ApiSocket>;
  /** A raw HTTP GET with the given path (sent as is) and headers. */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

export interface ApiSocket {
  ws: WebSocket;
  /** Sends one call frame (as JSON text made from `input`) and resolves with its envelope. */
  call(method: unknown, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  /** Sends `text` as one call's input, unparsed (for payloads JSON.stringify cannot make, like "__proto__" keys). */
  callRaw(method: string, inputJson: string): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
}

export async function startTestWebHost(): Promise<TestWebHost> {
  const root = mkdtempSync(join(tmpdir(), 'confab-webhost-'));
  const dataDir = join(root, 'data');
  const rendererDir = join(root, 'renderer');
  mkdirSyncSafe(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Confab</title>');
  const core = await startCore({
    dataDir,
    paths: { mainDir: root, migrationsDir: MIGRATIONS_DIR, templateDir: inject('pgliteTemplateDir'), workerPath: DB_WORKER_TS, rendererDir },
    host: 'web',
    version: 'test',
    cipher: keyFileCipher(dataDir),
    detectLocalProviders: false,
    retention: false,
    // The checksum call itself is slow; its log line would change app_logs under the fuzz test.
    slowCallMs: Number.POSITIVE_INFINITY,
  });
  const host = await startWebHost(core, { port: 0, rendererDir });
  const origin = `http://127.0.0.1:${host.port}`;

  async function socket(): Promise<ApiSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { headers: { Origin: origin } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => {}); // the server closing a bad socket is what some tests expect
    const waiting = new Map<number, (envelope: never) => void>();
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: number; envelope?: never };
      if (frame.type === 'result' && frame.id !== undefined) waiting.get(frame.id)?.(frame.envelope as never);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    let nextId = 0;
    const send = (text: string, id: number) =>
      new Promise<never>((resolve, reject) => {
        waiting.set(id, resolve);
        void closed.then((code) => reject(new Error(`socket closed (${code}) before call ${id} was answered`)));
        ws.send(text);
      });
    return {
      ws,
      closed,
      call: (method, input) => {
        const id = ++nextId;
        return send(JSON.stringify({ type: 'call', id, method, input }), id);
      },
      callRaw: (method, inputJson) => {
        const id = ++nextId;
        return send(`{"type":"call","id":${id},"method":${JSON.stringify(method)},"input":${inputJson}}`, id);
      },
    };
  }

  function get(path: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: host.port, path, method: 'GET', headers: { Host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  return {
    core,
    host,
    origin,
    dataDir,
    socket,
    get,
    async close() {
      await host.close();
      await core.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function mkdirSyncSafe(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
