/**
 * Attachments through a real core (DB worker on PGlite, extraction worker, blob store on disk),
 * driven through the client a view uses: chunked uploads, deduplication, limits, the blob
 * collector, and what the model is sent (image parts for OpenAI-compatible and Anthropic servers,
 * document text within the budget) checked in the request bodies a local fake server received.
 */
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { ATTACHMENT_CHUNK_BYTES } from '@shared/limits';
import type { Attachment, ProviderConfig, Session } from '@shared/types';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';
import { makeDocx, makePdf, makePng } from '../../../tests/helpers/files';
import { blobsDirOf } from './blobStore';

let fake: FakeLlm;
let chat: ChatCore;
let openai: ProviderConfig;
let anthropic: ProviderConfig;

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore({ chat: { idleTimeoutMs: 5_000 } });
  await chat.api.settings.setChat({ autoTitle: false });
  openai = await chat.api.providers.create({
    preset: 'custom',
    name: 'Fake OpenAI',
    baseUrl: fake.openaiBaseUrl,
    apiKey: 'sk-test-attachments-0123456789',
    defaultModel: 'gpt-4o-fake',
  });
  anthropic = await chat.api.providers.create({
    preset: 'anthropic',
    name: 'Fake Anthropic',
    baseUrl: fake.anthropicBaseUrl,
    apiKey: 'sk-ant-fake-attachments-000111',
    defaultModel: 'claude-sonnet-4-fake',
  });
});

afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
  await fake?.close();
});

/** Uploads as the renderer does: begin, base64 chunks of at most chunkBytes, finish. */
async function upload(sessionId: string, fileName: string, bytes: Buffer, chunk?: number): Promise<Attachment> {
  const began = await chat.api.attachments.uploadBegin({ sessionId, fileName, sizeBytes: bytes.length });
  const size = chunk ?? began.chunkBytes;
  for (let offset = 0; offset < bytes.length; offset += size) {
    await chat.api.attachments.uploadChunk({
      uploadId: began.uploadId,
      offset,
      data: bytes.subarray(offset, offset + size).toString('base64'),
    });
  }
  return chat.api.attachments.uploadFinish({ uploadId: began.uploadId });
}

