// SPDX-License-Identifier: LGPL-2.1-or-later
//
// check-mcp-client.mjs: uses a running hotpath-glib MCP server with the
// official MCP TypeScript SDK client (Client + StreamableHTTPClientTransport),
// as any MCP host would, and prints TAP. It starts nothing itself;
// tests/test-mcp-client.c starts tests/fixtures/live-target and runs it.
//
//   node check-mcp-client.mjs URL [TOKEN] [--function NAME] [--calls N]
//
// URL is the server's endpoint (http://127.0.0.1:PORT/mcp). With TOKEN
// (HOTPATH_MCP_AUTH_TOKEN of the target) the client sends it as a Bearer
// token, and it also checks that a client without it, or with a wrong one,
// is refused with 401. --function names a measured function the target
// must report, --calls how many calls it must have made.
//
// Exits 0 when every check passed, 1 when one failed, 2 on bad usage.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ErrorCode, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';

// The SDK's exports map does not include its package.json.
const SDK_VERSION = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json',
                                                    import.meta.url))).version;

// Tools every hotpath-glib server lists (one per section, *_logs where the
// section keeps per-item logs), whether or not the target collects them.
const EXPECTED_TOOLS = [
  'functions_timing', 'functions_timing_logs',
  'functions_alloc', 'functions_alloc_logs',
  'channels', 'channels_logs',
  'futures', 'futures_logs',
  'sources', 'sources_logs',
  'main_loop', 'main_loop_logs',
];

function usage (message) {
  process.stderr.write(`check-mcp-client.mjs: ${message}\n` +
                       'usage: node check-mcp-client.mjs URL [TOKEN] [--function NAME] [--calls N]\n');
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      function: { type: 'string' },
      calls: { type: 'string' },
    },
  });
} catch (error) {
  usage(error.message);
}
if (args.positionals.length < 1 || args.positionals.length > 2)
  usage('expected the MCP URL and at most a token');

let url;
try {
  url = new URL(args.positionals[0]);
} catch {
  usage(`not a URL: ${args.positionals[0]}`);
}
const token = args.positionals[1];
const expectedFunction = args.values.function;
const expectedCalls = args.values.calls !== undefined ? Number(args.values.calls) : undefined;
if (expectedCalls !== undefined && !Number.isInteger(expectedCalls))
  usage(`--calls must be an integer: ${args.values.calls}`);

// TAP -------------------------------------------------------------------

const tests = [];
function test (name, fn) {
  tests.push({ name, fn });
}

class Skip extends Error {}
function skip (reason) {
  throw new Skip(reason);
}

function assert (condition, message) {
  if (!condition)
    throw new Error(message);
}

function diag (text) {
  for (const line of String(text).split('\n'))
    process.stdout.write(`# ${line}\n`);
}

// The client under test -----------------------------------------------------

function newClient (authorization) {
  const headers = authorization !== undefined ? { Authorization: authorization } : {};
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  const client = new Client({ name: 'hotpath-glib-check-mcp-client', version: '1.0.0' });
  const errors = [];

  client.onerror = (error) => errors.push(error);
  return { client, transport, errors };
}

// Connecting without the right token must fail with the server's 401,
// surfaced by the SDK as a StreamableHTTPError.
async function expectUnauthorized (authorization) {
  const { client, transport } = newClient(authorization);
  let caught;

  try {
    await client.connect(transport);
  } catch (error) {
    caught = error;
  } finally {
    await client.close().catch(() => {});
  }
  assert(caught !== undefined, 'connect succeeded without the right token');
  assert(caught instanceof StreamableHTTPError, `expected a StreamableHTTPError, got ${caught}`);
  assert(caught.code === 401, `expected HTTP 401, got ${caught.code}: ${caught.message}`);
  diag(caught.message);
}

// The checks ---------------------------------------------------------------

const session = newClient(token !== undefined ? `Bearer ${token}` : undefined);
const { client, transport } = session;
let tools = [];
let timingJson;

