// aipkg mcp against real MCP clients: the official TypeScript SDK client and the MCP Inspector CLI.
// SPDX-License-Identifier: MIT
//
// usage: node client-test.mjs CASE
//
// Environment: AIPKG (the binary), ROOT (a fixture root whose repository
// is local), SLOW_ROOT (one whose repository answers a file a second),
// AIPKG_APK (the apk double or a real apk), INSPECTOR (the Inspector's
// bin).  Every message the server sends is checked with the protocol
// schemas the SDK itself exports (@modelcontextprotocol/sdk/types.js).
// Prints "ok - WHAT" per check; exits 1 at the first failure.

import { execFile, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as mcp from '@modelcontextprotocol/sdk/types.js';

const { AIPKG, ROOT, SLOW_ROOT, INSPECTOR } = process.env;
const REVISIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

function ok(what) {
  console.log(`ok - ${what}`);
}

function check(cond, what) {
  if (!cond) throw new Error(`failed: ${what}`);
  ok(what);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, what, ms = 30000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function serverArgs(root) {
  return ['--root', root, '--allow-untrusted', 'mcp'];
}

/* ---- every message from the server, checked with the SDK's schemas ---- */

const RESULT_SCHEMAS = {
  initialize: mcp.InitializeResultSchema,
  ping: mcp.EmptyResultSchema,
  'tools/list': mcp.ListToolsResultSchema,
  'tools/call': mcp.CallToolResultSchema,
};

class Checker {
  constructor() {
    this.methods = new Map(); // request id -> method
    this.received = [];
    this.problems = [];
  }

  sent(msg) {
    for (const m of Array.isArray(msg) ? msg : [msg])
      if (m.method && m.id !== undefined) this.methods.set(m.id, m.method);
  }

  message(m) {
    this.received.push(m);
    const envelope = mcp.JSONRPCMessageSchema.safeParse(m);
    if (!envelope.success) return this.problem(m, envelope.error);
    if ('method' in m) {
      if ('id' in m) return this.problem(m, 'aipkg sent a request, which it never should');
      const n = mcp.ServerNotificationSchema.safeParse(m);
      if (!n.success) this.problem(m, n.error);
    } else if ('result' in m) {
      const schema = RESULT_SCHEMAS[this.methods.get(m.id)];
      if (!schema) return this.problem(m, `a result for request ${m.id}, which was not asked`);
      const r = schema.safeParse(m.result);
      if (!r.success) this.problem(m, r.error);
    } else if (!mcp.JSONRPCErrorResponseSchema.safeParse(m).success) {
      this.problem(m, 'not an error response');
    }
  }

  problem(m, why) {
    this.problems.push(`${JSON.stringify(m).slice(0, 300)}: ${why}`);
  }

  done(what) {
    check(this.received.length > 0 && this.problems.length === 0,
          `${what}: all ${this.received.length} messages valid by the SDK's schemas` +
          (this.problems.length ? `\n${this.problems.join('\n')}` : ''));
  }
}

/* The SDK's stdio transport, every message it receives checked first. */
function checkedTransport(root, checker) {
  const transport = new StdioClientTransport({
    command: AIPKG, args: serverArgs(root), env: { ...process.env }, stderr: 'pipe',
  });
  const send = transport.send.bind(transport);
  transport.send = (msg, opts) => {
    checker.sent(msg);
    return send(msg, opts);
  };
  let inner;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get: () => inner && ((m, extra) => { checker.message(m); inner(m, extra); }),
    set: (fn) => { inner = fn; },
  });
  return transport;
}

async function sdkClient(root, checker) {
  const client = new Client({ name: 'aipkg-test', version: '1.0.0' });
  const transport = checkedTransport(root, checker);
  const stderr = [];
  transport.stderr?.on('data', (d) => stderr.push(d));
  await client.connect(transport);
  return { client, stderr };
}

/* A session without the SDK's transport, for what it cannot send (another
 * revision than its newest, a batch): lines in, lines out. */
