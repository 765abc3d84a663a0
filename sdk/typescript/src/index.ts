export { FamigliaAgent, type FamigliaAgentOptions, type MessageHandler } from './agent.js';
export type { AgentDataApi } from './api.js';
export type { AgentCanvas } from './canvas.js';
export { ErrorCodes, FamigliaAgentError, HarnessClosedError } from './errors.js';
export type { AgentMessage } from './message.js';
export type { LogTarget } from './protocol/log.js';
export type * from './types.js';
