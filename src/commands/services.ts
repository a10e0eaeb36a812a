/**
 * What the bot runs on: the store, the model, the renderer, the take jobs and the queue that drives them. src/bot
 * reaches the rooms below through this file (../shared/DESIGN.md).
 */
import type { QueueSettings } from '../config.ts';
import type { TakeJobs } from '../jobs/take-jobs.ts';
import { JobQueue } from '../queue/job-queue.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { MotifStore } from '../store/types.ts';

export { loadComposer, type Composer } from '../jobs/composer.ts';
export { soundfontRenderer, type Renderer } from '../jobs/renderer.ts';
export { TakeJobs } from '../jobs/take-jobs.ts';
export type { JobQueue, MotifStore };

/** The SQLite store at `path`, created and migrated if needed. */
export function openStore(path: string): MotifStore {
  return new SqliteStore(path);
}

/** The persistent queue whose jobs the take jobs run, telling waiting users their place as it changes. */
export function takeQueue(store: MotifStore, settings: QueueSettings, jobs: TakeJobs): JobQueue {
  return new JobQueue(store, settings, jobs.run, { onPositions: (positions) => jobs.showPositions(positions) });
}