class RawSession {
  constructor(root, checker) {
    this.checker = checker;
    this.child = spawn(AIPKG, serverArgs(root), { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    createInterface({ input: this.child.stdout }).on('line', (l) => this.lines.push(JSON.parse(l)));
  }

  send(msg) {
    this.checker.sent(msg);
    this.child.stdin.write(`${JSON.stringify(msg)}\n`);
  }

  async reply(id) {
    const find = () => this.lines.find((m) => !Array.isArray(m) && m.id === id);
    await until(find, `the answer to ${id}`);
    return find();
  }

  async close() {
    this.child.stdin.end();
    await new Promise((r) => this.child.on('close', r));
    for (const m of this.lines)
      for (const one of Array.isArray(m) ? m : [m]) this.checker.message(one);
  }
}

/* ---- the cases ---- */

async function handshake() {
  const checker = new Checker();
  for (const rev of REVISIONS) {
    check(mcp.SUPPORTED_PROTOCOL_VERSIONS.includes(rev), `the SDK knows revision ${rev}`);
    const s = new RawSession(ROOT, checker);
    s.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: rev, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const init = await s.reply(1);
    check(init.result?.protocolVersion === rev, `initialize at ${rev} is answered with ${rev}`);
    s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    s.send({ jsonrpc: '2.0', id: 3, method: 'ping' });
    s.send({ jsonrpc: '2.0', id: 4, method: 'tools/call',
             params: { name: 'pkg_search', arguments: { query: 'cmd:dig' } } });
    check((await s.reply(2)).result.tools.length > 5, `tools/list at ${rev}`);
    check('result' in (await s.reply(3)), `ping at ${rev}`);
    const found = await s.reply(4);
    check(found.result.structuredContent.packages[0].name === 'bind-tools',
          `tools/call pkg_search at ${rev}`);
    if (rev === '2025-03-26') {
      const batch = [
        { jsonrpc: '2.0', id: 5, method: 'ping' },
        { jsonrpc: '2.0', id: 6, method: 'tools/call',
          params: { name: 'pkg_info', arguments: { package: 'nginx' } } },
      ];
      s.send(batch);
      await until(() => s.lines.some(Array.isArray), 'the answer to the batch');
      const answer = s.lines.find(Array.isArray);
      check(answer.length === 2 && answer.every((m) => m.id === 5 || m.id === 6),
            'a batch under 2025-03-26 is answered with one array');
    }
    await s.close();
  }
  // the SDK's own client, at its newest revision
  const { client } = await sdkClient(ROOT, checker);
  check(client.getServerVersion()?.name === 'aipkg', 'the SDK client connects');
  await client.close();
  checker.done('handshakes');
}

function compileEverywhere(schema, what) {
  for (const Validator of [Ajv, Ajv2020]) {
    const ajv = new Validator({ strict: true, allErrors: true });
    ajv.compile(schema);
  }
  ok(`${what} compiles with ajv (draft-07 and 2020-12, strict)`);
}

async function tools() {
  const checker = new Checker();
  const { client } = await sdkClient(ROOT, checker);
  const { tools: list } = await client.listTools();
  check(list.length >= 15, `tools/list offers ${list.length} tools`);
  for (const t of list) {
    check(NAME_PATTERN.test(t.name), `${t.name} matches ${NAME_PATTERN}`);
    check(typeof t.title === 'string' && t.title.length > 0, `${t.name} has a title`);
    compileEverywhere(t.inputSchema, `${t.name}'s inputSchema`);
    if (t.outputSchema) compileEverywhere(t.outputSchema, `${t.name}'s outputSchema`);
  }
  // each tool called; the SDK checks structuredContent against the
  // outputSchema itself, and throws when it does not match
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args });
    ok(`${name} ${JSON.stringify(args)} answered (isError ${r.isError})`);
    return r;
  };
  const refused = await call('pkg_install', { packages: ['nginx'] });
  check(refused.isError && refused.structuredContent.error.code === 'refused' &&
        refused.structuredContent.plan.changes.some((c) => c.name === 'nginx'),
        'an unconfirmed install changes nothing and returns the plan');
  const installed = await call('pkg_install', { packages: ['nginx'], confirm: true });
  check(!installed.isError && installed.structuredContent.changes.some(
    (c) => c.name === 'nginx' && c.action === 'install'), 'a confirmed install installs');
  check((await call('pkg_info', { package: 'nginx' })).structuredContent.installed === true,
        'pkg_info sees nginx installed');
  check((await call('pkg.search', { query: 'cmd:dig' })).structuredContent.packages[0].name ===
        'bind-tools', 'the dotted name pkg.search still works');
  await call('pkg_search', { query: 'nginx', description: true });
  check((await call('pkg_who_owns', { paths: ['/usr/sbin/nginx'] }))
    .structuredContent.owners[0].package === 'nginx', 'pkg_who_owns names nginx');
  await call('pkg_list', { filter: 'installed' });
  check(!(await call('pkg_lock', { package: 'nginx', confirm: true })).isError, 'pkg_lock');
  check(!(await call('pkg_unlock', { package: 'nginx', confirm: true })).isError, 'pkg_unlock');
  check(!(await call('pkg_update', { confirm: true })).isError, 'pkg_update');
  check(!(await call('pkg_install', { packages: ['htop'], confirm: true })).isError,
        'pkg_install htop');
  check(!(await call('pkg_remove', { packages: ['htop'], confirm: true })).isError,
        'pkg_remove htop');
  check(!(await call('pkg_rollback', { confirm: true })).isError, 'pkg_rollback');
  const history = await call('pkg_history', {});
  check(history.structuredContent.transactions.length >= 6, 'pkg_history lists them');
  await call('pkg_recover', {});
  check((await call('pkg_doctor', {})).structuredContent.healthy !== undefined, 'pkg_doctor');
  check((await call('pkg_doctor_fix', {})).structuredContent.error.code === 'refused',
        'an unconfirmed pkg_doctor_fix changes nothing');
  await call('pkg_agent_status', {});
  await call('pkg_update_plan', {});
  await call('pkg_check_vuln', {}); // no security database here: an error result, also checked
  check(!(await call('pkg_ask', { request: 'a web server', dry_run: true, offline: true }))
    .isError, 'pkg_ask plans offline');
  await client.close();
  checker.done('every tool');
}

