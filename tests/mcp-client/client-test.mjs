// aipkg mcp against real MCP clients: the official TypeScript SDK client and the MCP Inspector CLI.
// SPDX-License-Identifier: MIT
//
// usage: node client-test.mjs CASE
//
// Environment: AIPKG (the binary), ROOT (a fixture root whose repository
// is local), SLOW_ROOT (one whose mirror sends each file over a second),
// GATED_ROOT and GATE (a root whose repository answers nothing until the
// file GATE exists: the test opens the gate when it is ready, no race with
// a clock), AIPKG_APK (the apk double or a real apk), INSPECTOR (the
// Inspector's bin).  Every message the server sends is checked with the protocol
// schemas the SDK itself exports (@modelcontextprotocol/sdk/types.js).
// Prints "ok - WHAT" per check; exits 1 at the first failure.

import { execFile, spawn } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as mcp from '@modelcontextprotocol/sdk/types.js';

const { AIPKG, ROOT, SLOW_ROOT, GATED_ROOT, GATE, INSPECTOR } = process.env;
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

/*
 * What the strictest function-calling APIs accept as a tool's input schema
 * (the MCP client hands it on as it is): the Anthropic Messages API
 * refuses oneOf, allOf and anyOf at the top level ("input_schema does not
 * support oneOf, allOf, or anyOf at the top level"), OpenAI's wants
 * "type": "object" at the top with "properties" ("object schema missing
 * properties"), a "type" in every property ("schema must have a 'type'
 * key") and "items" in every array ("array schema missing items").
 */
function functionCallingProblems(schema) {
  const problems = [];
  if (schema.type !== 'object') problems.push('the top level is not "type": "object"');
  if (typeof schema.properties !== 'object') problems.push('the top level has no "properties"');
  for (const k of ['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', '$ref', 'enum'])
    if (k in schema) problems.push(`"${k}" at the top level`);
  const walk = (s, at) => {
    if (!('type' in s)) problems.push(`${at} has no "type"`);
    if (s.type === 'array' && !s.items) problems.push(`${at} is an array without "items"`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
    if (s.items) walk(s.items, `${at}[]`);
  };
  walk(schema, 'arguments');
  return problems;
}

/* Arguments that make sense for each tool on the fixtures, and a second
 * set that the schema refuses. */
const GOOD_ARGS = {
  pkg_search: { query: 'cmd:dig' },
  pkg_info: { package: 'nginx' },
  pkg_who_owns: { paths: ['/usr/sbin/nginx'] },
  pkg_ask: { request: 'a web server', dry_run: true, offline: true },
  pkg_install: { packages: ['nginx'] },
  pkg_remove: { packages: ['nginx'] },
  pkg_lock: { package: 'nginx' },
  pkg_unlock: { package: 'nginx' },
};
const badArgs = (t) => {
  const good = GOOD_ARGS[t.name] ?? {};
  return [{ ...good, no_such_argument: 1 }, { ...good, confirm: 'yes please' },
          ...(t.inputSchema.required?.length ? [{}] : [])];
};

const dotted = (name) => name.replace(/^pkg_/, 'pkg.');

async function tools() {
  const checker = new Checker();
  const { client } = await sdkClient(ROOT, checker);
  check(client.getServerCapabilities()?.tools !== undefined, 'the server offers tools');
  const { tools: list } = await client.listTools();
  check(list.length >= 15, `tools/list offers ${list.length} tools`);
  for (const t of list) {
    check(NAME_PATTERN.test(t.name), `${t.name} matches ${NAME_PATTERN}`);
    check(typeof t.title === 'string' && t.title.length > 0, `${t.name} has a title`);
    compileEverywhere(t.inputSchema, `${t.name}'s inputSchema`);
    const problems = functionCallingProblems(t.inputSchema);
    check(problems.length === 0, `${t.name}'s inputSchema is one the Anthropic and OpenAI ` +
          `function-calling APIs accept${problems.length ? `: ${problems.join('; ')}` : ''}`);
    if (t.outputSchema) compileEverywhere(t.outputSchema, `${t.name}'s outputSchema`);
  }
  // The SDK checks structuredContent against the outputSchema itself and
  // throws when it does not match: count what it really checked, so that
  // every tool's result is seen to pass through its validator.
  const validated = new Map();
  const validatorOf = client.getToolOutputValidator.bind(client);
  client.getToolOutputValidator = (name) => {
    const v = validatorOf(name);
    return v && ((content) => {
      const r = v(content);
      if (r.valid) validated.set(name, (validated.get(name) ?? 0) + 1);
      return r;
    });
  };
  const called = new Set();
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args });
    called.add(name);
    ok(`${name} ${JSON.stringify(args)} answered (isError ${r.isError})`);
    return r;
  };
  // first a proof that the SDK's check bites: an outputSchema that asks for
  // a member aipkg never sends makes the same call throw
  const search = list.find((t) => t.name === 'pkg_search');
  const stricter = structuredClone(search.outputSchema);
  stricter.required = [...(stricter.required ?? []), 'no_such_member'];
  client.cacheToolMetadata(list.map((t) => (t === search ? { ...t, outputSchema: stricter } : t)));
  let refusal;
  try {
    await client.callTool({ name: 'pkg_search', arguments: { query: 'nginx' } });
  } catch (e) {
    refusal = e;
  }
  check(/output schema/.test(String(refusal)),
        `the SDK refuses a result that does not match its outputSchema: ${refusal}`);
  client.cacheToolMetadata(list);

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

  // every tool, under both names, with arguments its schema refuses: a
  // result with isError (revision 2025-11-25), which the model can read
  // and correct, and nothing runs
  const journal = history.structuredContent.transactions.length;
  for (const t of list) {
    for (const name of [t.name, dotted(t.name)])
      for (const args of badArgs(t)) {
        const r = await call(name, args);
        check(r.isError && r.structuredContent.error.code === 'usage' &&
              r.structuredContent.error.exit === 2,
              `${name} ${JSON.stringify(args)} is refused: ${r.structuredContent.error.message}`);
      }
    // and good arguments under the dotted name answer as the other
    const args = GOOD_ARGS[t.name] ?? {};
    const [a, b] = [await call(t.name, args), await call(dotted(t.name), args)];
    if (!t.annotations?.readOnlyHint) {
      check(a.isError === b.isError && a.structuredContent.error?.code ===
            b.structuredContent.error?.code, `${t.name} and ${dotted(t.name)} answer alike`);
    } else if (t.name !== 'pkg_agent_status' && t.name !== 'pkg_doctor') {
      // (the agent's status and doctor's report carry the time they were made)
      check(JSON.stringify(a.structuredContent) === JSON.stringify(b.structuredContent),
            `${t.name} and ${dotted(t.name)} answer the same`);
    }
  }
  const after = await call('pkg_history', {});
  check(after.structuredContent.transactions.length === journal,
        'the refused and unconfirmed calls journalled nothing');
  for (const t of list) {
    check(called.has(t.name) && called.has(dotted(t.name)), `${t.name} was called, both names`);
    if (t.outputSchema)
      check(validated.get(t.name) >= 2,
            `the SDK validated ${validated.get(t.name)} of ${t.name}'s results against its outputSchema`);
  }
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

