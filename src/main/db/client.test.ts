import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { ConfabError } from '@shared/errors';
import { startCore, type CorePaths } from '../core/core';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { startDbWorker, type DbClient } from './client';
import { loadMigrations } from './migrator';
import { processStartIdentity } from './processIdentity';
import type { DbMethod } from './services';

const LATEST = loadMigrations(MIGRATIONS_DIR).at(-1)!.version;
const WORKER = resolve(import.meta.dirname, '../../../tests/helpers/db-worker-ts.mjs');
const templateDir = inject('pgliteTemplateDir');

const temps: string[] = [];
function tempDir(prefix = 'confab-client-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
const clients: DbClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.terminate().catch(() => {});
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string, migrationsDir = MIGRATIONS_DIR): Promise<DbClient> {
  const client = await startDbWorker({ workerPath: WORKER, open: { dataDir, migrationsDir, templateDir } });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

describe('DB worker client', () => {
  const dataDir = join(tempDir(), 'data');
  let db: DbClient;

  it('starts on a new data dir from the template and answers calls', async () => {
    db = await start(dataDir);
    expect(db.info).toMatchObject({ firstRun: true, usedTemplate: true, schemaVersion: LATEST, snapshot: null });
    expect(await db.call('maintenance.ping', undefined)).toBe(true);
    const session = await db.call('sessions.create', { title: 'Round trip' });
    const message = await db.call('messages.append', { sessionId: session.id, role: 'user', content: 'héllo ✓' });
    const got = await db.call('sessions.get', { id: session.id });
    expect(got).toMatchObject({ id: session.id, title: 'Round trip', messageCount: 1, currentLeafId: message.id });
    expect(Date.parse(message.createdAt)).not.toBeNaN();
    expect((await db.call('messages.get', { id: message.id })).content).toBe('héllo ✓');
  });

  it('refuses an unknown method, inherited names included', async () => {
    for (const method of ['no.such', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const err = await rejection(db.call(method as DbMethod, {} as never));
      expect(err.code).toBe('unknown_method');
    }
    expect(await db.call('maintenance.ping', undefined)).toBe(true);
  });

  it('maps database errors to typed errors', async () => {
    const a = await db.call('sessions.create', { title: 'A' });
    const b = await db.call('sessions.create', { title: 'B' });
    const inB = await db.call('messages.append', { sessionId: b.id, role: 'user', content: 'in b' });
    // A message of another chat cannot become this chat's leaf.
    expect((await rejection(db.call('sessions.setCurrentLeaf', { sessionId: a.id, messageId: inB.id }))).code).toBe(
      'not_found',
    );
    // SQLSTATE 23505 (unique violation): the same id twice.
    const dup = await rejection(
      db.call('messages.append', { id: inB.id, sessionId: b.id, role: 'user', content: 'again' }),
    );
    expect(dup.code).toBe('conflict');
    // SQLSTATE 22P02 (invalid text representation): not a uuid.
    expect((await rejection(db.call('sessions.get', { id: 'not-a-uuid' }))).code).toBe('invalid_input');
    // SQLSTATE 23514 (check violation): a title longer than the schema allows.
    expect((await rejection(db.call('sessions.create', { title: 'x'.repeat(501) }))).code).toBe('invalid_input');
    // None of that left the worker in a bad state.
    expect((await db.call('sessions.get', { id: b.id })).messageCount).toBe(1);
  });

  it('answers concurrent calls one at a time, in order', async () => {
    const s = await db.call('sessions.create', { title: 'Burst' });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        db.call('messages.append', { sessionId: s.id, role: 'user', content: `m${i}` }),
      ),
    );
    // Each append went under the previous one: a chain, not 30 roots.
    expect(results.map((m) => m.depth)).toEqual(results.map((_, i) => i));
    expect((await db.call('sessions.get', { id: s.id })).messageCount).toBe(30);
  });

  it('refuses a second worker on the same dir while the first is alive', async () => {
    const err = await rejection(start(dataDir));
    expect(err.code).toBe('db_locked');
    expect(await db.call('maintenance.ping', undefined)).toBe(true);
  });

  it('fails pending calls with db_unavailable when the worker dies, and the dir reopens intact', async () => {
    const s = await db.call('sessions.create', { title: 'Before the crash' });
    const exitCodes: number[] = [];
    db.onExit((code) => exitCodes.push(code));
    const calls = Array.from({ length: 40 }, (_, i) =>
      db.call('messages.append', { sessionId: s.id, parentId: null, role: 'user', content: `crash ${i}` }).then(
        (m) => ({ ok: true as const, id: m.id }),
        (e: unknown) => ({ ok: false as const, error: e }),
      ),
    );
    // Let the first calls commit, then crash in the middle of the burst.
    await calls[2];
    await db.terminate();
    const outcomes = await Promise.all(calls);
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect((f.error as ConfabError).code).toBe('db_unavailable');
    expect(exitCodes).toHaveLength(1);
    expect((await rejection(db.call('maintenance.ping', undefined))).code).toBe('db_unavailable');

    db = await start(dataDir);
    expect(db.info.firstRun).toBe(false);
    const committed = outcomes.flatMap((o) => (o.ok ? [o.id] : []));
    expect(committed.length).toBeGreaterThanOrEqual(3);
    for (const id of committed) expect((await db.call('messages.get', { id })).sessionId).toBe(s.id);
    expect((await db.call('sessions.get', { id: s.id })).messageCount).toBeGreaterThanOrEqual(committed.length);
  });

  it('closes cleanly: calls racing the close and later calls fail, close twice is harmless', async () => {
    const stderr: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      const closing = db.close();
      const racing = db.call('maintenance.ping', undefined); // sent after close: must not hang
      const closingAgain = db.close(); // e.g. quit and a window close at once
      await Promise.all([closing, closingAgain]);
      expect((await rejection(racing)).code).toBe('db_unavailable');
    } finally {
      write.mockRestore();
    }
    // The worker did not run it on the closed database (which it would log as a crash).
    expect(stderr.join('')).not.toMatch(/PGlite is closed/);
    expect((await rejection(db.call('maintenance.ping', undefined))).code).toBe('db_unavailable');
    await db.close();
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
  });

  it('rejects a worker that cannot start, and the dir stays usable', async () => {
    const broken = startDbWorker({
      workerPath: join(tempDir(), 'missing-worker.mjs'),
      open: { dataDir, migrationsDir: MIGRATIONS_DIR, templateDir },
    });
    await expect(broken).rejects.toThrow();
    const ok = await start(dataDir);
    await ok.close();
  });

  it('reports a refusal at start as a typed error and releases the dir', async () => {
    const migrations = tempDir('confab-client-migrations-');
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(migrations, f));
    writeFileSync(join(migrations, `${String(LATEST + 1).padStart(4, '0')}_newer.sql`), 'CREATE TABLE newer (id int);');
    await (await start(dataDir, migrations)).close();
    const err = await rejection(start(dataDir));
    expect(err.code).toBe('db_too_new');
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
    const again = await start(dataDir, migrations);
    expect(again.info.schemaVersion).toBe(LATEST + 1);
    await again.close();
  });
});

