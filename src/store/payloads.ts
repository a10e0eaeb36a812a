/**
 * What the store keeps as JSON, with a schema for each: a request's options, a take's header, a job's payload and
 * where a job's messages go. The store parses each one when it reads it back (stored-json.ts), so a row that does not
 * fit is refused where it is read rather than becoming an object that fails somewhere later.
 *
 * The schemas check shape, not sense: whether a tempo or a prompt can be honoured is decided before anything is
 * stored (src/jobs/compose-options.ts, src/inference/request.ts).
 */
import { z } from 'zod';
import type { Key } from '../music/keys.ts';
import type { ScoreHeader } from '../tokens/tokenizer.ts';

const id = z.number().int().positive();
const seed = z.number().int().min(0).max(0xffffffff);

const keySchema = z.object({ tonic: z.number().int().min(0).max(11), mode: z.enum(['major', 'minor']) }) satisfies z.ZodType<Key>;

/** What a compose request asks for; stored with the request so that Regenerate can ask again. */
export const composeOptionsSchema = z.object({
  prompt: z.string(),
  bpm: z.number().optional(),
  key: keySchema.optional(),
  bars: z.number().int().optional(),
  /** GM programs, DRUMS for the kit. */
  instruments: z.array(z.number().int()).optional(),
  seed: seed.optional(),
});
export type ComposeOptions = z.infer<typeof composeOptionsSchema>;

/** A variation request: which take, changed how. */
const variationOptionsSchema = z.object({ parentTakeId: id, instruction: z.string() });
/** An extension request: which take, by how many bars. */
const extensionOptionsSchema = z.object({ parentTakeId: id, bars: z.number().int().positive() });

/** A request's options, one of three shapes; compose options are told apart by their prompt, a variation's by its instruction. */
export const requestOptionsSchema = z.union([composeOptionsSchema, variationOptionsSchema, extensionOptionsSchema], {
  error: 'expected the options of a compose request (prompt), a variation (parentTakeId, instruction) or an extension (parentTakeId, bars)',
});
export type RequestOptions = z.infer<typeof requestOptionsSchema>;

export function isComposeOptions(options: RequestOptions): options is ComposeOptions {
  return 'prompt' in options;
}

export function isExtensionOptions(options: RequestOptions): options is z.infer<typeof extensionOptionsSchema> {
  return 'parentTakeId' in options && 'bars' in options;
}

/** What a take turned out to be: tempo, key, meter, instruments, bars (the header of its tokens). */
export const takeHeaderSchema = z.object({
  timeSignature: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  bpm: z.number().positive(),
  key: keySchema.nullable(),
  instruments: z.array(z.number().int()),
  bars: z.number().int().nonnegative(),
}) satisfies z.ZodType<ScoreHeader>;

/** The sampling a take was composed with: src/inference's SamplingOptions, restated (the store does not import inference). */
export const takeSamplingSchema = z.object({
  temperature: z.number().min(0),
  topK: z.number().int().min(0),
  topP: z.number().gt(0).max(1),
  guidance: z.number().min(0),
  keyPrior: z.number().min(0).optional(),
});
export type TakeSampling = z.infer<typeof takeSamplingSchema>;

/**
 * A file a person attached (/continue, /restyle), as Discord described it: the job downloads it when it runs, so the
 * store holds a link, never the file.
 */
export const uploadedFileSchema = z.object({ name: z.string().max(256), size: z.number().int().nonnegative(), url: z.url() });

/**
 * The work a take job does. Its seeds are fixed when it is accepted, so a job cut off by a restart makes the same
 * takes again.
 */
export const takeJobPayloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('compose'), requestId: id, options: composeOptionsSchema, seeds: z.array(seed).min(1) }),
  z.object({ kind: z.literal('regenerate'), requestId: id, options: composeOptionsSchema, seeds: z.tuple([seed]) }),
  z.object({ kind: z.literal('vary'), requestId: id, parentTakeId: id, instruction: z.string(), seeds: z.tuple([seed]) }),
  z.object({ kind: z.literal('extend'), requestId: id, parentTakeId: id, bars: z.number().int().positive(), seeds: z.tuple([seed]) }),
  z.object({ kind: z.literal('continue'), requestId: id, file: uploadedFileSchema, instruction: z.string(), bars: z.number().int().positive(), seeds: z.tuple([seed]) }),
  z.object({ kind: z.literal('restyle'), requestId: id, file: uploadedFileSchema, prompt: z.string(), keep: z.string().optional(), seeds: z.tuple([seed]) }),
]);
export type TakeJobPayload = z.infer<typeof takeJobPayloadSchema>;
export type JobKind = TakeJobPayload['kind'];

/**
 * Where a job's messages go. A slash command's job answers through the interaction's webhook while its token lives;
 * otherwise (a reply to a take, or a token about to die) it posts in the channel. It changes as the job runs and is
 * saved each time, so a restart carries on where the last run stopped.
 */
export const replyTargetSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('interaction'), userId: z.string(), channelId: z.string(), token: z.string(), expiresAt: z.number(),
    /** The deferred reply has been turned into a take; later messages are follow-ups. */
    originalUsed: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('channel'), userId: z.string(), channelId: z.string(),
    /** The user's message that asked for the job: the answers reply to it. */
    replyTo: z.string().optional(),
    progressMessageId: z.string().optional(),
    /** The job came from an interaction whose token ran out: no progress messages in the channel. */
    fromInteraction: z.boolean().optional(),
  }),
]);
export type ReplyTarget = z.infer<typeof replyTargetSchema>;
