export {
  DEFAULT_DEMO_SEED,
  writeDemoModel,
  writeFp16IoTestModel,
  writePoolingHeadModel,
} from './demo-model.writer';
export type { DemoModelOptions, WrittenDemoModel } from './demo-model.writer';
export {
  DEMO_MODEL_LABELS,
  DEMO_MODEL_PRESET_NAMES,
  DEMO_MODEL_PRESETS,
  isDemoModelPreset,
} from './demo-model.presets';
export type { DemoModelPreset, VitArchitecture } from './demo-model.presets';
