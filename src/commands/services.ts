/**
 * What the bot runs on: the store, the model, the renderer and the queue that drives the take jobs. They are made here
 * so that src/bot reaches the rooms below only through src/commands (../shared/DESIGN.md).
 */
import type { QueueSettings } from '../config.ts';
import { getEngine } from '../inference/index.ts';
import { JobQueue } from '../queue/job-queue.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { MotifStore } from '../store/types.ts';
import type { Composer } from './context.ts';
import type { TakeJobs } from './take-jobs.ts';

export type { JobQueue, MotifStore };

/** The SQLite store at `path`, created and migrated if needed. */
export function openStore(path: string): MotifStore {
  return new SqliteStore(path);
}

/** The process's model (src/inference, MOTIF_MODEL_DIR), loaded once. */
export function loadComposer(): Promise<Composer> {
  return getEngine();
}

/** The persistent queue whose jobs the take jobs run, telling waiting users their place as it changes. */
export function takeQueue(store: MotifStore, settings: QueueSettings, jobs: TakeJobs): JobQueue {
  return new JobQueue(store, settings, jobs.run, { onPositions: (positions) => jobs.showPositions(positions) });
}
