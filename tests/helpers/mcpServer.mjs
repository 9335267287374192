// A real MCP server over stdio for tests, built with the official SDK: `add` and `echo` answer,
// `fail` reports a tool error, `slow` waits (for timeouts), `crash` ends the process mid-call.
// Writes a line to stderr at start so the client's stderr tail can be checked.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'confab-test-tools', version: '1.0.0' });
const text = (t) => ({ content: [{ type: 'text', text: t }] });

server.registerTool(
  'add',
  { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
  async ({ a, b }) => text(String(a + b)),
);
server.registerTool(
  'echo',
  { description: 'Says the text back.', inputSchema: { text: z.string() } },
  async ({ text: t }) => text(`echo: ${t}`),
);
server.registerTool('fail', { description: 'Always fails.' }, async () => ({
  isError: true,
  content: [{ type: 'text', text: 'the tool broke on purpose' }],
}));
server.registerTool(
  'slow',
  { description: 'Waits before answering.', inputSchema: { ms: z.number() } },
  async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return text('done waiting');
  },
);
server.registerTool('crash', { description: 'Ends the server.' }, async () => {
  process.stderr.write('crashing on purpose\n');
  process.exit(3);
});

process.stderr.write(`test server ready (secret set: ${process.env.TEST_SECRET ? 'yes' : 'no'})\n`);
await server.connect(new StdioServerTransport());
