/**
 * The one rule for suites whose prerequisite may be missing on a machine: the full training data (helpers/data.ts),
 * an exported model (helpers/model.ts), the training Python (helpers/python.ts). Such a suite is skipped, and the
 * test file says once, in one line, what is missing and how to provide it. Where MOTIF_REQUIRE_ALL is set (.ci/run
 * sets it) a missing prerequisite fails the test file instead, so a run with everything present cannot skip.
 *
 * Use it as the suite's condition: `describe.skipIf(withoutData())('...', ...)`. helpers/skip-report.ts, a vitest
 * reporter, collects the lines and ends `npm test` with how many tests were skipped and why.
 */

/** Every skip line starts with this, so that the reporter can find it. */
export const SKIP_MARK = 'skipped: ';

export const REQUIRE_ALL = Boolean(process.env.MOTIF_REQUIRE_ALL);

const said = new Set<string>();

function say(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  console.warn(`${SKIP_MARK}${line}`);
}

/**
 * True (skip) when `present` is false: `missing` says what is not there, `remedy` how to provide it. Under
 * MOTIF_REQUIRE_ALL it throws instead, which fails the test file.
 */
export function skipWithout(present: boolean, missing: string, remedy: string): boolean {
  if (present) return false;
  if (REQUIRE_ALL) throw new Error(`${missing}, and MOTIF_REQUIRE_ALL is set (${remedy})`);
  say(`${missing}: ${remedy}`);
  return true;
}

/**
 * True (skip) when `applies`: for a property of this machine rather than a missing prerequisite (CUDA is installed,
 * so the CPU fallback cannot be seen; one core, so work cannot be split). Said in one line like the others, and
 * skipped under MOTIF_REQUIRE_ALL too: installing something cannot make it run.
 */
export function skipOnThisMachine(applies: boolean, reason: string): boolean {
  if (applies) say(reason);
  return applies;
}
