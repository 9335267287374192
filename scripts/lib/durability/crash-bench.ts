/**
 * Issue 9 items 12 and 13: a Confab killed with SIGKILL while it writes, then reopened.
 *
 * Each trial copies a base data dir, starts the writer child on it (the app's core streaming a
 * reply from the fake model here while bulk writes keep its DB worker busy), kills the child at a
 * seeded moment, and reopens the dir as the app starts: the DB worker (PGlite open, WAL replay,
 * migration check), crash recovery, and the first session list. Then it checks the durability
 * invariants: every batch the worker acknowledged is there, and the reply comes back as
 * interrupted with its text. The text lost is what the app had received minus what was saved.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCore, type CorePaths } from '../../../src/main/core/core';
import { startFakeLlm } from '../../../tests/helpers/fakeLlm';
import { SIDEBAR_PAGE } from '../pglite-bench';
import { Rng } from '../prng';
import { summarize, type Summary } from '../stats';
import { encodeConfig, type WriterConfig, type WriterReport } from './protocol';

export interface CrashBenchOptions {
  paths: CorePaths;
  /** A closed, migrated data dir with a corpus: copied afresh for every trial. */
  baseDir: string;
  tmpBase: string;
  trials: number;
  seed: number;
  nowMs: number;
  /**
   * When to kill, drawn per trial: once the worker has acknowledged this many bulk messages (the
   * WAL of a long session or an import), then after a further delay (any point of a save cycle).
   */
  killAfterMessages: { min: number; max: number };
  killDelayMs: { min: number; max: number };
  batchSize?: number;
  inFlight?: number;
}

export interface ReopenTiming {
  /** Inside the worker: PGlite open (with WAL replay), migration check, local user, WAL limits. */
  workerOpenMs: number;
  /** startCore: worker start, the above, and marking unfinished replies interrupted. */
  startCoreMs: number;
  /** The first sessions.list after it. */
  firstListMs: number;
  totalMs: number;
  /** CPU time of this process over the same span. */
  cpuMs: number;
}

export interface CrashTrial {
  killAfterMessages: number;
  killDelayMs: number;
  /** From the child's report of work under way to the kill. */
  killedAfterMs: number;
  /** WAL since the last checkpoint as last reported before the kill (what recovery replays). */
  walAtKillBytes: number | null;
  ackedBatches: number;
  ackedMessages: number;
  /** Acknowledged batches missing after the reopen: must be 0. */
  lostBatches: number;
  streamedChars: number;
  savedChars: number;
  lostChars: number;
  replyStatus: string;
  /** The longest wait between two saves of the reply while it streamed (the save interval is 250 ms). */
  maxSaveGapMs: number;
  /** Polled every 50 ms while it streamed: received but unsaved characters (a kill then loses them). */
  atRiskChars: number[];
  /** The saved text is a prefix of what was streamed (nothing garbled, nothing invented). */
  savedIsPrefix: boolean;
  reopen: ReopenTiming;
  /** The same dir reopened once more after a clean close: what the crash added is the difference. */
  cleanReopenMs: number;
  cleanReopenCpuMs: number;
}

export interface CrashBenchResults {
  trials: CrashTrial[];
  reopenTotal: Summary;
  workerOpen: Summary;
  /** Per trial: reopen after the crash minus the clean reopen of the same dir right after. */
  crashOverhead: Summary;
  /** The same in CPU time, and the crash reopen's own CPU time. */
  crashOverheadCpu: Summary;
  reopenCpu: Summary;
  lostChars: Summary;
  /** Characters the stream delivered per second, to turn characters lost into time. */
  streamCharsPerSecond: number;
  walAtKillMB: Summary;
  maxSaveGapMs: Summary;
  /** Every poll of every trial: unsaved characters at that moment. */
  atRiskChars: Summary;
  lostBatches: number;
  notInterrupted: number;
  notPrefix: number;
}

const STREAM_WORD = 'lorem ';

interface ChildRun {
  killedAfterMs: number;
  messageId: string;
  acked: { messageId: string; messages: number }[];
  streamedChars: number;
  walBytes: number | null;
  streamMs: number;
  maxSaveGapMs: number;
  atRiskChars: number[];
}

