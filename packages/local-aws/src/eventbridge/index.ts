export { compilePattern, CompiledPattern, InvalidEventPattern, matchesPattern } from './pattern.ts';
export { DEFAULT_BUS, LocalEventBus } from './bus.ts';
export type { Delivery, EventBusOptions, RecentEvent, RuleRecord, TargetCallback, TargetRecord } from './bus.ts';
export type { BusEvent, PutEventsEntry } from './envelope.ts';
export { eventBridgeService, EVENTBRIDGE_OPERATIONS } from './service.ts';
export { FlattenedEvent } from './pattern.ts';