/* ---- the gated repository: apk waits at the gate until the test opens it ---- */

const openGate = () => writeFileSync(GATE, '');
const closeGate = () => rmSync(GATE, { force: true });

/* The call the client sent last with METHOD (its id), by the checker's record. */
const lastId = (checker, method) =>
  [...checker.methods.entries()].filter(([, m]) => m === method).pop()[0];

/* apk 2.14 mounts proc in --root while it works and unmounts it when it
 * stops on SIGINT, but not when SIGTERM kills it: nothing may be left
 * mounted there after a call was stopped. */
function nothingMountedIn(root) {
  const proc = statSync(`${root}/proc`, { throwIfNoEntry: false });
  check(!proc || proc.dev === statSync(root).dev, `nothing is left mounted on ${root}/proc`);
}

const installedNames = async (client) =>
  (await client.callTool({ name: 'pkg_list', arguments: {} }))
    .structuredContent.packages.map((p) => p.name).sort().join(' ');

/* A call that waits in line is cancelled before apk runs for it, the
 * running one while apk waits at the gate: neither changes anything, and
 * neither is answered. */
async function cancelGated() {
  const checker = new Checker();
  closeGate();
  const { client } = await sdkClient(GATED_ROOT, checker);
  const before = await installedNames(client);
  const events = [];
  const running = new AbortController();
  const waiting = new AbortController();
  const first = client.callTool(
    { name: 'pkg_install', arguments: { packages: ['curl'], confirm: true } }, undefined,
    { signal: running.signal, onprogress: (p) => events.push(p) });
  const firstId = lastId(checker, 'tools/call');
  const second = client.callTool(
    { name: 'pkg_install', arguments: { packages: ['htop'], confirm: true } }, undefined,
    { signal: waiting.signal });
  const secondId = lastId(checker, 'tools/call');
  await until(() => events.some((e) => /Installing/.test(e.message ?? '')), 'apk at the gate');
  waiting.abort('not this one after all');
  const [r2] = await Promise.allSettled([second]);
  check(r2.status === 'rejected', `the waiting call is given up: ${r2.reason}`);
  running.abort('nor this one');
  const [r1] = await Promise.allSettled([first]);
  check(r1.status === 'rejected', `the running call is given up: ${r1.reason}`);
  // calls run one at a time: this one is answered after the cancelled call ended
  const op = (await client.callTool({ name: 'pkg_history', arguments: { limit: 5 } }))
    .structuredContent.transactions;
  openGate();
  check(op.length >= 1 && op[0].status === 'failed' && op[0].changes.length === 0 &&
        /curl/.test(op[0].command), `the journal records the running call as failed, no change`);
  check(!op.some((o) => /htop/.test(o.command)), 'the waiting call never ran');
  check(await installedNames(client) === before, 'nothing was installed');
  nothingMountedIn(GATED_ROOT);
  check(!checker.received.some((m) => (m.id === firstId || m.id === secondId) && !('method' in m)),
        'neither cancelled call was answered');
  await client.close();
  checker.done('cancelled before and during apk');
}

