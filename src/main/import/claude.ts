/**
 * Claude's conversations.json (bulk array, or one chat object) from the data export. Text comes
 * from the content blocks whenever there are any (the top-level `text` of newer exports starts
 * with the thinking, which must not leak into the answer); thinking becomes reasoning; tool use
 * and results are kept as tool calls; artifacts stay in the message as code blocks.
 */
import type { ConversationBundle, ImportedAttachment } from '@shared/types/import';
import { conversationIdFromContent, type ParsedConversation } from './bundle';
import { buildTree, type DraftMessage, type TreeNode } from './tree';
import { EPOCH, fromDateString, isObj, nonEmpty, num, objects, str, type Obj } from './values';

const ROOT_SENTINEL = '00000000-0000-4000-8000-000000000000';

export function looksLikeClaude(value: Obj): boolean {
  return 'chat_messages' in value || ('uuid' in value && 'name' in value && !('mapping' in value));
}

export function parseClaudeConversation(conv: Obj): ParsedConversation {
  const name = str(conv.name) ?? '';
  const raw = objects(conv.chat_messages);
  if (raw.length === 0) return { skipped: { title: name || 'Untitled', reason: 'It has no messages.' } };
  const hasParents = raw.some((m) => typeof m.parent_message_uuid === 'string');
  const ordered = hasParents ? raw : [...raw].sort(byIndexThenTime);
  const nodes: TreeNode[] = [];
  let previous: { id: string; parentId: string | null; sender: string | null } | null = null;
  ordered.forEach((message, order) => {
    const id = str(message.uuid) ?? `index-${order}`;
    const sender = str(message.sender);
    let parentId: string | null;
    if (hasParents) {
      const parent = str(message.parent_message_uuid);
      parentId = parent === null || parent === ROOT_SENTINEL ? null : parent;
    } else if (previous && previous.sender === sender) {
      // Without parent links, a retry shows only as a second message from the same sender: a sibling.
      parentId = previous.parentId;
    } else {
      parentId = previous?.id ?? null;
    }
    nodes.push({ id, parentId, order, message: readMessage(message, str(conv.model)) });
    previous = { id, parentId, sender };
  });
  const createdAt = fromDateString(conv.created_at);
  const fallbackTime = createdAt ?? EPOCH;
  const tree = buildTree(nodes, { currentId: str(conv.current_leaf_message_uuid), fallbackTime });
  if (tree.messages.length === 0)
    return { skipped: { title: name || 'Untitled', reason: 'All of its messages are empty.' } };
  const bundle: ConversationBundle = {
    source: 'claude',
    sourceId: nonEmpty(conv.uuid) ?? conversationIdFromContent(tree.messages),
    title: name.trim() !== '' ? name : titleFromFirstMessage(tree.messages[0]!.content),
    createdAt: createdAt ?? tree.messages[0]!.createdAt,
    updatedAt: fromDateString(conv.updated_at) ?? createdAt ?? tree.messages[0]!.createdAt,
    model: nonEmpty(conv.model),
    currentLeafSourceId: tree.currentLeafSourceId,
    archived: false,
    pinned: conv.is_starred === true,
    messages: tree.messages,
    repairs: tree.repairs,
  };
  return { bundle, branchPoints: tree.branchPoints };
}

function byIndexThenTime(a: Obj, b: Obj): number {
  const ia = num(a.index);
  const ib = num(b.index);
  if (ia !== null && ib !== null && ia !== ib) return ia - ib;
  return (str(a.created_at) ?? '').localeCompare(str(b.created_at) ?? '');
}