// Text results are the formatted text an LLM reads, then the raw JSON the
// HTTP route serves (tests/test-mcp.c checks their details).
function textOf (result) {
  assert(Array.isArray(result.content) && result.content.length > 0, 'result has no content');
  for (const item of result.content)
    assert(item.type === 'text' && typeof item.text === 'string', `content item is not text: ${JSON.stringify(item)}`);
  return result.content[0].text;
}

function jsonOf (result) {
  const last = result.content[result.content.length - 1].text;
  const start = last.indexOf('{');

  assert(start >= 0, 'no JSON in the result');
  return JSON.parse(last.slice(start));
}

if (token !== undefined) {
  test('a client without the token gets HTTP 401 as an error', () => expectUnauthorized(undefined));
  test('a client with a wrong token gets HTTP 401 as an error', () => expectUnauthorized('Bearer wrong-token'));
}

test(`the SDK client (@modelcontextprotocol/sdk ${SDK_VERSION}) connects over Streamable HTTP`, async () => {
  await client.connect(transport);
});

test('the protocol version is negotiated', () => {
  const version = transport.protocolVersion;

  diag(`negotiated ${version}`);
  assert(typeof version === 'string', 'no negotiated protocol version');
  assert(SUPPORTED_PROTOCOL_VERSIONS.includes(version), `the SDK does not support ${version}`);
  // hotpath-glib answers its newest version when asked for one it does not know.
  assert(version >= '2025-06-18', `negotiated an old version: ${version}`);
});

test('the server says who it is and that it has tools', () => {
  const info = client.getServerVersion();
  const capabilities = client.getServerCapabilities();

  diag(`server ${JSON.stringify(info)}`);
  assert(info?.name === 'hotpath-glib', `server name is ${info?.name}`);
  assert(typeof info.version === 'string' && info.version.length > 0, 'no server version');
  assert(capabilities?.tools !== undefined, 'no tools capability');
  assert((client.getInstructions() ?? '').includes('functions_timing'), 'instructions do not mention functions_timing');
});

test('tools/list lists the section and logs tools', async () => {
  ({ tools } = await client.listTools());
  const names = tools.map((tool) => tool.name);

  diag(`tools: ${names.join(' ')}`);
  for (const name of EXPECTED_TOOLS)
    assert(names.includes(name), `tool ${name} is missing`);
  for (const tool of tools) {
    assert(typeof tool.description === 'string' && tool.description.length > 40, `${tool.name} is not described`);
    assert(tool.inputSchema?.type === 'object', `${tool.name} has no object input schema`);
  }
  const logs = tools.find((tool) => tool.name === 'functions_timing_logs');
  assert(logs.inputSchema.properties?.id !== undefined, 'functions_timing_logs takes no id');
  assert((logs.inputSchema.required ?? []).includes('id'), 'functions_timing_logs does not require its id');
});

test('functions_timing names the target\'s functions with their calls', async () => {
  const result = await client.callTool({ name: 'functions_timing', arguments: {} });
  assert(result.isError !== true, `tool error: ${JSON.stringify(result.content)}`);
  const text = textOf(result);

  diag(text.split('\n').slice(0, 4).join('\n'));
  timingJson = jsonOf(result);
  assert(Array.isArray(timingJson.data) && timingJson.data.length > 0, 'no measured functions');
  for (const row of timingJson.data) {
    const calls = `${row.calls} call${row.calls === 1 ? '' : 's'}`;
    assert(text.includes(row.name), `${row.name} is not in the text`);
    assert(text.includes(calls), `"${calls}" (${row.name}) is not in the text`);
  }
  if (expectedFunction !== undefined) {
    const row = timingJson.data.find((r) => r.name === expectedFunction);
    assert(row !== undefined, `${expectedFunction} is not measured`);
    if (expectedCalls !== undefined)
      assert(row.calls === expectedCalls, `${expectedFunction} made ${row.calls} calls, expected ${expectedCalls}`);
    assert(new RegExp(`${expectedFunction.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b.*\\b${row.calls} calls?\\b`).test(text),
           `no line with ${expectedFunction} and its ${row.calls} calls`);
  }
});

