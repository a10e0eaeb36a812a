/** The real-song reference values of the musicality metrics (docs/metrics-reference.json, docs/METRICS.md). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReferenceMetrics } from '../dataset/reference-metrics.ts';

export const REFERENCE_FILE = fileURLToPath(new URL('../../docs/metrics-reference.json', import.meta.url));

/** The reference values, or undefined when the file is missing. */
export function loadReference(file = REFERENCE_FILE): ReferenceMetrics | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ReferenceMetrics) : undefined;
}