describe('the data-dir lock comes first', () => {
  it('refuses a dir held by another Confab before any worker is loaded', async () => {
    // Another Confab: a live process named in the lock with its own start identity.
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      await new Promise((resolveSpawn) => other.once('spawn', resolveSpawn));
      const dataDir = join(tempDir(), 'data');
      mkdirSync(dataDir);
      const lock = JSON.stringify({ pid: other.pid, start: processStartIdentity(other.pid!) });
      writeFileSync(join(dataDir, 'confab.lock'), lock);
      // A worker that only leaves a mark: had it been started, the mark would be there and the
      // start would fail with db_unavailable (it never says ready).
      const scratch = tempDir();
      const marker = join(scratch, 'worker-was-loaded');
      const workerPath = join(scratch, 'marking-worker.mjs');
      writeFileSync(
        workerPath,
        `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'yes');`,
      );

      const err = await rejection(
        startDbWorker({ workerPath, open: { dataDir, migrationsDir: MIGRATIONS_DIR, templateDir } }),
      );
      expect(err.code).toBe('db_locked');
      expect(err.message).toContain(`process ${other.pid}`);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });
});

describe('crash recovery through startCore', () => {
  it('turns a reply left streaming into interrupted, its text kept', async () => {
    const dataDir = join(tempDir(), 'data');
    const paths: CorePaths = {
      mainDir: tempDir(),
      migrationsDir: MIGRATIONS_DIR,
      templateDir,
      workerPath: WORKER,
      rendererDir: tempDir(),
    };
    const core = await startCore({ dataDir, paths, host: 'web', version: 'test' });
    const s = await core.db.call('sessions.create', { title: 'Streaming' });
    const q = await core.db.call('messages.append', { sessionId: s.id, role: 'user', content: 'Tell me a story' });
    const a = await core.db.call('messages.append', {
      sessionId: s.id,
      parentId: q.id,
      role: 'assistant',
      content: '',
      status: 'streaming',
    });
    expect(await core.db.call('messages.updateStreaming', { id: a.id, content: 'Once upon a' })).toBe(true);
    const run = await core.db.call('usage.recordRun', {
      sessionId: s.id,
      messageId: a.id,
      providerId: 'test',
      model: 'm',
      status: 'running',
    });
    expect(run.status).toBe('running');
    await core.db.terminate(); // the app crashes mid-stream

    const again = await startCore({ dataDir, paths, host: 'web', version: 'test' });
    try {
      const recovered = await again.db.call('messages.get', { id: a.id });
      expect(recovered).toMatchObject({ status: 'interrupted', content: 'Once upon a' });
      expect((await again.db.call('messages.get', { id: q.id })).status).toBe('complete');
      // Recovery ran at start, for the run too: a second pass finds nothing left unfinished.
      expect(await again.db.call('recovery.interruptUnfinished', undefined)).toEqual({ messages: 0, runs: 0 });
    } finally {
      await again.close();
    }
  });
});

