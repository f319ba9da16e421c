// Validates an AsyncAPI document with @asyncapi/parser (the library under @asyncapi/cli's
// `validate`, without the CLI's install weight): the spec's JSON schema plus the parser's
// Spectral ruleset. Errors and warnings fail; the file's external $refs are resolved.
// Usage: node validate-asyncapi.mjs docs/asyncapi.yaml
import { resolve } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';

const SEVERITY = ['error', 'warning', 'info', 'hint'];

const path = resolve(process.argv[2] ?? '');
const { document, diagnostics } = await fromFile(new Parser(), path).parse();
let problems = 0;
for (const d of diagnostics) {
  const where = d.range ? `${d.range.start.line + 1}:${d.range.start.character + 1}` : '?';
  if (d.severity > 1) continue; // infos and hints, e.g. "a newer AsyncAPI version exists"
  console.log(`${SEVERITY[d.severity] ?? d.severity} ${where} ${d.code}: ${d.message} (at ${d.path.join('/')})`);
  if (d.severity <= 1) problems++;
}
if (!document || problems > 0) {
  console.log(`${path}: ${problems} problem(s)`);
  process.exit(1);
}
const messages = document.allMessages().length;
const operations = document.allOperations().length;
console.log(`${path}: valid AsyncAPI ${document.version()}, ${operations} operations, ${messages} messages`);
