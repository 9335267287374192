/**
 * ChatGPT's conversations.json (the data export, alone, sharded as conversations-NNN.json, or in
 * its zip) and the single-conversation object of its web API. The tree is read from each node's
 * `parent` (2026 exports have no `children`), falling back to `metadata.parent_id`; every branch
 * is kept and `current_node` chooses the one on screen.
 */
import type { ConversationBundle, ImportedAttachment, ImportedMessage } from '@shared/types/import';
import { buildTree, type DraftMessage, type TreeNode } from './tree';
import { arr, EPOCH, fromSeconds, isObj, nonEmpty, num, objects, str, type Obj } from './values';
import { conversationIdFromContent, type ParsedConversation } from './bundle';

export function looksLikeChatGpt(value: Obj): boolean {
  return (
    isObj(value.mapping) ||
    'current_node' in value ||
    'conversation_id' in value ||
    ('create_time' in value && 'title' in value)
  );
}

export function parseChatGptConversation(conv: Obj): ParsedConversation {
  const title = str(conv.title) ?? '';
  if (!isObj(conv.mapping))
    return { skipped: { title: title || 'Untitled', reason: 'It has no messages (no "mapping" in the file).' } };
  const createdAt = fromSeconds(conv.create_time);
  const nodes: TreeNode[] = [];
  let order = 0;
  for (const [key, raw] of Object.entries(conv.mapping)) {
    if (!isObj(raw)) continue;
    const message = isObj(raw.message) ? raw.message : null;
    const id = str(raw.id) ?? key;
    const metadataParent = message && isObj(message.metadata) ? str(message.metadata.parent_id) : null;
    const parentId = str(raw.parent) ?? metadataParent;
    nodes.push({ id, parentId, order: order++, ...readNode(message, str(conv.default_model_slug)) });
  }
  // 2026 exports name a removed node as parent: prefer `parent`, then `metadata.parent_id`, when it exists.
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) {
    if (node.parentId !== null && !ids.has(node.parentId)) {
      const raw = (conv.mapping as Obj)[node.id];
      const message = isObj(raw) && isObj(raw.message) ? raw.message : null;
      const alternative = message && isObj(message.metadata) ? str(message.metadata.parent_id) : null;
      if (alternative && ids.has(alternative)) node.parentId = alternative;
    }
  }
  const fallbackTime = createdAt ?? firstTime(nodes) ?? EPOCH;
  const tree = buildTree(nodes, { currentId: str(conv.current_node), fallbackTime });
  if (tree.messages.length === 0) return { skipped: { title: title || 'Untitled', reason: 'It has no messages.' } };
  const sourceId = nonEmpty(conv.conversation_id) ?? nonEmpty(conv.id) ?? conversationIdFromContent(tree.messages);
  const updatedAt = fromSeconds(conv.update_time) ?? lastTime(tree.messages) ?? fallbackTime;
  const bundle: ConversationBundle = {
    source: 'chatgpt',
    sourceId,
    title,
    createdAt: createdAt ?? tree.messages[0]!.createdAt,
    updatedAt,
    model: nonEmpty(conv.default_model_slug) ?? lastModel(tree.messages),
    currentLeafSourceId: tree.currentLeafSourceId,
    archived: conv.is_archived === true,
    pinned: conv.is_starred === true,
    messages: tree.messages,
    repairs: tree.repairs,
  };
  return { bundle, branchPoints: tree.branchPoints };
}

const firstTime = (nodes: TreeNode[]) =>
  nodes
    .map((n) => n.message?.createdAt)
    .filter((t): t is string => !!t)
    .sort()[0] ?? null;

const lastTime = (messages: ImportedMessage[]) =>
  messages.reduce<string | null>((max, m) => (!max || m.createdAt > max ? m.createdAt : max), null);

const lastModel = (messages: ImportedMessage[]) => [...messages].reverse().find((m) => m.model)?.model ?? null;

