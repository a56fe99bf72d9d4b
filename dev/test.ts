/**
 * `npm test`: the formatter/linter, the type checker, then every vitest project
 * (Workers runtime + Node), ending with one line `N passed, N failed` that CI reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

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
  };
  passed += json.numPassedTests;
  failed += json.numFailedTests + json.numPendingTests + json.numTodoTests;
  if (!vitestOk && json.numFailedTests === 0) failed++; // a suite failed to load or a hook failed
} catch {
  failed++;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
