/**
 * Open WebUI: the export list of `{id, user_id, title, chat, …}` and a bare `chat` object (which
 * circulates with `"id": ""`). The tree is `chat.history.messages` by `parentId`, `currentId`
 * chooses the branch; older chats have only the flat `chat.messages` list. Reasoning and tool
 * calls live in `<details>` blocks of the text (and in `output[]` on newer versions); they are
 * moved out of the answer into reasoning and tool calls. Text is kept byte for byte otherwise
 * (doubled apostrophes from SQL dumps are real content).
 */
import type { ConversationBundle } from '@shared/types/import';
import { conversationIdFromContent, type ParsedConversation } from './bundle';
import { buildTree, type DraftMessage, type TreeNode } from './tree';
import { arr, EPOCH, fromSeconds, isObj, nonEmpty, objects, str, type Obj } from './values';

export function looksLikeOpenWebUi(value: Obj): boolean {
  if (isObj(value.chat) && (isObj(value.chat.history) || Array.isArray(value.chat.messages))) return true;
  return isObj(value.history) && isObj(value.history.messages);
}

export function parseOpenWebUiChat(entry: Obj): ParsedConversation {
  const wrapped = isObj(entry.chat);
  const chat = wrapped ? (entry.chat as Obj) : entry;
  const title = str(entry.title) ?? str(chat.title) ?? '';
  const history = isObj(chat.history) ? chat.history : null;
  const nodes: TreeNode[] = [];
  const defaultModel = arr(chat.models).find((m): m is string => typeof m === 'string') ?? null;
  if (history && isObj(history.messages)) {
    let order = 0;
    for (const [key, raw] of Object.entries(history.messages)) {
      if (!isObj(raw)) continue;
      nodes.push({
        id: str(raw.id) || key,
        parentId: str(raw.parentId),
        order: order++,
        message: readMessage(raw, defaultModel),
      });
    }
  } else {
    // Very old chats: a flat list, one after the other.
    let previous: string | null = null;
    objects(chat.messages).forEach((raw, order) => {
      const id = str(raw.id) || `index-${order}`;
      nodes.push({ id, parentId: str(raw.parentId) ?? previous, order, message: readMessage(raw, defaultModel) });
      previous = id;
    });
  }
  const createdAt = fromSeconds(entry.created_at) ?? fromSeconds(chat.timestamp);
  const tree = buildTree(nodes, {
    currentId: history ? str(history.currentId) : null,
    fallbackTime: createdAt ?? EPOCH,
  });
  if (tree.messages.length === 0) return { skipped: { title: title || 'Untitled', reason: 'It has no messages.' } };
  const bundle: ConversationBundle = {
    source: 'openwebui',
    sourceId: nonEmpty(entry.id) ?? nonEmpty(chat.id) ?? conversationIdFromContent(tree.messages),
    title,
    createdAt: createdAt ?? tree.messages[0]!.createdAt,
    updatedAt: fromSeconds(entry.updated_at) ?? createdAt ?? tree.messages[0]!.createdAt,
    model: defaultModel,
    currentLeafSourceId: tree.currentLeafSourceId,
    archived: entry.archived === true,
    pinned: entry.pinned === true,
    messages: tree.messages,
    repairs: tree.repairs,
  };
  return { bundle, branchPoints: tree.branchPoints };
}

const DETAILS = /<details\b([^>]*)>([\s\S]*?)<\/details>/g;
const SUMMARY = /<summary>[\s\S]*?<\/summary>/;
const ATTRIBUTE = /(\w+)="([^"]*)"/g;

/** Open WebUI escapes the text inside <details> as HTML. */
const unescapeHtml = (text: string) =>
  text
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

function readMessage(raw: Obj, defaultModel: string | null): DraftMessage | null {
  const roleText = str(raw.role);
  const role = roleText === 'user' || roleText === 'assistant' ? roleText : roleText === 'tool' ? 'tool' : null;
  if (!role) return null;
  const reasoning: string[] = [];
  const toolCalls: unknown[] = [];
  let moved = false;
  const content = (str(raw.content) ?? '').replace(DETAILS, (_m, attrs: string, inner: string) => {
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attrs.matchAll(ATTRIBUTE)) attributes[key!] = value!;
    const body = unescapeHtml(inner.replace(SUMMARY, '')).trim();
    if (attributes.type === 'reasoning') {
      moved = true;
      reasoning.push(
        body
          .split('\n')
          .map((l) => l.replace(/^> ?/, ''))
          .join('\n'),
      );
      return '';
    }
    if (attributes.type === 'tool_calls') {
      moved = true;
      toolCalls.push({
        type: 'tool_calls',
        name: attributes.name ?? null,
        arguments: attributes.arguments ? unescapeHtml(attributes.arguments) : null,
        result: body,
      });
      return '';
    }
    return _m;
  });
  // Newer versions also describe the turn in output[]: function calls and their outputs.
  const structured = objects(raw.output).filter(
    (o) => str(o.type) === 'function_call' || str(o.type) === 'function_call_output',
  );
  if (structured.length > 0) {
    toolCalls.length = 0;
    for (const item of structured) toolCalls.push(item);
  }
  // Only the blank left where a <details> block was taken out is trimmed.
  const text = moved ? content.trim() : content;
  const reasoningText = reasoning.filter((r) => r !== '').join('\n\n');
  if (text.trim() === '' && reasoningText === '' && toolCalls.length === 0) return null;
  const files = objects(raw.files);
  return {
    role,
    content: text,
    reasoning: reasoningText,
    model: role === 'assistant' ? (nonEmpty(raw.model) ?? defaultModel) : null,
    createdAt: fromSeconds(raw.timestamp),
    status: isObj(raw.error) || raw.error === true ? 'error' : 'complete',
    toolCalls: toolCalls.length > 0 ? toolCalls : null,
    metadata:
      files.length > 0
        ? {
            attachments: files.map((f) => ({
              name: str(f.name) ?? (isObj(f.file) ? str(f.file.filename) : null) ?? 'file',
              kind: str(f.type) === 'image' ? 'image' : 'file',
              mimeType: null,
              size: null,
              sourceRef: str(f.id) ?? str(f.url),
              absent: true,
            })),
          }
        : null,
  };
}
