/**
 * The one error table: code → HTTP status, whether the client may see the code, and the
 * i18n key the widget/console shows. Anything not client-visible goes out as `internal`
 * with a log reference; the detail stays in the server log.
 *
 * @example errorInfo('not_found').status // 404
 */
export const ERRORS = {
  bad_json: { status: 400, clientVisible: true, i18nKey: 'error.bad_json' },
  bad_frame: { status: 400, clientVisible: true, i18nKey: 'error.bad_frame' },
  unknown_type: { status: 400, clientVisible: true, i18nKey: 'error.unknown_type' },
  binary_not_supported: { status: 400, clientVisible: true, i18nKey: 'error.bad_frame' },
  payload_too_large: { status: 413, clientVisible: true, i18nKey: 'error.payload_too_large' },
  body_too_long: { status: 400, clientVisible: true, i18nKey: 'error.body_too_long' },
  unsupported_version: { status: 400, clientVisible: true, i18nKey: 'error.unsupported_version' },
  hello_required: { status: 401, clientVisible: true, i18nKey: 'error.hello_required' },
  already_authenticated: { status: 400, clientVisible: true, i18nKey: 'error.bad_frame' },
  auth_failed: { status: 401, clientVisible: true, i18nKey: 'error.auth_failed' },
  token_expired: { status: 401, clientVisible: true, i18nKey: 'error.token_expired' },
  identity_required: { status: 401, clientVisible: true, i18nKey: 'error.identity_required' },
  session_ended: { status: 401, clientVisible: true, i18nKey: 'error.session_ended' },
  forbidden: { status: 403, clientVisible: true, i18nKey: 'error.forbidden' },
  origin_not_allowed: { status: 403, clientVisible: true, i18nKey: 'error.forbidden' },
  not_found: { status: 404, clientVisible: true, i18nKey: 'error.not_found' },
  request_type_not_allowed: { status: 403, clientVisible: true, i18nKey: 'error.request_type_not_allowed' },
  intake_invalid: { status: 422, clientVisible: true, i18nKey: 'error.intake_invalid' },
  intake_pending: { status: 409, clientVisible: true, i18nKey: 'error.intake_pending' },
  conversation_closed: { status: 409, clientVisible: true, i18nKey: 'error.conversation_closed' },
  invalid_state: { status: 409, clientVisible: true, i18nKey: 'error.invalid_state' },
  idempotency_conflict: { status: 409, clientVisible: true, i18nKey: 'error.idempotency_conflict' },
  grant_required: { status: 403, clientVisible: true, i18nKey: 'error.grant_required' },
  rate_limited: { status: 429, clientVisible: true, i18nKey: 'error.rate_limited' },
  snapshot_required: { status: 409, clientVisible: true, i18nKey: 'error.snapshot_required' },
  unavailable: { status: 503, clientVisible: true, i18nKey: 'error.unavailable' },
  internal: { status: 500, clientVisible: true, i18nKey: 'error.internal' },
  db_busy: { status: 503, clientVisible: false, i18nKey: 'error.unavailable' },
  // HTTP only: requests Fastify refuses before any route runs (all answered as problem+json).
  bad_request: { status: 400, clientVisible: true, i18nKey: 'error.bad_frame' },
  request_timeout: { status: 408, clientVisible: true, i18nKey: 'error.unavailable' },
  unsupported_media_type: { status: 415, clientVisible: true, i18nKey: 'error.bad_frame' },
  upgrade_required: { status: 426, clientVisible: true, i18nKey: 'error.bad_frame' },
  headers_too_large: { status: 431, clientVisible: true, i18nKey: 'error.payload_too_large' },
} as const satisfies Record<string, { status: number; clientVisible: boolean; i18nKey: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function errorInfo(code: ErrorCode) {
  return ERRORS[code];
}

/** The code a client is allowed to see for an internal code. */
export function clientCode(code: ErrorCode): ErrorCode {
  return ERRORS[code].clientVisible ? code : code === 'db_busy' ? 'unavailable' : 'internal';
}

/** A typed error thrown by domain code and turned into an error frame or HTTP problem. */
export class AjudaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly extra: { fields?: Record<string, { code: string; i18nKey: string }>; retryAfter?: number } = {},
  ) {
    super(message ?? code);
    this.name = 'AjudaError';
  }
}
