// The project's documents are the source of truth: code and docs cite them as
// `docs/api.md#routing` or `[api.md](api.md#routing)`. Fails when a cited heading does not exist
// (a renamed heading would leave comments pointing nowhere), or when a citation of the external
// contract (`CONTRACT 11.2`, `CONTRACT.md section 3`) comes back instead of a project document.
// Usage: node check-doc-refs.mjs [repo root]; reads the files git tracks.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../..', import.meta.url)));
const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f && !f.includes('node_modules/') && f !== 'tools/api-docs/check-doc-refs.mjs')
  .filter((f) => /\.(md|ya?ml|json|cpp|hpp|ts|tsx|mjs|js|css|sh|sql)$/.test(f));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

const anchorsOf = new Map();
function anchors(file) {
  if (!anchorsOf.has(file)) {
    const found = new Set();
    let fenced = false;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.startsWith('```')) fenced = !fenced;
      const m = !fenced && /^#{1,6} (.*)/.exec(line);
      if (m) found.add(slug(m[1]));
    }
    anchorsOf.set(file, found);
  }
  return anchorsOf.get(file);
}

const problems = [];
const contractCitation = /CONTRACT(\.md)?( sections?)? \d/;
const reference = /([\w./-]*\.md)#([\w-]+)/g;
for (const file of files) {
  const text = readFileSync(path.join(root, file), 'utf8');
  text.split('\n').forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (contractCitation.test(line)) {
      problems.push(`${where}: cites CONTRACT.md; cite the project's document`);
    }
    for (const [, target, anchor] of line.matchAll(reference)) {
      // Relative to the citing file (markdown links), else to the repository (code comments).
      const candidates = [path.join(root, path.dirname(file), target), path.join(root, target)];
      const doc = candidates.find((c) => existsSync(c));
      if (!doc) problems.push(`${where}: ${target} does not exist`);
      else if (!anchors(doc).has(anchor)) problems.push(`${where}: ${target} has no heading #${anchor}`);
    }
  });
}

for (const p of problems) console.log(p);
console.log(`doc references: ${files.length} files read, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
