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

// MB/s by the wall clock and by process CPU time (user+system, which
// stays meaningful when other processes share the machine), as the Go
// benchmark reports them.
for (let i = 0; i < 3; i++) pass(); // warm up the JIT
const wall = [], cpu = [];
for (let r = 0; r < 5; r++) {
  const start = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let n = 0;
  do { pass(); n++; } while (process.hrtime.bigint() - start < 1_000_000_000n);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const c = process.cpuUsage(c0);
  wall.push(bytes * n / secs / 1e6);
  cpu.push(bytes * n / ((c.user + c.system) / 1e6) / 1e6);
}
const median = (a) => a.sort((x, y) => x - y)[2].toFixed(2);
console.log(`marklassian ${docs.length} docs ${bytes} bytes median ${median(wall)} MB/s ${median(cpu)} cpu-MB/s`);
