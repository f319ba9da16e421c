// Runs the matrix rows (rows.mjs) in the lab lab.sh built, NETLAB_PARALLEL at a time, then prints
// the table, writes it as JSON (netlab.json) and a log per failed row, and ends with
// "N passed, N failed". Runs inside the public namespace, as root (lab.sh starts it).
// Usage: node matrix.mjs <lab.json> [row ...]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfiles, formatTable } from './report.mjs';
import { ROWS } from './rows.mjs';

const ROW_TIMEOUT_MS = 120_000;

const lab = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const wanted = process.argv.slice(3);
const unknown = wanted.filter((w) => !ROWS.some((r) => r.name === w));
if (unknown.length) {
  console.error(
    `netlab: no row ${unknown.join(', ')} (rows: ${ROWS.map((r) => r.name).join(' ')})`,
  );
  process.exit(2);
}
const rows = wanted.length ? ROWS.filter((r) => wanted.includes(r.name)) : ROWS;
const parallel = Number(process.env.NETLAB_PARALLEL ?? 2);
mkdirSync(lab.out, { recursive: true });

async function runRow(row) {
  const result = {
    row: row.name,
    about: row.about,
    passed: false,
    connected: false,
    accept_to_media_s: null,
    staff_pair: null,
    client_pair: null,
    restart_s: null,
    fail_s: null,
    notes: [],
    seconds: null,
  };
  const ctx = { result, peers: [] };
  const writeConsoles = async (head) => {
    const consoles = [];
    for (const p of ctx.peers) {
      const dump = await p.dump().catch((err) => `(no stats: ${err.message})`);
      consoles.push(`--- ${p.name}\n${dump}\n${p.console.join('\n')}`);
    }
    writeFileSync(join(lab.out, `${row.name}-console.log`), `${head}\n${consoles.join('\n')}\n`);
  };
  const started = Date.now();
  let timer;
  try {
    await Promise.race([
      row.run(lab, ctx),
      new Promise((_, rej) => {
        timer = setTimeout(
          () => rej(new Error(`row timed out after ${(row.timeoutMs ?? ROW_TIMEOUT_MS) / 1000} s`)),
          row.timeoutMs ?? ROW_TIMEOUT_MS,
        );
      }),
    ]);
    result.passed = true;
    if (process.env.NETLAB_CONSOLE) await writeConsoles(`${row.name}: passed`);
  } catch (e) {
    result.error = e.message.split('\n')[0];
    await writeConsoles(e.stack);
  } finally {
    clearTimeout(timer);
    await Promise.all(ctx.peers.map((p) => p.close()));
  }
  result.seconds = (Date.now() - started) / 1000;
  console.log(
    `netlab: ${row.name}: ${result.passed ? 'ok' : `FAILED: ${result.error}`} (${result.seconds.toFixed(1)} s)`,
  );
  return result;
}

const results = [];
const queue = [...rows];
await Promise.all(
  Array.from({ length: Math.min(parallel, rows.length) }, async () => {
    while (queue.length) results.push(await runRow(queue.shift()));
  }),
);
results.sort(
  (x, y) =>
    rows.indexOf(rows.find((r) => r.name === x.row)) -
    rows.indexOf(rows.find((r) => r.name === y.row)),
);

console.log(`\n${formatTable(results)}\n`);
for (const r of results.filter((x) => x.profiles)) {
  console.log(
    `${r.row}: ICE profiles as the ops summary compares them\n${formatProfiles(r.profiles)}\n`,
  );
}
writeFileSync(join(lab.out, 'netlab.json'), `${JSON.stringify(results, null, 2)}\n`);
const passed = results.filter((r) => r.passed).length;
console.log(`netlab: report in ${join(lab.out, 'netlab.json')}`);
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
