// Public surface of @ajuda/widget for tests and tools; the app itself boots from src/main.tsx.
export { Connection, backoffDelay, type ConnStatus, type OutboxEntry, type SocketLike } from './connection.ts';
export { FrameBridge } from './bridge.ts';
export { Controller, initialLocale } from './controller.ts';
export { parseServerFrame, parseHostMessage, type WidgetServerFrame } from './guards.ts';
export { parseFrameParams, type FrameParams } from './params.ts';
export { reduce, initialState, insertMessage, unreadCount, Store, type AppState, type View } from './state.ts';
