/**
 * What the bot runs on: the store, the model, the renderer, the take jobs and the queue that drives them. src/bot
 * reaches the rooms below through this file (../shared/DESIGN.md).
 */
import type { QueueSettings } from '../config.ts';
import type { TakeJobs } from '../jobs/take-jobs.ts';
import { JobQueue } from '../queue/job-queue.ts';
import type { MotifStore } from '../store/types.ts';

export { loadComposer, type Composer } from '../jobs/composer.ts';
export { soundfontRenderer, type Renderer } from '../jobs/renderer.ts';
export { TakeJobs } from '../jobs/take-jobs.ts';
export { openStore } from '../store/open-store.ts';
export type { JobQueue, MotifStore };

/** The persistent queue whose jobs the take jobs run, telling waiting users their place as it changes. */
export function takeQueue(store: MotifStore, settings: QueueSettings, jobs: TakeJobs): JobQueue {
  return new JobQueue(store, settings, jobs.run, { onPositions: (positions) => jobs.replies.showPositions(positions) });
}
