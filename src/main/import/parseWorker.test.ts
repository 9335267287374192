/**
 * The parse worker reads the file off the main thread: this test holds the DB job's end of the
 * feed itself and takes every batch synchronously, acknowledging each, without ever letting its
 * own event loop turn (no await between the start and the end). If any part of the parse needed
 * this thread, the end would never come. Also: the dry run answered by the worker, and a file
 * that breaks midway reported as a sentence on the feed.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_WORKER_TS } from '../../../tests/helpers/chatCore';
import type { FeedItem } from '../db/import/feed';
import { importWorkerBeside, previewInWorker, startParseWorker } from './parser';
import { BATCH_CONVERSATIONS } from './parseWorker';
import { syntheticChatGpt, tempFile } from './testing/fixtures';

const parser = { workerPath: importWorkerBeside(DB_WORKER_TS) };
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** Takes the feed's items until 'end' or 'failed', acknowledging batches, all synchronously. */
function drainSynchronously(port: MessagePort, giveUpAt: number): FeedItem[] {
  const items: FeedItem[] = [];
  // A safety stop so that a broken worker fails the test instead of hanging it; not a timing check.
  while (Date.now() < giveUpAt) {
    const received = receiveMessageOnPort(port);
    if (!received) continue;
    const item = received.message as FeedItem;
    items.push(item);
    if (item.kind !== 'bundles') break;
    port.postMessage({ kind: 'ack' });
  }
  return items;
}

function startFeed(file: string) {
  const { port1: jobEnd, port2: parserEnd } = new MessageChannel();
  const worker = startParseWorker(parser, { mode: 'import', paths: [file], port: parserEnd }, [parserEnd]);
  stops.push(() => worker.terminate());
  stops.push(async () => jobEnd.close());
  return jobEnd;
}

describe('the parse worker', () => {
  it('streams every conversation to the job while this thread never turns its event loop', () => {
    const conversations = 450;
    const file = tempFile('conversations.json', syntheticChatGpt(conversations, 4));
    const jobEnd = startFeed(file);
    const items = drainSynchronously(jobEnd, Date.now() + 240_000);
    expect(items.at(-1)).toEqual({ kind: 'end', skipped: [] });
    const batches = items.flatMap((i) => (i.kind === 'bundles' ? [i.bundles] : []));
    // More batches than may wait unacknowledged: the acknowledgements went through too.
    expect(batches.length).toBe(Math.ceil(conversations / BATCH_CONVERSATIONS));
    const bundles = batches.flat();
    expect(bundles.map((b) => b.sourceId)).toEqual(Array.from({ length: conversations }, (_, c) => `synthetic-${c}`));
    expect(bundles.every((b) => b.messages.length === 4)).toBe(true);
  });

  it('reports a file that breaks midway as a sentence on the feed', () => {
    const text = JSON.stringify(syntheticChatGpt(150, 4));
    const jobEnd = startFeed(tempFile('conversations.json', text.slice(0, -100)));
    const items = drainSynchronously(jobEnd, Date.now() + 240_000);
    expect(items.at(-1)).toMatchObject({
      kind: 'failed',
      message: expect.stringMatching(/ends in the middle of a conversation/),
    });
  });

  it('answers the dry run', async () => {
    const preview = await previewInWorker(parser, [tempFile('conversations.json', syntheticChatGpt(12, 3))]);
    expect(preview).toMatchObject({ source: 'chatgpt', conversations: 12, messages: 36, skipped: [] });
    await expect(previewInWorker(parser, [tempFile('notes.json', { hello: 'world' })])).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/not an export/),
    });
  });
});