function titleFromFirstMessage(content: string): string {
  const line = content.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function readMessage(message: Obj, model: string | null): DraftMessage | null {
  const sender = str(message.sender);
  const role = sender === 'human' || sender === 'user' ? 'user' : sender === 'assistant' ? 'assistant' : null;
  if (!role) return null;
  const blocks = objects(message.content);
  const parts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: unknown[] = [];
  const artifacts: Obj[] = [];
  if (blocks.length > 0) {
    for (const block of blocks) {
      switch (str(block.type)) {
        case 'text':
          parts.push(str(block.text) ?? '');
          break;
        case 'thinking':
          reasoning.push(str(block.thinking) ?? str(block.text) ?? '');
          break;
        case 'tool_use': {
          toolCalls.push({ type: 'tool_use', id: str(block.id), name: str(block.name), input: block.input ?? null });
          const artifact = artifactFromToolUse(block);
          if (artifact) {
            parts.push(artifact.text);
            artifacts.push(artifact.meta);
          }
          break;
        }
        case 'tool_result':
          toolCalls.push({
            type: 'tool_result',
            toolUseId: str(block.tool_use_id),
            name: str(block.name),
            isError: block.is_error === true,
            content: toolResultText(block.content),
          });
          break;
        default:
          // token_budget and other bookkeeping blocks carry nothing to read.
          break;
      }
    }
  } else {
    parts.push(str(message.text) ?? '');
  }
  const inline = moveInlineTags(parts.filter((p) => p !== '').join('\n\n'));
  reasoning.push(...inline.thinking);
  artifacts.push(...inline.artifacts);
  const attachmentText = objects(message.attachments)
    .map((a) => {
      const text = str(a.extracted_content);
      return text ? `📎 ${str(a.file_name) ?? 'attachment'}\n\n\`\`\`\n${text}\n\`\`\`` : null;
    })
    .filter((t): t is string => t !== null);
  const content = [inline.text, ...attachmentText].filter((t) => t.trim() !== '').join('\n\n');
  const attachments = attachmentsOf(message);
  const reasoningText = reasoning.filter((r) => r.trim() !== '').join('\n\n');
  if (content.trim() === '' && reasoningText === '' && toolCalls.length === 0 && attachments.length === 0) return null;
  const metadata: Obj = {};
  if (attachments.length > 0) metadata.attachments = attachments;
  if (artifacts.length > 0) metadata.artifacts = artifacts;
  const stop = str(message.stop_reason);
  if (stop) metadata.stopReason = stop;
  return {
    role,
    content,
    reasoning: reasoningText,
    model: role === 'assistant' ? model : null,
    createdAt: fromDateString(message.created_at),
    status: message.truncated === true ? 'interrupted' : 'complete',
    toolCalls: toolCalls.length > 0 ? toolCalls : null,
    metadata: Object.keys(metadata).length > 0 ? metadata : null,
  };
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return objects(content)
    .map((c) => str(c.text) ?? '')
    .filter((t) => t !== '')
    .join('\n\n');
}

/** The artifacts tool (`name: "artifacts"`): its content is what the user saw, so it stays readable. */
function artifactFromToolUse(block: Obj): { text: string; meta: Obj } | null {
  if (str(block.name) !== 'artifacts' || !isObj(block.input)) return null;
  const input = block.input;
  const body = str(input.content);
  if (body === null) return null;
  const title = str(input.title);
  const language = str(input.language) ?? '';
  return {
    text: `${title ? `**${title}**\n\n` : ''}${fence(body, language)}`,
    meta: { identifier: str(input.id), type: str(input.type), title, command: str(input.command) },
  };
}

const fence = (body: string, language: string) => {
  const marks = body.includes('```') ? '````' : '```';
  return `${marks}${language}\n${body}\n${marks}`;
};

const THINKING_TAG = /<antThinking>([\s\S]*?)<\/antThinking>/g;
const ARTIFACT_TAG = /<antArtifact\b([^>]*)>([\s\S]*?)<\/antArtifact>/g;
const ATTRIBUTE = /(\w+)="([^"]*)"/g;

/** Older chats inline `<antThinking>` (reasoning) and `<antArtifact>` (shown as a code block). */
function moveInlineTags(text: string): { text: string; thinking: string[]; artifacts: Obj[] } {
  const thinking: string[] = [];
  const artifacts: Obj[] = [];
  let out = text.replace(THINKING_TAG, (_m, inner: string) => {
    thinking.push(inner.trim());
    return '';
  });
  out = out.replace(ARTIFACT_TAG, (_m, attrs: string, body: string) => {
    const meta: Record<string, string> = {};
    for (const [, key, value] of attrs.matchAll(ATTRIBUTE)) meta[key!] = value!;
    artifacts.push(meta);
    const language = meta.language ?? (meta.type === 'application/vnd.ant.react' ? 'jsx' : '');
    return `${meta.title ? `**${meta.title}**\n\n` : ''}${fence(body.replace(/^\n|\n$/g, ''), language)}`;
  });
  return { text: out.replace(/\n{3,}/g, '\n\n').trim(), thinking, artifacts };
}

function attachmentsOf(message: Obj): ImportedAttachment[] {
  const found = new Map<string, ImportedAttachment>();
  for (const file of [...objects(message.files), ...objects(message.files_v2)]) {
    const ref = str(file.file_uuid) ?? str(file.uuid);
    const name = str(file.file_name) ?? 'file';
    const key = ref ?? name;
    if (found.has(key)) continue;
    found.set(key, {
      name,
      kind: str(file.file_kind) === 'image' ? 'image' : 'file',
      mimeType: null,
      size: null,
      sourceRef: ref,
      absent: true,
    });
  }
  for (const a of objects(message.attachments)) {
    const name = str(a.file_name) ?? 'attachment';
    // Extracted text is kept as text in the message; the file itself is referenced.
    found.set(`attachment:${name}:${found.size}`, {
      name,
      kind: 'file',
      mimeType: str(a.file_type),
      size: num(a.file_size),
      sourceRef: null,
      absent: true,
    });
  }
  return [...found.values()];
}
