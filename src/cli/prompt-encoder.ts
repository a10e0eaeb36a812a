/** The text tokenizer of an exported model folder, as preference pairs need it (without opening the ONNX sessions). */
import { openModelFolder } from '../inference/manifest.ts';
import type { PromptEncoder } from '../store/preferences.ts';

export async function promptEncoderOf(modelDir: string): Promise<PromptEncoder> {
  const folder = await openModelFolder(modelDir);
  return { hash: folder.tokenizer.hash, encode: (text) => folder.tokenizer.encode(text, folder.dims.maxTextLen) };
}
