// Times marklassian (markdown -> ADF, then JSON.stringify) over every .md
// file in the corpus directory given as the first argument and prints MB/s.
'use strict';
const fs = require('fs');
const path = require('path');
const { markdownToAdf } = require('marklassian');

const dir = process.argv[2];
const docs = fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort()
  .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);

function pass() {
  let out = 0;
  for (const d of docs) out += JSON.stringify(markdownToAdf(d)).length;
  return out;
}

for (let i = 0; i < 3; i++) pass(); // warm up the JIT
const rounds = [];
for (let r = 0; r < 5; r++) {
  const start = process.hrtime.bigint();
  let n = 0;
  do { pass(); n++; } while (process.hrtime.bigint() - start < 1_000_000_000n);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  rounds.push(bytes * n / secs / 1e6);
}
rounds.sort((a, b) => a - b);
console.log(`marklassian ${docs.length} docs ${bytes} bytes median ${rounds[2].toFixed(2)} MB/s`);
