// Issue 5, item 5: deploy/ is checked, not just shipped. promtool validates the Prometheus
// config and alert rules and runs the rules' unit tests; every metric the alerts and the Grafana
// dashboard query is one the real server exports; switchboard_ready follows readiness.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO, startServer, user, uniq, readyStaff, connectUser, createCall, action, expectStatus, poll,
} from './lib/harness.mjs';
import { parseMetrics } from './lib-ops.mjs';

const PROMTOOL = '/usr/bin/promtool';
const deploy = (...p) => join(REPO, 'deploy', ...p);

function promtool(...args) {
  const r = spawnSync(PROMTOOL, args, { cwd: deploy('prometheus'), encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

let srv;
before(async () => {
  // Webhooks to a closed port: deliveries fail and are counted, which is all this file needs.
  srv = await startServer(['--webhook-url', 'http://127.0.0.1:9/hook', '--webhook-secret', 'whsec-deploy-test']);
});
after(async () => {
  await srv?.stop();
});

test('promtool: prometheus.yml and alerts.yml are valid, and the alert unit tests pass', () => {
  for (const args of [['check', 'config', 'prometheus.yml'], ['check', 'rules', 'alerts.yml'], ['test', 'rules', 'alerts.test.yml']]) {
    const r = promtool(...args);
    assert.equal(r.code, 0, `promtool ${args.join(' ')}:\n${r.out}`);
  }
});

// Every switchboard_* name in a PromQL expression, with the _bucket/_count/_sum of histograms
// folded to the family name.
function metricNames(expressions) {
  const names = new Set();
  for (const e of expressions) {
    for (const [name] of e.matchAll(/\bswitchboard_[a-z_]+/g)) names.add(name.replace(/_(bucket|count|sum)$/, ''));
  }
  return names;
}

function grafanaExpressions() {
  const out = [];
  const walk = (o) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if (k === 'expr' && typeof v === 'string') out.push(v);
        else walk(v);
      }
    }
  };
  walk(JSON.parse(readFileSync(deploy('grafana', 'switchboard-dashboard.json'), 'utf8')));
  return out;
}

function alertExpressions() {
  const text = readFileSync(deploy('prometheus', 'alerts.yml'), 'utf8');
  return text.split('\n').filter((l) => !l.trim().startsWith('#'));
}

test('every metric the dashboard and the alerts query is exported by the server', async () => {
  // Make every labelled family appear: a call created, accepted, one signal relayed, connected
  // and ended, and a webhook delivery tried.
  const org = uniq('org');
  const st = user(org, 'staff');
  const client = user(org, 'client');
  const staffWs = await readyStaff(srv, st);
  const clientWs = await connectUser(srv, client);
  const c = await createCall(srv, client);
  expectStatus(await action(srv, st, c.id, 'accept'), 200);
  staffWs.send({ type: 'signal', call_id: c.id, kind: 'offer', data: { sdp: 'v=0' }, seq: 1 });
  await clientWs.waitType('signal');
  expectStatus(await action(srv, client, c.id, 'connected', { candidate_type: 'host' }), 200);
  expectStatus(await action(srv, client, c.id, 'end'), 200);
  await poll(async () => (await srv.request('GET', '/metrics')).text.includes('switchboard_webhook_deliveries_total{'), {
    timeoutMs: 8000,
    what: 'a webhook delivery attempt',
  });

  const metrics = await srv.request('GET', '/metrics');
  expectStatus(metrics, 200);
  const { types } = parseMetrics(metrics.text);
  const exported = new Set(Object.keys(types));
  const grafana = grafanaExpressions();
  assert.ok(grafana.length > 20, `the dashboard has queries (${grafana.length})`);
  const wanted = metricNames([...grafana, ...alertExpressions()]);
  const missing = [...wanted].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `queried but not exported: ${missing.join(', ')}`);
  for (const n of ['switchboard_store_operation_duration_seconds', 'switchboard_ready']) assert.ok(wanted.has(n), `${n} is on the dashboard or in an alert`);
});

test('switchboard_ready is 1 while /readyz is 200; store operations and syncs are counted', async () => {
  expectStatus(await srv.request('GET', '/readyz'), 200);
  const { samples, types } = parseMetrics((await srv.request('GET', '/metrics')).text);
  const value = (name) => samples.find((s) => s.name === name)?.value;
  assert.equal(value('switchboard_ready'), 1);
  assert.equal(types.switchboard_store_operation_duration_seconds, 'histogram');
  assert.ok(value('switchboard_store_operation_duration_seconds_count') > 5, 'store operations were counted');
  assert.equal(value('switchboard_store_errors_total'), 0, 'no storage errors');
  // The first test's call committed and was answered, so at least one sync made it durable.
  assert.equal(types.switchboard_store_syncs_total, 'counter');
  assert.ok(value('switchboard_store_syncs_total') >= 1, 'group commit syncs were counted');
});
