import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BranchMessage, ToolExecution } from '@shared/types';
import { useAppStore } from '../../app/context';
import './tools.css';

const STATUS_LABELS: Record<ToolExecution['status'], string> = {
  pending: 'waiting for you',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  denied: 'not allowed',
  timeout: 'timed out',
  cancelled: 'stopped',
  interrupted: 'interrupted',
};

const pretty = (value: unknown) => JSON.stringify(value, null, 2) ?? '';

/**
 * The tool calls made while writing a reply, folded, with their input and output as plain text
 * (tool output is untrusted, like model output: never rendered as HTML). A call waiting for the
 * user shows its tool and arguments with Allow, Always allow and Deny.
 */
export function MessageToolCalls({ message }: { message: BranchMessage }) {
  const executions = useAppStore((s) => s.toolExecutions[message.id]);
  const approvals = useAppStore(useShallow((s) => s.toolApprovals.filter((r) => r.messageId === message.id)));
  const load = useAppStore((s) => s.loadToolExecutions);
  const answer = useAppStore((s) => s.answerToolCall);
  useEffect(() => {
    if (message.role === 'assistant') void load(message.id);
  }, [message.id, message.role, message.status, message.updatedAt, load]);
  if (message.role !== 'assistant' || ((!executions || executions.length === 0) && approvals.length === 0)) return null;
  return (
    <div className="tool-calls" data-testid="tool-calls">
      {(executions ?? []).map((run) => {
        const approval = approvals.find((a) => a.executionId === run.id);
        return (
          <details
            key={run.id}
            className="tool-call"
            data-testid="tool-call"
            data-status={run.status}
            open={!!approval}
          >
            <summary>
              Tool <strong>{run.toolName}</strong> <span className="muted">({run.serverName})</span> ·{' '}
              {STATUS_LABELS[run.status]}
              {run.durationMs !== null ? ` · ${run.durationMs} ms` : ''}
            </summary>
            <p className="tool-call__label">Input</p>
            <pre className="tool-call__text">{pretty(run.input)}</pre>
            {run.output !== null && (
              <>
                <p className="tool-call__label">Output</p>
                <pre className="tool-call__text" data-testid="tool-output">
                  {run.output}
                </pre>
              </>
            )}
            {run.error && <p className="tool-call__error">{run.error}</p>}
            {approval && (
              <div className="tool-call__approval" role="group" aria-label={`Allow the tool ${run.toolName}?`}>
                <button type="button" className="button button--primary" onClick={() => void answer(run.id, 'allow')}>
                  Allow
                </button>
                <button type="button" className="button" onClick={() => void answer(run.id, 'always')}>
                  Always allow in this chat
                </button>
                <button type="button" className="button" onClick={() => void answer(run.id, 'deny')}>
                  Deny
                </button>
              </div>
            )}
          </details>
        );
      })}
    </div>
  );
}
