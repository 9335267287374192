import { useEffect, useId, useState, type FormEvent } from 'react';
import type { McpServer } from '@shared/types';
import { useAppStore } from '../../app/context';
import './tools.css';

const STATUS: Record<McpServer['status'], string> = {
  stopped: 'Off',
  starting: 'Starting…',
  ready: 'Ready',
  failed: 'Failed',
};

/** Settings → Tools: MCP servers, their state and tools, a form to add one and one to edit each. */
export function ToolsSettings() {
  const servers = useAppStore((s) => s.toolServers);
  const load = useAppStore((s) => s.loadToolServers);
  const setEnabled = useAppStore((s) => s.setToolServerEnabled);
  const restart = useAppStore((s) => s.restartToolServer);
  const remove = useAppStore((s) => s.removeToolServer);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => void load(), [load]);
  return (
    <section className="settings__section" aria-labelledby="tools-settings-title">
      <h3 id="tools-settings-title">Tools (MCP servers)</h3>
      <p className="muted">
        A chat uses a server only once it is turned on in that chat (the Tools button above the messages), and every
        call asks you first unless you allowed that tool always.
      </p>
      {servers?.length === 0 && <p className="muted">No tool servers yet.</p>}
      {servers?.map((server) => (
        <div key={server.id} className="tools-settings__server" data-testid="tool-server">
          <strong>{server.name}</strong>{' '}
          <span className="muted" data-testid="tool-server-status">
            {STATUS[server.status]}
          </span>
          <div className="muted">
            {server.transport === 'stdio' ? [server.command, ...server.args].join(' ') : server.url}
            {server.hasEnv ? ' · environment set' : ''}
          </div>
          {server.error && <p className="tool-call__error">{server.error}</p>}
          {server.status === 'failed' && server.stderrTail && (
            <pre className="tools-settings__stderr" aria-label={`Last output of ${server.name}`}>
              {server.stderrTail}
            </pre>
          )}
          {server.tools.length > 0 && <p>Tools: {server.tools.map((t) => t.name).join(', ')}</p>}
          <label className="checkbox">
            <input
              type="checkbox"
              checked={server.enabled}
              onChange={(event) => void setEnabled(server.id, event.target.checked)}
            />
            On
          </label>{' '}
          <button type="button" className="button" onClick={() => void restart(server.id)}>
            Restart
          </button>{' '}
          <button
            type="button"
            className="button"
            aria-label={`Edit ${server.name}`}
            aria-expanded={editing === server.id}
            onClick={() => setEditing(editing === server.id ? null : server.id)}
          >
            Edit
          </button>{' '}
          <button type="button" className="button" onClick={() => void remove(server.id)}>
            Remove
          </button>
          {editing === server.id && <EditServerForm server={server} onDone={() => setEditing(null)} />}
        </div>
      ))}
      {adding ? (
        <AddServerForm onDone={() => setAdding(false)} />
      ) : (
        <button type="button" className="button" onClick={() => setAdding(true)}>
          Add a tool server
        </button>
      )}
    </section>
  );
}