/* The client goes away while apk waits at the gate, as the SDK's close()
 * does it: stdin closed, SIGTERM 2 s later, SIGKILL 2 s after that. */
async function disconnect() {
  const checker = new Checker();
  closeGate();
  const { client } = await sdkClient(GATED_ROOT, checker);
  const before = await installedNames(client);
  const events = [];
  const pending = client.callTool(
    { name: 'pkg_install', arguments: { packages: ['lighttpd'], confirm: true } }, undefined,
    { onprogress: (p) => events.push(p) }).catch((e) => e);
  await until(() => events.some((e) => /Installing/.test(e.message ?? '')), 'apk at the gate');
  const server = client.transport._process;
  const exited = new Promise((r) => server.once('exit', (code, signal) => r({ code, signal })));
  const t0 = Date.now();
  await client.close();
  const { code, signal } = await exited;
  const took = Date.now() - t0;
  // (the SDK's SIGTERM stops apk as Ctrl-C does, and aipkg exits 130 as
  // any command a signal stopped)
  check(signal === null && code === 130,
        `the server ended (code ${code}) after ${took} ms, before the client had to kill it`);
  check(String(await pending).length > 0, 'the client gave up its call');
  openGate();
  const after = await sdkClient(GATED_ROOT, checker);
  const op = (await after.client.callTool({ name: 'pkg_history', arguments: { limit: 1 } }))
    .structuredContent.transactions[0];
  check(/lighttpd/.test(op.command) && op.status === 'failed' && op.changes.length === 0,
        `the journal records the install as ${op.status}, with no change`);
  check(await installedNames(after.client) === before, 'nothing was installed');
  nothingMountedIn(GATED_ROOT);
  await after.client.close();
  checker.done('a client that goes away');
}

/* A raw session on the gated root: stdin closed while apk waits, and the
 * client still reading; then one that stops reading (stdout closed). */
async function halfClosed() {
  const checker = new Checker();
  closeGate();
  const init = (s, rev) => s.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    protocolVersion: rev, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  // stdin closed: the call that runs is finished and answered, then the server ends
  let s = new RawSession(GATED_ROOT, checker);
  init(s, '2025-06-18');
  s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {
    name: 'pkg_install', arguments: { packages: ['htop'], confirm: true },
    _meta: { progressToken: 'p' } } });
  await until(() => s.lines.some((m) => /Installing/.test(m.params?.message ?? '')), 'apk at the gate');
  const closed = s.close();
  openGate();
  await closed;
  const answer = s.lines.find((m) => m.id === 2);
  check(answer?.result?.isError === false, 'with stdin closed, the running install is finished and answered');
  // stdout closed: no SIGPIPE; the running call ends as it would, what waits does not run
  closeGate();
  s = new RawSession(GATED_ROOT, checker);
  init(s, '2025-06-18');
  s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {
    name: 'pkg_install', arguments: { packages: ['telnet-a'], confirm: true },
    _meta: { progressToken: 'q' } } });
  await until(() => s.lines.some((m) => /Installing/.test(m.params?.message ?? '')), 'apk at the gate');
  s.child.stdout.destroy();
  s.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: {
    name: 'pkg_install', arguments: { packages: ['busybox'], confirm: true } } });
  const exited = new Promise((r) => s.child.once('exit', (code, signal) => r({ code, signal })));
  openGate();
  s.child.stdin.end();
  const { code, signal } = await exited;
  check(signal === null && code === 0, `with stdout closed the server ends by itself (code ${code}, signal ${signal})`);
  const after = await sdkClient(GATED_ROOT, checker);
  const ops = (await after.client.callTool({ name: 'pkg_history', arguments: { limit: 2 } }))
    .structuredContent.transactions;
  check(/telnet-a/.test(ops[0].command) && ops[0].status === 'committed',
        `the install whose client stopped reading is journalled ${ops[0].status}`);
  check(!ops.some((o) => /busybox/.test(o.command)), 'the call sent after it never ran');
  const names = ` ${await installedNames(after.client)} `;
  check(names.includes(' htop ') && names.includes(' telnet-a ') && !names.includes(' busybox '),
        'the installed packages are what the journal says');
  await after.client.close();
  checker.done('half-closed sessions');
}

