import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { FILE_SECONDS } from './longest-first-sequencer';

const SLOWEST = 12;

// Prints the plain closing line CI reads ("N passed, N failed, N skipped"), after the slowest
// files and each project's total: where CI's 15 minutes go.
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const files: { seconds: number; project: string; file: string }[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && !module.children.size) failed++;
      const d = module.diagnostic();
      files.push({
        seconds: (d.duration + d.collectDuration + d.setupDuration) / 1000,
        project: module.project.name,
        file: relative(process.cwd(), module.moduleId),
      });
    }
    if (process.env.RECORD_TEST_SECONDS) {
      const record = Object.fromEntries(
        files
          .map((f) => [`${f.project}:${f.file}`, Math.round(f.seconds * 10) / 10] as const)
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      writeFileSync(FILE_SECONDS, `${JSON.stringify(record, null, 2)}\n`);
    }
    const totals = new Map<string, number>();
    for (const f of files) totals.set(f.project, (totals.get(f.project) ?? 0) + f.seconds);
    const lines = [
      '',
      `slowest files (s, summed per file; projects: ${[...totals].map(([p, s]) => `${p} ${s.toFixed(0)}`).join(', ')}):`,
      ...files
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, SLOWEST)
        .map((f) => `  ${f.seconds.toFixed(1).padStart(6)}  ${f.project.padEnd(11)} ${f.file}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