/** One node: shown as a message, or hidden (possibly handing its thoughts down). */
function readNode(message: Obj | null, defaultModel: string | null): Pick<TreeNode, 'message' | 'carryReasoning'> {
  if (!message) return { message: null };
  const author = isObj(message.author) ? message.author : {};
  const role = str(author.role);
  const metadata = isObj(message.metadata) ? message.metadata : {};
  const content = isObj(message.content) ? message.content : {};
  const contentType = str(content.content_type) ?? 'text';
  const hidden =
    role === 'system' ||
    metadata.is_visually_hidden_from_conversation === true ||
    metadata.is_user_system_message === true ||
    contentType === 'user_editable_context' ||
    contentType === 'model_editable_context';
  if (hidden || (role !== 'user' && role !== 'assistant' && role !== 'tool')) return { message: null };
  if (contentType === 'thoughts') return { message: null, carryReasoning: thoughtsText(content) };
  if (contentType === 'reasoning_recap') return { message: null, carryReasoning: '' };

  const attachments = attachmentsOf(content, metadata);
  const recipient = str(message.recipient);
  const text = contentText(contentType, content);
  const toolCall = role === 'assistant' && recipient && recipient !== 'all' ? { recipient, contentType } : null;
  const shownText =
    contentType === 'code' || toolCall
      ? fenced(text, str(content.language) ?? (contentType === 'code' ? '' : 'json'))
      : text;
  if (shownText.trim() === '' && attachments.length === 0) return { message: null };

  const finish = isObj(metadata.finish_details) ? str(metadata.finish_details.type) : null;
  const status = str(message.status) === 'in_progress' || finish === 'interrupted' ? 'interrupted' : 'complete';
  const extra: Obj = { contentType };
  if (attachments.length > 0) extra.attachments = attachments;
  if (role === 'tool' && str(author.name)) extra.toolName = str(author.name);
  const draft: DraftMessage = {
    role: role,
    content: shownText,
    reasoning: '',
    model: role === 'assistant' ? (nonEmpty(metadata.model_slug) ?? defaultModel) : null,
    createdAt: fromSeconds(message.create_time),
    status,
    toolCalls: toolCall ? [toolCall] : null,
    metadata: extra,
  };
  return { message: draft };
}

function fenced(text: string, language: string): string {
  const fence = text.includes('```') ? '````' : '```';
  return `${fence}${language === 'unknown' ? '' : language}\n${text}\n${fence}`;
}

/** The text of every content type ChatGPT writes; unknown types keep whatever text they carry. */
function contentText(contentType: string, content: Obj): string {
  switch (contentType) {
    case 'text':
    case 'multimodal_text':
      return arr(content.parts)
        .map((p) => (typeof p === 'string' ? p : isObj(p) && typeof p.text === 'string' ? p.text : ''))
        .filter((p) => p !== '')
        .join('\n\n');
    case 'code':
    case 'execution_output':
      return str(content.text) ?? partsText(content);
    case 'tether_quote': {
      const quote = (str(content.text) ?? '')
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n');
      const source = [str(content.title), str(content.url)].filter(Boolean).join(' — ');
      return source ? `${quote}\n\n${source}` : quote;
    }
    case 'tether_browsing_display':
      return str(content.result) ?? str(content.summary) ?? '';
    case 'system_error':
      return str(content.text) ?? str(content.name) ?? '';
    default:
      return str(content.text) ?? partsText(content);
  }
}

const partsText = (content: Obj) =>
  arr(content.parts)
    .filter((p): p is string => typeof p === 'string')
    .join('\n\n');

function thoughtsText(content: Obj): string {
  return objects(content.thoughts)
    .map((t) => {
      const summary = nonEmpty(t.summary);
      const body = nonEmpty(t.content);
      return summary && body ? `**${summary}**\n\n${body}` : (summary ?? body ?? '');
    })
    .filter((t) => t !== '')
    .join('\n\n');
}

function attachmentsOf(content: Obj, metadata: Obj): ImportedAttachment[] {
  const found: ImportedAttachment[] = [];
  for (const part of objects(content.parts)) {
    if (str(part.content_type) !== 'image_asset_pointer') continue;
    const ref = str(part.asset_pointer);
    found.push({
      name: ref?.split('/').pop() ?? 'image',
      kind: 'image',
      mimeType: null,
      size: num(part.size_bytes),
      sourceRef: ref,
      absent: true,
    });
  }
  for (const file of objects(metadata.attachments)) {
    const mime = str(file.mime_type) ?? str(file.mimeType);
    found.push({
      name: str(file.name) ?? str(file.id) ?? 'file',
      kind: mime?.startsWith('image/') ? 'image' : 'file',
      mimeType: mime,
      size: num(file.size),
      sourceRef: str(file.id),
      absent: true,
    });
  }
  return found;
}
