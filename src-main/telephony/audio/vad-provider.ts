/**
 * Which VAD a call gets. The Silero model is loaded once per process when the voice module
 * starts; calls get Silero (8 kHz native or 16 kHz upsampled, per the `vad` setting) once it has
 * loaded, and the energy VAD before that, when the setting says `energy`, or when the model
 * could not load (missing package, wrong file hash, runtime error: logged once, `/readyz` says
 * `vad: fail`). A model that fails during a call moves that call and later ones to energy.
 */
import type { Logger } from '../../platform/logger';
import { SileroLoadError, SileroModel } from './silero-model';
import { SileroVad } from './silero-vad';
import { EnergyVad, type Vad, type VadConfig } from './vad';

export type VadSetting = 'silero-8k' | 'silero-16k' | 'energy';

export interface VadProviderOptions {
  /** Tests: another model file (and the hash it must have). */
  modelPath?: string;
  sha256?: string;
}

export class VadProvider {
  private model: SileroModel | undefined;
  private loading: Promise<SileroModel | undefined> | undefined;
  private failure: string | undefined;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly opts: VadProviderOptions = {},
  ) {}

  /** Loads the model (once); resolves when it is usable or known to be unusable. */
  load(): Promise<SileroModel | undefined> {
    if (this.closed && !this.loading) return Promise.resolve(undefined);
    this.loading ??= SileroModel.load(this.opts).then(
      (model) => {
        this.model = model;
        this.log.info('silero vad loaded');
        return model;
      },
      (err: unknown) => {
        this.failure = err instanceof SileroLoadError ? err.reason : 'runtime_error';
        this.log.error(
          { reason: this.failure, err: (err as Error).message },
          'silero vad unavailable: calls use the energy VAD',
        );
        return undefined;
      },
    );
    return this.loading;
  }

  /** `/readyz`: ok when Silero serves calls, fail when it should but cannot. */
  async readiness(setting: VadSetting): Promise<'ok' | 'fail' | 'disabled'> {
    if (setting === 'energy') return 'disabled';
    const model = await this.load();
    return model && !model.failure ? 'ok' : 'fail';
  }

  /** Why Silero is not used (null while it is, or before it was tried). */
  get failureReason(): string | null {
    return this.failure ?? (this.model?.failure ? 'runtime_error' : null);
  }

  create(setting: VadSetting, cfg: VadConfig): Vad {
    const model = this.model;
    if (setting === 'energy' || !model || model.failure) return new EnergyVad(cfg);
    return new SileroVad(model, cfg, {
      rate: setting === 'silero-16k' ? 16000 : 8000,
      onFailure: (err) => {
        if (this.failure) return;
        this.failure = 'runtime_error';
        this.log.error({ err: err.message }, 'silero vad failed: calls use the energy VAD');
      },
    });
  }

  /** Releases the model (after a load under way has finished); later calls get energy. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loading;
    const model = this.model;
    this.model = undefined;
    await model?.close();
  }
}
