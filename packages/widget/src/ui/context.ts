import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Translate } from '@ajuda/i18n';
import type { AttachmentView, Environment, EscalationReason, Locale, RequestType, RequesterConversationView } from '@ajuda/protocol';
import type { AppState, View } from '../state.ts';

export type FieldErrorMap = Record<string, { code: string; i18nKey: string }>;

/** What an action that talks to the server resolves with. */
export type ActionResult =
  | { ok: true; conversation?: RequesterConversationView }
  | { ok: false; code: string; i18nKey?: string; fields?: FieldErrorMap; retryAfter?: number; conversationId?: string };

export interface EscalationInput {
  conversationId: string;
  reason: EscalationReason;
  description: string;
  environment: Environment;
  justification: string;
}

/** Everything a screen can ask for; implemented by the Controller, faked in tests. */
export interface Actions {
  go(view: View): void;
  startConversation(requestType: RequestType, answers: Record<string, unknown>, idempotencyKey: string): Promise<ActionResult>;
  submitIntake(conversationId: string, answers: Record<string, unknown>): Promise<ActionResult>;
  loadDirectory(): void;
  sendMessage(conversationId: string, body: string, files?: AttachmentView[]): void;
  /** The `Authorization` value for the attachment routes (this session's credential). */
  auth(): string;
  discardMessage(clientMsgId: string): void;
  setTyping(conversationId: string, on: boolean): void;
  /** The person has seen the conversation up to `upToSeq` (never past the newest message on screen). */
  markRead(conversationId: string, upToSeq: number): void;
  escalate(input: EscalationInput): Promise<ActionResult>;
  submitFeedback(conversationId: string, answered: boolean, comment?: string): Promise<ActionResult>;
  reopen(conversationId: string): Promise<ActionResult>;
  loadGrants(): void;
  createGrant(minutes: number): Promise<ActionResult>;
  revokeGrant(grantId: string): Promise<ActionResult>;
  setLocale(locale: Locale): void;
  dismissNotice(): void;
  close(): void;
  /** Copies to the clipboard; refused, selects `select`'s text for a copy by hand and resolves false. */
  copy(text: string, select?: Node | null): Promise<boolean>;
  /** A draft kept across reloads (composer text, unfinished intake form, the screen); cleared on shutdown. */
  getDraft(name: string): string | null;
  /** Saves a draft; null forgets it. */
  setDraft(name: string, value: string | null): void;
}

export interface AppContextValue {
  state: AppState;
  actions: Actions;
  t: Translate;
  /**
   * Absent when `t` knows every text. 'partial': only the first screen's texts are loaded so far
   * (other screens wait for the rest); 'failed': the rest could not be downloaded.
   */
  texts?: 'partial' | 'failed';
}

export const AppContext = createContext<AppContextValue | null>(null);

/** @example const { state, actions, t } = useApp(); */
export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('AppContext missing');
  return v;
}
