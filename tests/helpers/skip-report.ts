/**
 * A vitest reporter (vitest.config.ts, after the default one) that ends the run with how many tests were skipped and
 * why: the lines helpers/prerequisites.ts printed, each once, with the test files that gave it and how many of their
 * tests skipped. A skipped test in a file that printed no reason is listed as unexplained, and under
 * MOTIF_REQUIRE_ALL it fails the run: nothing skips silently.
 */
import path from 'node:path';
import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { REQUIRE_ALL, SKIP_MARK } from './prerequisites.ts';

export default class SkipReport implements Reporter {
  private vitest?: Vitest;
  private readonly reasons = new Map<string, Set<string>>();

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!log.content.startsWith(SKIP_MARK) || !log.taskId) return;
    const entity = this.vitest?.state.getReportedEntityById(log.taskId);
    if (!entity) return;
    const file = entity.type === 'module' ? entity.moduleId : entity.module.moduleId;
    const reasons = this.reasons.get(file) ?? new Set<string>();
    for (const line of log.content.trim().split('\n')) reasons.add(line.slice(SKIP_MARK.length));
    this.reasons.set(file, reasons);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const root = this.vitest?.config.root ?? process.cwd();
    // Grouped by the reasons a file gave: each reason once, then the files and how many of their tests skipped.
    const groups = new Map<string, Array<[string, number]>>();
    let skipped = 0;
    let unexplained = 0;
    for (const module of testModules) {
      const count = [...module.children.allTests('skipped')].length;
      if (count === 0) continue;
      skipped += count;
      const reasons = [...(this.reasons.get(module.moduleId) ?? [])];
      if (reasons.length === 0) unexplained += count;
      const key = reasons.length > 0 ? reasons.join('\n    and ') : 'NO REASON GIVEN (a skip must use tests/helpers/prerequisites.ts)';
      groups.set(key, [...(groups.get(key) ?? []), [path.relative(root, module.moduleId), count]]);
    }
    const lines = [...groups].map(([reasons, files]) => {
      const total = files.reduce((sum, [, count]) => sum + count, 0);
      const where = files.map(([file, count]) => `${path.basename(file, '.test.ts')} ${count}`).join(', ');
      return `  ${total} (${where}): ${reasons}`;
    });
    process.stdout.write(`\n Skipped: ${skipped === 0 ? 'none' : `${skipped} test${skipped === 1 ? '' : 's'}, because`}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    if (unexplained > 0 && REQUIRE_ALL) {
      process.stdout.write(` ${unexplained} skipped without a reason, and MOTIF_REQUIRE_ALL is set: failing the run\n`);
      process.exitCode = 1;
    }
  }
}