async function rejection(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

const newSession = (providerId: string, model?: string): Promise<Session> =>
  chat.api.sessions.create({ providerId, model });

const blobs = () => readdirSync(blobsDirOf(chat.dataDir)).filter((n) => /^[0-9a-f]{64}$/.test(n));

describe('uploading', () => {
  it('stores a file sent in chunks once by its hash, reads it, and keeps its bytes intact', async () => {
    const session = await newSession(openai.id);
    const png = makePng(300, 200);
    const first = await upload(session.id, 'shot.png', png, 1000);
    expect(first).toMatchObject({
      status: 'ready',
      mediaType: 'image/png',
      kind: 'image',
      width: 300,
      height: 200,
      sizeBytes: png.length,
      messageId: null,
    });
    const second = await upload(session.id, 'copy-of-shot.png', png);
    expect(second.sha256).toBe(first.sha256);
    expect(second.id).not.toBe(first.id);
    expect(blobs().filter((b) => b === first.sha256)).toHaveLength(1);
    expect(readdirSync(join(blobsDirOf(chat.dataDir), 'tmp'))).toEqual([]);
    const read = await chat.api.attachments.read({ id: first.id, offset: 0, length: ATTACHMENT_CHUNK_BYTES });
    expect(Buffer.from(read.data, 'base64').equals(png)).toBe(true);
    expect(read.eof).toBe(true);
  });

  it('reads a PDF and a DOCX to text off the main thread and shows it by piece', async () => {
    const session = await newSession(openai.id);
    const pdf = await upload(session.id, 'plan.pdf', makePdf([['Project Heron plan'], ['Budget: 42 pelicans']]));
    expect(pdf).toMatchObject({ status: 'ready', mediaType: 'application/pdf', kind: 'document' });
    expect((await chat.api.attachments.text({ id: pdf.id, offset: 0, limit: 1000 })).text).toContain(
      'Budget: 42 pelicans',
    );
    const docx = await upload(session.id, 'memo.docx', makeDocx(['Memo about herons']));
    expect((await chat.api.attachments.text({ id: docx.id, offset: 0, limit: 1000 })).text).toBe('Memo about herons');
  });

  it('refuses a file over the limit before any byte, a type it cannot take, and chunks out of order', async () => {
    const session = await newSession(openai.id);
    const tooBig = await rejection(
      chat.api.attachments.uploadBegin({
        sessionId: session.id,
        fileName: 'big.bin',
        sizeBytes: 200 * 1024 * 1024 + 1,
      }),
    );
    expect(tooBig.code).toBe('invalid_input');
    expect(tooBig.message).toMatch(/a file can be at most 200 MB/);

    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0)]);
    const refused = await rejection(upload(session.id, 'totally-a-photo.png', exe));
    expect(refused.message).toMatch(/^Confab can attach images/);

    const began = await chat.api.attachments.uploadBegin({ sessionId: session.id, fileName: 'a.txt', sizeBytes: 6 });
    const skipped = await rejection(
      chat.api.attachments.uploadChunk({
        uploadId: began.uploadId,
        offset: 3,
        data: Buffer.from('def').toString('base64'),
      }),
    );
    expect(skipped.code).toBe('conflict');
    await chat.api.attachments.uploadChunk({
      uploadId: began.uploadId,
      offset: 0,
      data: Buffer.from('abc').toString('base64'),
    });
    const short = await rejection(chat.api.attachments.uploadFinish({ uploadId: began.uploadId }));
    expect(short.message).toMatch(/arrived incomplete/);
    // Nothing half-written is left behind.
    expect(readdirSync(join(blobsDirOf(chat.dataDir), 'tmp'))).toEqual([]);
  });
});

