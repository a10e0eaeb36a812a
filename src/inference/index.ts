/** The inference engine's public surface: what the CLI and the bot import. */
export { MotifEngine, getEngine, engineOptionsFrom, describeComposition } from './engine.ts';
export type { Composition, Continuation, ContinueOptions, EngineOptions, FollowUpOptions, Restyle, RestyleOptions, Timings, VaryOptions, Variation } from './engine.ts';
export type { ComposeRequest } from './request.ts';
export { requestInferences } from './request.ts';
export type { FinishReason } from './close-early.ts';
export { PromptError, GenerationTimeoutError, ModelMismatchError, ModelFilesError, isUserFacing } from './errors.ts';
export { parseChange, type VariationChange } from './variation.ts';
export { similarity, checkChange, type Similarity, type ChangeCheck } from './similarity.ts';
export { benchmarkDecode, type DecodeBenchmark, type BenchmarkOptions } from './benchmark.ts';
export { parentFromScore, type ParentPiece } from './parent-piece.ts';
export { headerAttributes, type HeaderAttributes } from './header-attributes.ts';
export { describeForm, sectionMarks, type Form, type FormSection } from './form.ts';
export { pieceMarks, type PieceMark } from './piece-marks.ts';
export { chooseKeptTrack, type KeptTrack } from './restyle.ts';
