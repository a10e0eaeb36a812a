/**
 * FluidSynth 2.4, compiled to WebAssembly (js-synthesizer), loaded once per process.
 *
 * Both packages are CommonJS bundles: libfluidsynth carries its wasm inline, and js-synthesizer is told to use that
 * instance instead of looking for a browser global.
 */
import { createRequire } from 'node:module';

export type JSSynthModule = typeof import('js-synthesizer');
export type FluidSynthesizer = InstanceType<JSSynthModule['Synthesizer']>;

const require = createRequire(import.meta.url);
let ready: Promise<JSSynthModule> | undefined;

export function loadFluidSynth(): Promise<JSSynthModule> {
  ready ??= (async () => {
    const libfluidsynth: unknown = require('js-synthesizer/libfluidsynth');
    const jsSynth = require('js-synthesizer') as JSSynthModule;
    jsSynth.Synthesizer.initializeWithFluidSynthModule(libfluidsynth);
    await jsSynth.waitForReady();
    // Loading an .sf3 prints "fluid_stat is a stub" once per sample from the wasm build; a font that really fails to
    // load is still reported by loadSFont's rejection.
    jsSynth.disableLogging(jsSynth.LogLevel.Panic);
    return jsSynth;
  })();
  return ready;
}
