import type { Linter } from 'eslint';
export declare const layerConfigs: Linter.Config[];
