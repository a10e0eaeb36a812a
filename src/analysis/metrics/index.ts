/** Evaluation metrics: text2midi's control metrics, prompt adherence, MusPy musicality, repetition. */
export * from './text2midi.ts';
export * from './adherence.ts';
export * from './musicality.ts';
export * from './drum-groove.ts';
export * from './compression.ts';
export * from './summary.ts';