/** Starts the writer; kills it with SIGKILL `delayMs` after it has `messages` bulk messages acknowledged. */
function runWriterUntilKilled(
  benchEntry: string,
  config: WriterConfig,
  kill: { messages: number; delayMs: number },
): Promise<ChildRun> {
  const child = spawn(process.execPath, [benchEntry, '--durability-child', encodeConfig(config)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const run: ChildRun = {
    killedAfterMs: 0,
    messageId: '',
    acked: [],
    streamedChars: 0,
    walBytes: null,
    streamMs: 0,
    maxSaveGapMs: 0,
    atRiskChars: [],
  };
  let workingAt = 0;
  let ackedMessages = 0;
  let killScheduled = false;
  let firstStreamAt = 0;
  let lastStreamAt = 0;
  return new Promise<ChildRun>((resolve, reject) => {
    let failure: Error | null = null;
    // Bounded: a writer that never starts, or stops acknowledging writes, ends the bench.
    const giveUp = setTimeout(() => {
      failure = new Error(`the writer did not start work or stopped writing for 120 s:\n${output}`);
      child.kill('SIGKILL');
    }, 120_000);
    child.on('message', (message: WriterReport) => {
      switch (message.type) {
        case 'working':
          giveUp.refresh();
          run.messageId = message.messageId;
          workingAt = performance.now();
          return;
        case 'acked':
          if (!killScheduled) giveUp.refresh();
          run.acked.push({ messageId: message.messageId, messages: message.messages });
          ackedMessages += message.messages;
          if (!killScheduled && ackedMessages >= kill.messages) {
            killScheduled = true;
            clearTimeout(giveUp);
            setTimeout(() => {
              run.killedAfterMs = performance.now() - workingAt;
              child.kill('SIGKILL');
            }, kill.delayMs);
          }
          return;
        case 'streamed':
          if (!firstStreamAt) firstStreamAt = performance.now();
          lastStreamAt = performance.now();
          run.streamedChars = message.chars;
          return;
        case 'wal':
          run.walBytes = message.bytes;
          return;
        case 'atRisk':
          run.maxSaveGapMs = message.maxGapMs;
          run.atRiskChars.push(message.chars);
          return;
        case 'failed':
          failure = new Error(`the writer failed: ${message.error}\n${output}`);
          child.kill('SIGKILL');
          return;
      }
    });
    // Reports the child wrote before it died are still read from the channel; 'exit' can come
    // before them, 'close' comes after every stream and the IPC channel have ended.
    child.once('close', () => {
      clearTimeout(giveUp);
      run.streamMs = lastStreamAt - firstStreamAt;
      if (failure) reject(failure);
      else if (!run.messageId) reject(new Error(`the writer exited before starting work:\n${output}`));
      else resolve(run);
    });
    child.once('error', (err) => {
      failure = err;
    });
  });
}

async function openToSidebar(paths: CorePaths, dataDir: string) {
  // CPU time (this process: mostly the DB worker opening) is steadier than wall time on a
  // machine shared with other work.
  const cpu = process.cpuUsage();
  const started = performance.now();
  const core = await startCore({
    dataDir,
    paths,
    host: 'web',
    version: 'bench',
    detectLocalProviders: false,
    retention: false,
  });
  const coreReady = performance.now();
  await core.db.call('sessions.list', { view: 'active', limit: SIDEBAR_PAGE });
  const listed = performance.now();
  const used = process.cpuUsage(cpu);
  return { core, started, coreReady, listed, cpuMs: (used.user + used.system) / 1000 };
}

async function reopenAndCheck(paths: CorePaths, dataDir: string, run: ChildRun) {
  const { core, started, coreReady, listed, cpuMs } = await openToSidebar(paths, dataDir);
  const reopen: ReopenTiming = {
    workerOpenMs: core.db.info.openMs,
    startCoreMs: coreReady - started,
    firstListMs: listed - coreReady,
    totalMs: listed - started,
    cpuMs,
  };
  let lostBatches = 0;
  let reply;
  try {
    for (const batch of run.acked) {
      try {
        await core.db.call('messages.get', { id: batch.messageId });
      } catch {
        lostBatches += 1;
      }
    }
    reply = await core.db.call('messages.get', { id: run.messageId });
  } finally {
    await core.close();
  }
  const clean = await openToSidebar(paths, dataDir);
  await clean.core.close();
  return { reopen, lostBatches, reply, cleanReopenMs: clean.listed - clean.started, cleanReopenCpuMs: clean.cpuMs };
}

export async function crashBench(options: CrashBenchOptions, log: (line: string) => void): Promise<CrashBenchResults> {
  const benchEntry = join(options.paths.mainDir, 'bench.js');
  const rng = new Rng(options.seed, 9);
  const fake = await startFakeLlm({ models: ['bench-model'] });
  const trials: CrashTrial[] = [];
  let streamedTotal = 0;
  let streamMsTotal = 0;
  try {
    for (let i = 0; i < options.trials; i++) {
      const dir = mkdtempSync(join(options.tmpBase, 'crash-'));
      try {
        cpSync(options.baseDir, dir, { recursive: true });
        // A reply far longer than any trial: about 3,000 characters a second, like a fast model.
        fake.enqueue({ kind: 'slow', chunks: Array.from({ length: 100_000 }, () => STREAM_WORD), delayMs: 2 });
        const kill = {
          messages: rng.int(options.killAfterMessages.min, options.killAfterMessages.max),
          delayMs: rng.int(options.killDelayMs.min, options.killDelayMs.max),
        };
        const run = await runWriterUntilKilled(
          benchEntry,
          {
            paths: options.paths,
            dataDir: dir,
            openaiBaseUrl: fake.openaiBaseUrl,
            seed: options.seed * 1000 + 17 + i,
            nowMs: options.nowMs,
            batchSize: options.batchSize ?? 250,
            inFlight: options.inFlight ?? 2,
          },
          kill,
        );
        const streamed = STREAM_WORD.repeat(Math.ceil(run.streamedChars / STREAM_WORD.length)).slice(
          0,
          run.streamedChars,
        );
        const { reopen, lostBatches, reply, cleanReopenMs, cleanReopenCpuMs } = await reopenAndCheck(
          options.paths,
          dir,
          run,
        );
        const trial: CrashTrial = {
          killAfterMessages: kill.messages,
          killDelayMs: kill.delayMs,
          killedAfterMs: run.killedAfterMs,
          walAtKillBytes: run.walBytes,
          ackedBatches: run.acked.length,
          ackedMessages: run.acked.reduce((n, b) => n + b.messages, 0),
          lostBatches,
          streamedChars: run.streamedChars,
          savedChars: reply.content.length,
          lostChars: Math.max(0, run.streamedChars - reply.content.length),
          replyStatus: reply.status,
          maxSaveGapMs: run.maxSaveGapMs,
          atRiskChars: run.atRiskChars,
          savedIsPrefix: streamed.startsWith(reply.content),
          reopen,
          cleanReopenMs,
          cleanReopenCpuMs,
        };
        trials.push(trial);
        streamedTotal += run.streamedChars;
        streamMsTotal += run.streamMs;
        const walMB = trial.walAtKillBytes === null ? '?' : (trial.walAtKillBytes / 1e6).toFixed(1);
        log(
          `  trial ${i + 1}: killed ${Math.round(trial.killedAfterMs)} ms in (WAL ${walMB} MB, ${trial.ackedMessages} messages acknowledged); ` +
            `reopen ${Math.round(reopen.totalMs)} ms (worker open ${Math.round(reopen.workerOpenMs)} ms; clean reopen after it ${Math.round(cleanReopenMs)} ms; CPU ${Math.round(reopen.cpuMs)} against ${Math.round(cleanReopenCpuMs)} ms); ` +
            `reply ${trial.replyStatus}, ${trial.savedChars}/${trial.streamedChars} chars saved (longest gap between saves ${Math.round(trial.maxSaveGapMs)} ms); lost batches ${lostBatches}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await fake.close();
  }
  const wal = trials.flatMap((t) => (t.walAtKillBytes === null ? [] : [t.walAtKillBytes / 1e6]));
  return {
    trials,
    reopenTotal: summarize(trials.map((t) => t.reopen.totalMs)),
    workerOpen: summarize(trials.map((t) => t.reopen.workerOpenMs)),
    crashOverhead: summarize(trials.map((t) => t.reopen.totalMs - t.cleanReopenMs)),
    crashOverheadCpu: summarize(trials.map((t) => t.reopen.cpuMs - t.cleanReopenCpuMs)),
    reopenCpu: summarize(trials.map((t) => t.reopen.cpuMs)),
    lostChars: summarize(trials.map((t) => t.lostChars)),
    streamCharsPerSecond: streamMsTotal > 0 ? streamedTotal / (streamMsTotal / 1000) : 0,
    walAtKillMB: summarize(wal),
    maxSaveGapMs: summarize(trials.map((t) => t.maxSaveGapMs)),
    atRiskChars: summarize(trials.flatMap((t) => t.atRiskChars)),
    lostBatches: trials.reduce((n, t) => n + t.lostBatches, 0),
    notInterrupted: trials.filter((t) => t.replyStatus !== 'interrupted').length,
    notPrefix: trials.filter((t) => !t.savedIsPrefix).length,
  };
}
