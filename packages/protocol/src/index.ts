export * from './common.ts';
export * from './errors.ts';
export * from './intake.ts';
export * from './views.ts';
export * from './frames.ts';
export * from './bridge.ts';
export * from './alerts.ts';