describe('main thread while the worker works', () => {
  it('keeps its timers firing during a long DB call', async () => {
    const db = await start(join(tempDir(), 'data'));
    try {
      const s = await db.call('sessions.create', { title: 'Heavy' });
      // A 5 MB message: trigram and tsvector indexing make this one of the heaviest single calls.
      const content = Array.from(
        { length: 5_000_000 / 50 },
        (_, i) => `word${i} lorem ipsum dolor sit amet ${i % 97}xyz `,
      )
        .join('')
        .slice(0, 5_000_000);
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      const tickTimes: number[] = [];
      const timer = setInterval(() => tickTimes.push(performance.now()), 10);
      histogram.enable();
      const started = performance.now();
      // Two in a row (the worker queues them), so the DB is busy for well over half a second even
      // on a fast machine (about 1.3 s each on the 2-core reference machine).
      await Promise.all([
        db.call('messages.append', { sessionId: s.id, role: 'user', content }),
        db.call('messages.append', { sessionId: s.id, role: 'user', content: content.toUpperCase() }),
      ]);
      const ended = performance.now();
      histogram.disable();
      clearInterval(timer);
      const elapsed = ended - started;
      const gaps = [...tickTimes, ended].map((t, i, all) => t - (i === 0 ? started : all[i - 1]!));
      const maxGap = Math.max(...gaps);
      console.log(
        `[event loop] DB busy ${elapsed.toFixed(0)} ms: ${tickTimes.length} ticks of a 10 ms timer, ` +
          `longest gap ${maxGap.toFixed(0)} ms, delay p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`,
      );
      expect(elapsed).toBeGreaterThan(500);
      // Had the main thread run the SQL, the timer would not fire until the call ended: one gap
      // as long as the call. Free, it keeps firing (the bounds allow for a loaded machine).
      expect(tickTimes.length).toBeGreaterThanOrEqual(10);
      expect(maxGap).toBeLessThan(elapsed / 2);
    } finally {
      await db.close();
    }
  });
});