test('functions_timing_logs gives the last calls of one function by id', async () => {
  if (timingJson === undefined)
    skip('functions_timing failed');
  const row = timingJson.data.find((r) => r.name === (expectedFunction ?? timingJson.data[0].name));
  const result = await client.callTool({ name: 'functions_timing_logs', arguments: { id: row.id } });
  assert(result.isError !== true, `tool error: ${JSON.stringify(result.content)}`);
  const text = textOf(result);

  diag(text.split('\n')[0]);
  assert(text.startsWith('Last ') && text.split('\n')[0].includes(` of ${row.name}`),
         `unexpected first line: ${text.split('\n')[0]}`);
  const logs = jsonOf(result);
  assert(logs.id === row.id && logs.name === row.name, `the logs JSON is about ${logs.name} (id ${logs.id})`);
  assert(Array.isArray(logs.logs) && logs.logs.length > 0, 'no calls logged');
  if (expectedCalls !== undefined)
    assert(logs.logs.length <= expectedCalls, `${logs.logs.length} calls logged, more than the ${expectedCalls} made`);
});

test('bad arguments get an InvalidParams error through the SDK', async () => {
  for (const params of [
    { name: 'functions_timing', arguments: { limit: 'three' } },
    { name: 'functions_timing_logs', arguments: {} },
    { name: 'no_such_tool', arguments: {} },
  ]) {
    let result, caught;

    try {
      result = await client.callTool(params);
    } catch (error) {
      caught = error;
    }
    if (caught !== undefined) {
      assert(caught instanceof McpError, `${params.name}: expected an McpError, got ${caught}`);
      assert(caught.code === ErrorCode.InvalidParams, `${params.name}: error code ${caught.code}, expected ${ErrorCode.InvalidParams}`);
      diag(`${JSON.stringify(params)}: ${caught.message}`);
    } else {
      // A tool error result is as good for a client.
      assert(result?.isError === true, `${JSON.stringify(params)} succeeded: ${JSON.stringify(result)}`);
      diag(`${JSON.stringify(params)}: isError: ${textOf(result)}`);
    }
  }
});

test('a section the target does not collect is a tool error, not a failure', async () => {
  const result = await client.callTool({ name: 'functions_alloc', arguments: {} });

  // The live-target fixture does not link the allocation tracker.
  if (result.isError !== true)
    skip('the target collects allocations');
  assert(textOf(result).includes('is not available'), `unexpected text: ${textOf(result)}`);
});

test('ping', async () => {
  const answer = await client.ping();
  assert(answer !== undefined && Object.keys(answer).length === 0, `ping answered ${JSON.stringify(answer)}`);
});

test('the session saw no transport or protocol errors', () => {
  assert(session.errors.length === 0, `errors: ${session.errors.map(String).join('; ')}`);
});

test('the client closes', async () => {
  await client.close();
});

// Run -------------------------------------------------------------------

process.stdout.write(`1..${tests.length}\n`);
diag(`@modelcontextprotocol/sdk ${SDK_VERSION}, node ${process.version}, ${url}`);

let failed = 0;
for (const [i, { name, fn }] of tests.entries()) {
  try {
    await fn();
    process.stdout.write(`ok ${i + 1} - ${name}\n`);
  } catch (error) {
    if (error instanceof Skip) {
      process.stdout.write(`ok ${i + 1} - ${name} # SKIP ${error.message}\n`);
      continue;
    }
    failed++;
    process.stdout.write(`not ok ${i + 1} - ${name}\n`);
    if (error instanceof StreamableHTTPError && error.code > 0)
      diag(`HTTP status ${error.code}`);
    else if (error instanceof McpError)
      diag(`JSON-RPC error ${error.code}`);
    diag(error?.stack ?? String(error));
  }
}

await client.close().catch(() => {});
if (failed > 0)
  diag(`${failed} of ${tests.length} failed`);
process.exit(failed > 0 ? 1 : 0);