describe('sending files to a model', () => {
  it('sends an image as an image_url data URL part to an OpenAI-compatible vision model', async () => {
    const session = await newSession(openai.id, 'gpt-4o-fake');
    const png = makePng(4, 4);
    const image = await upload(session.id, 'shot.png', png);
    fake.enqueue({ kind: 'text', chunks: ['A red square.'] });
    const sent = await chat.api.chat.send({
      sessionId: session.id,
      content: 'What is this?',
      attachmentIds: [image.id],
    });
    await chat.done(sent.assistantMessage.id);
    const user = fake.lastRequest()!.body!.messages!.at(-1)!;
    expect(user).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
      ],
    });
    const listed = await chat.api.attachments.list({ messageIds: [sent.userMessage.id] });
    expect(listed.map((a) => a.id)).toEqual([image.id]);
  });

  it('sends an image as a base64 image block to an Anthropic model', async () => {
    const session = await newSession(anthropic.id, 'claude-sonnet-4-fake');
    const png = makePng(2, 3);
    const image = await upload(session.id, 'tiny.png', png);
    fake.enqueue({ kind: 'text', chunks: ['Tiny.'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Describe', attachmentIds: [image.id] });
    await chat.done(sent.assistantMessage.id);
    const request = fake.lastRequest()!;
    expect(request.path).toBe('/v1/messages');
    expect(request.body!.messages!.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') } },
        { type: 'text', text: 'Describe' },
      ],
    });
  });

  it('refuses an image for a model that cannot read images before anything is written or sent', async () => {
    const session = await newSession(openai.id, 'llama3-text-only');
    const image = await upload(session.id, 'shot.png', makePng(2, 2));
    const before = fake.requests.length;
    const err = await rejection(
      chat.api.chat.send({ sessionId: session.id, content: 'Look', attachmentIds: [image.id] }),
    );
    expect(err.message).toBe(
      'The model llama3-text-only cannot read images. Choose a model that can (for example gpt-4o or a Claude model), or remove the image.',
    );
    expect(fake.requests.length).toBe(before);
    expect((await chat.api.messages.listBranch({ sessionId: session.id })).items).toEqual([]);
    // The draft is still there to send elsewhere.
    expect((await chat.api.attachments.get({ id: image.id })).messageId).toBeNull();
  });

  it('sends a document as its text with its name, trimmed to the budget with a note', async () => {
    const small = await chat.api.providers.create({
      preset: 'custom',
      name: 'Small budget',
      baseUrl: fake.openaiBaseUrl,
      apiKey: 'sk-test-attachments-small-0001',
      defaultModel: 'fake-small',
      contextBudget: 300,
    });
    const session = await newSession(small.id);
    const longText = Array.from({ length: 400 }, (_, i) => `line ${i} of the heron census`).join('\n');
    const doc = await upload(session.id, 'census.txt', Buffer.from(longText));
    fake.enqueue({ kind: 'text', chunks: ['Read it.'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Summarise', attachmentIds: [doc.id] });
    await chat.done(sent.assistantMessage.id);
    const content = fake.lastRequest()!.body!.messages!.at(-1)!.content as string;
    expect(content.startsWith('Summarise\n\n[Attached file: census.txt]\nline 0 of the heron census')).toBe(true);
    const total = longText.length.toLocaleString('en-US');
    expect(content).toMatch(
      new RegExp(
        `\\[Trimmed: only the first [\\d,]+ of ${total} characters of census\\.txt fit in the context budget\\.\\]`,
      ),
    );
    expect(content.length).toBeLessThan(300 * 4 + 200);
  });
});

describe('editing a message with files', () => {
  it('keeps the files on the new version and sends them again, without copying bytes', async () => {
    const session = await newSession(openai.id, 'gpt-4o-fake');
    const png = makePng(5, 5);
    const image = await upload(session.id, 'keep.png', png);
    fake.enqueue({ kind: 'text', chunks: ['First.'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Look', attachmentIds: [image.id] });
    await chat.done(sent.assistantMessage.id);
    const blobsBefore = blobs().length;
    fake.enqueue({ kind: 'text', chunks: ['Second.'] });
    const edited = await chat.api.chat.edit({ messageId: sent.userMessage.id, content: 'Look again' });
    await chat.done(edited.assistantMessage.id);
    const files = await chat.api.attachments.list({ messageIds: [edited.userMessage.id] });
    expect(files.map((f) => [f.fileName, f.sha256])).toEqual([['keep.png', image.sha256]]);
    expect(files[0]!.id).not.toBe(image.id);
    expect(blobs().length).toBe(blobsBefore);
    const user = fake.lastRequest()!.body!.messages!.at(-1)!;
    expect(user.content).toEqual([
      { type: 'text', text: 'Look again' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
    ]);
  });
});

describe('the blob collector', () => {
  it('removes blobs no row names once they are old enough, and keeps the rest', async () => {
    const session = await newSession(openai.id);
    const kept = await upload(session.id, 'kept.txt', Buffer.from('kept bytes'));
    const dropped = await upload(session.id, 'dropped.txt', Buffer.from('dropped bytes'));
    await chat.api.attachments.remove({ id: dropped.id });
    const dir = blobsDirOf(chat.dataDir);
    // Young blobs are spared (an upload may be between rename and insert): nothing goes yet.
    const young = await chat.core.db.startJob('attachments.gc', { blobsDir: dir }).result;
    expect(young.blobsRemoved).toBe(0);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const name of [kept.sha256, dropped.sha256]) utimesSync(join(dir, name), old, old);
    const report = await chat.core.db.startJob('attachments.gc', { blobsDir: dir }).result;
    expect(report.blobsRemoved).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(dir, dropped.sha256))).toBe(false);
    expect(statSync(join(dir, kept.sha256)).size).toBe(10);
    // The same bytes again are stored anew.
    const again = await upload(session.id, 'dropped-again.txt', Buffer.from('dropped bytes'));
    expect(again.sha256).toBe(dropped.sha256);
    expect(existsSync(join(dir, dropped.sha256))).toBe(true);
  });
});