/* What a client may send that it should not: too much at once, too big,
 * batches, garbage. */
async function limits() {
  const checker = new Checker();
  closeGate();
  const { client } = await sdkClient(GATED_ROOT, checker);
  // a 2 MiB request: refused by its id at once, not left to time out
  const t0 = Date.now();
  let big;
  try {
    await client.callTool({ name: 'pkg_search', arguments: { query: 'x'.repeat(2 << 20) } },
                          undefined, { timeout: 20000 });
  } catch (e) {
    big = e;
  }
  check(/message too large/.test(String(big)) && Date.now() - t0 < 10000,
        `a 2 MiB request is refused in ${Date.now() - t0} ms: ${big}`);
  await client.ping();
  ok('the session goes on after it');
  // a call held at the gate, and more calls than may wait behind it
  const events = [];
  const held = client.callTool(
    { name: 'pkg_install', arguments: { packages: ['bind-tools'], confirm: true } }, undefined,
    { onprogress: (p) => events.push(p) });
  await until(() => events.length > 0, 'apk at the gate');
  const MAX = 64;
  const busy = [];
  const flood = Array.from({ length: MAX + 6 }, () =>
    client.callTool({ name: 'pkg_info', arguments: { package: 'nginx' } }).catch((e) => {
      busy.push(e);
      return e;
    }));
  const pings = Array.from({ length: 500 }, () => client.ping());
  await Promise.all(pings);
  ok('500 pings are answered while a call runs and 70 wait');
  await until(() => busy.length === 6, 'the calls beyond the queue refused');
  check(busy.every((e) => /server busy/.test(String(e))),
        `the ${busy.length} calls beyond the ${MAX} waiting are refused at once: ${busy[0]}`);
  openGate();
  const heldResult = await held;
  check(!heldResult.isError, `the held install ends well: ${JSON.stringify(heldResult.structuredContent.error ?? '')}`);
  const answered = await Promise.all(flood);
  check(answered.filter((r) => !(r instanceof Error) && !r.isError).length === MAX,
        `the ${MAX} that waited are answered`);
  await client.close();
  // batches, at the revision that has them, and garbage, on raw lines
  const s = new RawSession(ROOT, checker);
  s.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  await s.reply(1);
  s.send([
    { jsonrpc: '2.0', id: 10, method: 'ping' },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'pkg_info', arguments: { package: 'nginx' } } },
    { jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } },
    { jsonrpc: '2.0', id: 13, method: 'tools/call', params: { name: 'pkg.search', arguments: { query: 7 } } },
  ]);
  checker.sent({ id: 14, method: 'tools/call' });
  checker.sent({ id: 15, method: 'ping' });
  s.child.stdin.write(Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
  s.child.stdin.write('{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"pkg_search","arguments":{"query":"');
  s.child.stdin.write(Buffer.from([0xc3, 0x28]));
  s.child.stdin.write('"}}}\n{"jsonrpc":"2.0","id":15,"method":"ping"}\n');
  await s.reply(15);
  await until(() => s.lines.some(Array.isArray), 'the answer to the batch');
  const batch = s.lines.find(Array.isArray);
  check(batch.map((m) => m.id).sort().join() === '10,11,12,13' &&
        batch.find((m) => m.id === 11).result.structuredContent.name === 'nginx' &&
        batch.find((m) => m.id === 12).error.code === -32602 &&
        batch.find((m) => m.id === 13).error.code === -32602,
        'a batch under 2025-03-26: one array, an answer per request, none for the notification');
  check((await s.reply(14)).error?.code === -32700, 'invalid UTF-8 is a parse error answered by its id');
  await s.close();
  checker.done('limits');
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
  const dotted = await run('--method', 'tools/call', '--tool-name', 'pkg.info',
                           '--tool-arg', 'package=nginx');
  check(JSON.stringify(dotted.structuredContent) === JSON.stringify(info.structuredContent),
        'the Inspector calls it as pkg.info too, with the same answer');
  const bad = await run('--method', 'tools/call', '--tool-name', 'pkg_info',
                        '--tool-arg', 'package=nginx', '--tool-arg', 'confirm=yes');
  check(bad.isError === true && bad.structuredContent.error.code === 'usage',
        `bad arguments from the Inspector are a tool error: ${bad.structuredContent.error.message}`);
}

const cases = {
  handshake, tools, progress, inspector, cancelGated, disconnect, halfClosed, limits,
};
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
