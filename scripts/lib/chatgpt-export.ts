/**
 * The seed's corpus written as a ChatGPT data export (conversations.json): each session becomes
 * a conversation whose `mapping` holds every branch, with the shapes a real export has around
 * the messages (a root node without a message, a hidden system message, `children` lists,
 * seconds as floats, model slugs in metadata, `current_node` on the chosen leaf). The import
 * bench reads it back through the real parser, so parse and write are measured on the seed's
 * text, sizes and trees.
 *
 * Written conversation by conversation, so a 500 MB file never sits in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { CorpusMessage } from '../../src/main/db/maintenance/bulk';
import { generateSessions, type CorpusPlan, type SessionRows } from './corpus';

const seconds = (iso: string) => Date.parse(iso) / 1000;

export function chatGptConversation(rows: SessionRows): Record<string, unknown> {
  const { session, messages } = rows;
  const rootId = `client-created-root-${session.id}`;
  const systemId = `system-${session.id}`;
  const children = new Map<string, string[]>();
  const parentOf = (m: CorpusMessage) => m.parent_id ?? systemId;
  for (const m of messages) children.set(parentOf(m), [...(children.get(parentOf(m)) ?? []), m.id]);
  const created = seconds(session.created_at);
  const mapping: Record<string, unknown> = {
    [rootId]: { id: rootId, message: null, parent: null, children: [systemId] },
    [systemId]: {
      id: systemId,
      message: {
        id: systemId,
        author: { role: 'system', name: null, metadata: {} },
        create_time: null,
        update_time: null,
        content: { content_type: 'text', parts: [''] },
        status: 'finished_successfully',
        end_turn: true,
        weight: 0,
        metadata: { is_visually_hidden_from_conversation: true },
        recipient: 'all',
      },
      parent: rootId,
      children: children.get(systemId) ?? [],
    },
  };
  for (const m of messages) {
    const metadata: Record<string, unknown> = {};
    if (m.role === 'assistant') {
      metadata.model_slug = m.model;
      metadata.finish_details = { type: m.status === 'cancelled' ? 'interrupted' : 'stop' };
    }
    mapping[m.id] = {
      id: m.id,
      message: {
        id: m.id,
        author: { role: m.role, name: null, metadata: {} },
        create_time: seconds(m.created_at),
        update_time: null,
        content: { content_type: 'text', parts: [m.content] },
        status: 'finished_successfully',
        end_turn: m.role === 'assistant' ? true : null,
        weight: 1,
        metadata,
        recipient: 'all',
      },
      parent: parentOf(m),
      children: children.get(m.id) ?? [],
    };
  }
  return {
    title: session.title,
    create_time: created,
    update_time: seconds(session.last_activity_at),
    mapping,
    moderation_results: [],
    current_node: session.current_leaf_id ?? messages.at(-1)?.id ?? systemId,
    plugin_ids: null,
    conversation_id: session.id,
    conversation_template_id: null,
    gizmo_id: null,
    is_archived: session.status === 'archived',
    is_starred: session.pinned ? true : null,
    default_model_slug: session.model,
    id: session.id,
  };
}

export interface WrittenExport {
  path: string;
  bytes: number;
  conversations: number;
  messages: number;
}

/** Writes the plan's sessions to `path` as one conversations.json array. */
export function writeChatGptExport(plan: CorpusPlan, path: string): WrittenExport {
  const fd = openSync(path, 'w');
  const written: WrittenExport = { path, bytes: 0, conversations: 0, messages: 0 };
  const write = (text: string) => (written.bytes += writeSync(fd, text));
  try {
    write('[');
    for (const rows of generateSessions(plan)) {
      write(`${written.conversations === 0 ? '' : ','}\n${JSON.stringify(chatGptConversation(rows))}`);
      written.conversations++;
      written.messages += rows.messages.length;
    }
    write('\n]\n');
  } finally {
    closeSync(fd);
  }
  return written;
}