async function progress() {
  const checker = new Checker();
  const { client } = await sdkClient(SLOW_ROOT, checker);
  const events = [];
  const t0 = Date.now();
  // the SDK gives up after 4 s without progress: the install takes longer
  const pending = client.callTool(
    { name: 'pkg_install', arguments: { packages: ['nginx'], confirm: true } }, undefined,
    { onprogress: (p) => events.push({ ...p, at: Date.now() }), timeout: 4000,
      resetTimeoutOnProgress: true });
  await until(() => events.length > 0, 'a first progress notification');
  ok(`progress: ${events[0].message}`);
  const p0 = performance.now();
  await client.ping();
  const pingMs = performance.now() - p0;
  check(pingMs < 200, `a ping during the install is answered in ${pingMs.toFixed(1)} ms`);
  const result = await pending;
  const took = Date.now() - t0;
  check(!result.isError, `the slow install succeeded after ${took} ms (timeout 4000 ms)`);
  check(took > 4000, 'it outlived the request timeout thanks to the progress notifications');
  check(events.length >= 3, `${events.length} progress notifications`);
  check(events.every((e, i) => i === 0 || e.progress > events[i - 1].progress),
        'their progress values increase');
  check(events.some((e) => /Installing nginx/.test(e.message ?? '')),
        'one says what apk installs');
  const gaps = events.slice(1).map((e, i) => e.at - events[i].at);
  check(Math.max(...gaps) < 4000, `at most ${Math.max(...gaps)} ms between notifications`);
  await client.close();
  checker.done('a slow install');
}

async function cancel() {
  const checker = new Checker();
  const { client } = await sdkClient(SLOW_ROOT, checker);
  const before = (await client.callTool({ name: 'pkg_list', arguments: {} }))
    .structuredContent.packages.map((p) => p.name).sort();
  const ac = new AbortController();
  const events = [];
  const pending = client.callTool(
    { name: 'pkg_install', arguments: { packages: ['curl', 'busybox', 'telnet-a'], confirm: true } },
    undefined,
    { signal: ac.signal, onprogress: (p) => events.push(p) });
  await until(() => events.some((e) => /Installing/.test(e.message ?? '')), 'apk at work');
  const callId = [...checker.methods.entries()].filter(([, m]) => m === 'tools/call').pop()[0];
  ac.abort('the user changed their mind');
  let error;
  try {
    await pending;
  } catch (e) {
    error = e;
  }
  check(error !== undefined, `the SDK gave up on the call: ${error}`);
  // calls run one at a time: this one is answered after the cancelled call ended
  const history = await client.callTool({ name: 'pkg_history', arguments: { limit: 1 } });
  const op = history.structuredContent.transactions[0];
  check(op.status === 'failed' && op.changes.length === 0,
        `the journal records operation ${op.id} as ${op.status}, with no change`);
  const after = (await client.callTool({ name: 'pkg_list', arguments: {} }))
    .structuredContent.packages.map((p) => p.name).sort();
  check(JSON.stringify(after) === JSON.stringify(before), 'the cancelled install changed nothing');
  check(!checker.received.some((m) => m.id === callId && !('method' in m)),
        'no answer followed the cancellation');
  await client.close();
  checker.done('a cancelled install');
}

async function inspector() {
  const run = async (...args) => {
    const { stdout } = await promisify(execFile)(
      INSPECTOR, ['--cli', AIPKG, ...serverArgs(ROOT), ...args], { env: process.env });
    return JSON.parse(stdout);
  };
  const { tools: list } = await run('--method', 'tools/list');
  check(list.every((t) => NAME_PATTERN.test(t.name)) && list.length >= 15,
        `the Inspector lists ${list.length} tools, every name matching ${NAME_PATTERN}`);
  const found = await run('--method', 'tools/call', '--tool-name', 'pkg_search',
                          '--tool-arg', 'query=cmd:dig');
  check(found.structuredContent.packages[0].name === 'bind-tools',
        'the Inspector calls pkg_search');
  const info = await run('--method', 'tools/call', '--tool-name', 'pkg_info',
                         '--tool-arg', 'package=nginx');
  check(info.isError === false && info.structuredContent.name === 'nginx',
        'the Inspector calls pkg_info');
}

const cases = { handshake, tools, progress, cancel, inspector };
const which = process.argv[2];
if (!cases[which]) {
  console.error(`usage: client-test.mjs ${Object.keys(cases).join('|')}`);
  process.exit(2);
}
try {
  await cases[which]();
} catch (e) {
  console.log(`not ok - ${e.stack ?? e}`);
  process.exit(1);
}
process.exit(0);
