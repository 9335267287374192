import { z } from 'zod';
import type { McpServer, SessionToolServer, ToolApprovalRequest, ToolExecution } from '../types';
import { empty, id } from './fields';
import { event, method } from './spec';

const name = z.string().trim().min(1).max(200);
const env = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string().max(10_000))
  .refine((v) => Object.keys(v).length <= 100, 'at most 100 variables');
const serverFields = {
  name,
  command: z.string().trim().min(1).max(4096).optional(),
  args: z.array(z.string().max(4096)).max(100).optional(),
  url: z
    .url({ protocol: /^https?$/ })
    .max(4096)
    .optional(),
  /** Sealed like an API key before it is stored; a view only ever learns that one is set. */
  env: env.optional(),
};

export const toolsMethods = {
  /** Every tool server with its state (starting, ready, failed with its stderr) and its tools. */
  'tools.servers': method<McpServer[]>()(empty),
  'tools.addServer': method<McpServer>()(
    z
      .object({ transport: z.enum(['stdio', 'http']), ...serverFields })
      .strict()
      .refine(
        (v) => (v.transport === 'stdio' ? !!v.command : !!v.url),
        'a stdio server needs a command, an HTTP server a URL',
      ),
  ),
  /**
   * Changes a server's name, command and arguments (stdio) or URL (HTTP), or its environment: an
   * omitted field is kept; `env: null` removes the environment. A running server is restarted
   * with the new settings. The kind (stdio or HTTP) is fixed: remove and add to change it.
   */
  'tools.updateServer': method<McpServer>()(
    z
      .object({
        id,
        name: name.optional(),
        command: serverFields.command,
        args: serverFields.args,
        url: serverFields.url,
        env: env.nullable().optional(),
      })
      .strict(),
  ),
  /** Turns a server on (it starts) or off (its process is ended). */
  'tools.setServerEnabled': method<McpServer>()(z.object({ id, enabled: z.boolean() }).strict()),
  /** Starts a failed or stopped server again. */
  'tools.restartServer': method<McpServer>()(z.object({ id }).strict()),
  'tools.removeServer': method<{ removed: boolean }>()(z.object({ id }).strict()),
  /** The servers this chat may use. */
  'tools.forSession': method<SessionToolServer[]>()(z.object({ sessionId: id }).strict()),
  'tools.setForSession': method<SessionToolServer[]>()(
    z.object({ sessionId: id, serverId: id, enabled: z.boolean() }).strict(),
  ),
  /** The user's answer to a call waiting for approval; 'always' also allows that tool in this chat from now on. */
  'tools.approve': method<{ answered: boolean }>()(
    z.object({ executionId: id, decision: z.enum(['allow', 'always', 'deny']) }).strict(),
  ),
  /** Calls waiting for an answer now (a view that opens late shows them too). */
  'tools.pending': method<ToolApprovalRequest[]>()(empty),
  /** The calls made while answering these messages, oldest first. */
  'tools.executions': method<ToolExecution[]>()(z.object({ messageIds: z.array(id).min(1).max(500) }).strict()),
};

export const toolsEvents = {
  /** A model asked to call a tool; the call waits for tools.approve. */
  'tools.approvalRequested': event<ToolApprovalRequest>(),
  /** A waiting call was answered (here or in another view) or ended. */
  'tools.approvalSettled': event<{ executionId: string }>(),
  /** A server started, stopped, failed or changed. */
  'tools.serversChanged': event<{ serverId: string }>(),
};