/** "KEY=value" lines to an environment. */
function parseEnv(text: string): Record<string, string> | null {
  const env: Record<string, string> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.indexOf('=');
    if (at <= 0) return null;
    env[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return env;
}

const argLines = (text: string) =>
  text
    .split('\n')
    .map((a) => a.trim())
    .filter(Boolean);

/**
 * Edits a server's name, command and arguments or URL, and its environment. The environment is
 * sealed and never shown again: left empty it is kept; written anew it replaces the old one.
 */
function EditServerForm({ server, onDone }: { server: McpServer; onDone(): void }) {
  const update = useAppStore((s) => s.updateToolServer);
  const formId = useId();
  const [name, setName] = useState(server.name);
  const [command, setCommand] = useState(server.command ?? '');
  const [args, setArgs] = useState(server.args.join('\n'));
  const [url, setUrl] = useState(server.url ?? '');
  const [envText, setEnvText] = useState('');
  const [removeEnv, setRemoveEnv] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const env = parseEnv(envText);
    if (!env) return setProblem('Write one variable a line, as NAME=value.');
    const ok = await update({
      id: server.id,
      name: name.trim(),
      ...(server.transport === 'stdio' ? { command: command.trim(), args: argLines(args) } : { url: url.trim() }),
      ...(removeEnv ? { env: null } : Object.keys(env).length ? { env } : {}),
    });
    if (ok) onDone();
  };

  return (
    <form className="tools-settings__form" aria-label={`Edit ${server.name}`} onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${formId}-name`}>Name</label>
      <input id={`${formId}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} required />
      {server.transport === 'stdio' ? (
        <>
          <label htmlFor={`${formId}-command`}>Command</label>
          <input
            id={`${formId}-command`}
            className="input"
            value={command}
            onChange={(e) => setCommand(e.target.value)}
            required
          />
          <label htmlFor={`${formId}-args`}>Arguments (one a line)</label>
          <textarea id={`${formId}-args`} className="input" value={args} onChange={(e) => setArgs(e.target.value)} />
        </>
      ) : (
        <>
          <label htmlFor={`${formId}-url`}>URL</label>
          <input id={`${formId}-url`} className="input" value={url} onChange={(e) => setUrl(e.target.value)} required />
        </>
      )}
      <label htmlFor={`${formId}-env`}>
        {server.hasEnv
          ? 'New environment (NAME=value, one a line; leave empty to keep the one set)'
          : 'Environment (NAME=value, one a line; stored encrypted)'}
      </label>
      <textarea
        id={`${formId}-env`}
        className="input"
        value={envText}
        disabled={removeEnv}
        onChange={(e) => setEnvText(e.target.value)}
      />
      {server.hasEnv && (
        <label className="checkbox">
          <input type="checkbox" checked={removeEnv} onChange={(e) => setRemoveEnv(e.target.checked)} />
          Remove the environment
        </label>
      )}
      {problem && <p role="alert">{problem}</p>}
      <div>
        <button type="submit" className="button button--primary">
          Save
        </button>{' '}
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AddServerForm({ onDone }: { onDone(): void }) {
  const add = useAppStore((s) => s.addToolServer);
  const formId = useId();
  const [name, setName] = useState('');
  const [transport, setTransport] = useState<'stdio' | 'http'>('stdio');
  const [command, setCommand] = useState('');
  const [args, setArgs] = useState('');
  const [url, setUrl] = useState('');
  const [envText, setEnvText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const env = parseEnv(envText);
    if (!env) return setProblem('Write one variable a line, as NAME=value.');
    const ok = await add({
      name: name.trim(),
      transport,
      ...(transport === 'stdio' ? { command: command.trim(), args: argLines(args) } : { url: url.trim() }),
      ...(Object.keys(env).length ? { env } : {}),
    });
    if (ok) onDone();
  };

  return (
    <form className="tools-settings__form" aria-label="Add a tool server" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${formId}-name`}>Name</label>
      <input id={`${formId}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} required />
      <label htmlFor={`${formId}-transport`}>Kind</label>
      <select
        id={`${formId}-transport`}
        className="select"
        value={transport}
        onChange={(e) => setTransport(e.target.value as 'stdio' | 'http')}
      >
        <option value="stdio">A program on this computer (stdio)</option>
        <option value="http">A server address (Streamable HTTP)</option>
      </select>
      {transport === 'stdio' ? (
        <>
          <label htmlFor={`${formId}-command`}>Command</label>
          <input
            id={`${formId}-command`}
            className="input"
            value={command}
            onChange={(e) => setCommand(e.target.value)}
            required
          />
          <label htmlFor={`${formId}-args`}>Arguments (one a line)</label>
          <textarea id={`${formId}-args`} className="input" value={args} onChange={(e) => setArgs(e.target.value)} />
        </>
      ) : (
        <>
          <label htmlFor={`${formId}-url`}>URL</label>
          <input id={`${formId}-url`} className="input" value={url} onChange={(e) => setUrl(e.target.value)} required />
        </>
      )}
      <label htmlFor={`${formId}-env`}>Environment (NAME=value, one a line; stored encrypted)</label>
      <textarea id={`${formId}-env`} className="input" value={envText} onChange={(e) => setEnvText(e.target.value)} />
      {problem && <p role="alert">{problem}</p>}
      <div>
        <button type="submit" className="button button--primary">
          Add server
        </button>{' '}
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
