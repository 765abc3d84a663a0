/** The JSON-RPC error codes the harness answers with ({@link FamigliaAgentError.code}). */
export const ErrorCodes = {
  /** The line was not JSON. */
  ParseError: -32700,
  /** Not a valid request; also raised by the SDK for a request longer than the protocol's 4 MiB line limit. */
  InvalidRequest: -32600,
  /** The method does not exist (an older harness). */
  MethodNotFound: -32601,
  /** A parameter is invalid; {@link FamigliaAgentError.field} names it. */
  InvalidParams: -32602,
  /** The SDK could not make sense of an answer (for instance, one without a result). */
  InternalError: -32603,
  /** The agent is not in the room right now (the harness is reconnecting); retry later. */
  NotInRoom: -32001,
  /** The Agent Data API answered with an error; {@link FamigliaAgentError.status} and {@link FamigliaAgentError.title} carry its problem details. */
  DataApiError: -32002,
  /** The canvas path was refused or the file does not exist; {@link FamigliaAgentError.field} is `path`. */
  CanvasError: -32003,
  /** The harness is shutting down. */
  ShuttingDown: -32004,
} as const;

/** The harness answered a request with a JSON-RPC error (codes in {@link ErrorCodes}). */
export class FamigliaAgentError extends Error {
  /** The JSON-RPC error code, for instance {@link ErrorCodes.CanvasError}. */
  readonly code: number;
  /** The parameter the error is about (`data.field`), for instance `path`. */
  readonly field: string | undefined;
  /** For {@link ErrorCodes.DataApiError}: the Agent Data API's HTTP status (`data.status`). */
  readonly status: number | undefined;
  /** For {@link ErrorCodes.DataApiError}: the Agent Data API's problem title (`data.title`). */
  readonly title: string | undefined;

  constructor(code: number, message: string, details: { field?: string; status?: number; title?: string } = {}) {
    super(message);
    this.name = 'FamigliaAgentError';
    this.code = code;
    this.field = details.field;
    this.status = details.status;
    this.title = details.title;
  }
}

/** The harness closed the connection (the agent's stdin), or writing to it failed, before a request was answered. */
export class HarnessClosedError extends Error {
  constructor(message = "The harness closed the connection (the agent's stdin) before answering.", options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessClosedError';
  }
}
