/**
 * `npm test`: the formatter/linter, the type checker, then every vitest project
 * (Workers runtime + Node), ending with one line `N passed, N failed` that CI reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const bin = (name: string) => `node_modules/.bin/${name}`;
const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;

function step(name: string, cmd: string, args: string[]): boolean {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  console.log(ok ? `✔ ${name}` : `✘ ${name} (exit ${r.status ?? r.signal})`);
  return ok;
}

if (extra.length === 0) {
  for (const [name, cmd, args] of [
    ['lint', bin('biome'), ['check', '.']],
    ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ] as const) {
    if (step(name, cmd, [...args])) passed++;
    else failed++;
  }
}

/** The ten test files that took longest (wall time of each file), so CI time has names on it. */
function printSlowest(files: { name: string; startTime?: number; endTime?: number }[]) {
  const timed = files
    .map((f) => ({ name: relative(process.cwd(), f.name), ms: (f.endTime ?? 0) - (f.startTime ?? 0) }))
    .filter((f) => f.ms > 0)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  if (timed.length === 0) return;
  console.log('\nslowest test files:');
  for (const f of timed) console.log(`${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name}`);
}

mkdirSync('.tmp', { recursive: true });
const report = '.tmp/vitest-report.json';
const vitestOk = step('vitest', bin('vitest'), [
  'run',
  '--config',
  'test/vitest.config.ts',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...extra,
]);
try {
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults?: { name: string; startTime?: number; endTime?: number }[];
  };
  printSlowest(json.testResults ?? []);
  passed += json.numPassedTests;
  failed += json.numFailedTests + json.numPendingTests + json.numTodoTests;
  if (!vitestOk && json.numFailedTests === 0) failed++; // a suite failed to load or a hook failed
} catch {
  failed++;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
