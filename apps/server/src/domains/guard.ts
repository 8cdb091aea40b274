import { StoreConflict } from '@ajuda/db';
import { AjudaError, type ErrorCode } from '@ajuda/protocol';

/**
 * A store command whose expected state was gone (another writer first): answered with the
 * protocol's error, `invalid_state` unless the command said why (`not_found`, `grant_required`).
 */
export async function guarded<T>(command: Promise<T>, code: ErrorCode = 'invalid_state', message?: string): Promise<T> {
  try {
    return await command;
  } catch (e) {
    if (!(e instanceof StoreConflict)) throw e;
    if (e.reason === 'not_found' || e.reason === 'grant_required') throw new AjudaError(e.reason);
    throw new AjudaError(code, message);
  }
}
