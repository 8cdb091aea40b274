import type { AttachmentView } from '@ajuda/protocol';

/**
 * The composer's unsent reply or internal note (and the files already uploaded for it), per agent and
 * conversation, in localStorage: an agent who moves to another conversation, reloads, or whose session
 * expires finds it where they left it.
 * The mode is kept with the text (a half-written internal note never comes back as a reply). Forgotten
 * when sent or emptied, and all of them at sign-out (a shared computer keeps nothing of the agent).
 * @example saveDraft('a_1', 'c_1', { mode: 'note', body: 'ERP down' }); loadDraft('a_1', 'c_1') // { mode: 'note', body: 'ERP down' }
 */
export interface Draft {
  mode: 'text' | 'note';
  body: string;
  /** Files already uploaded for it (the server keeps them until AJUDA_UPLOAD_TTL_HOURS). */
  files?: AttachmentView[];
}

/** Kept at most (the oldest go first). */
const MAX_DRAFTS = 50;
const key = (agentId: string) => `ajuda:console:drafts:${agentId}`;

function read(agentId: string): Record<string, Draft> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key(agentId)) ?? '{}');
    return v && typeof v === 'object' ? (v as Record<string, Draft>) : {};
  } catch {
    return {};
  }
}

/** Store the agent's drafts, or none (an empty set, sign-out). */
function write(agentId: string, all: Record<string, Draft> | null): void {
  try {
    if (all && Object.keys(all).length) localStorage.setItem(key(agentId), JSON.stringify(all));
    else localStorage.removeItem(key(agentId));
  } catch {
    /* storage full or blocked: the draft lasts while the conversation stays open */
  }
}

/** The draft of a conversation, or null (also for anything in storage that is not one). */
export function loadDraft(agentId: string, conversationId: string): Draft | null {
  const d = read(agentId)[conversationId];
  return d && typeof d.body === 'string' && (d.mode === 'text' || d.mode === 'note') ? d : null;
}

/** Keep (or, with blank text and no files, forget) a conversation's draft; the newest last. */
export function saveDraft(agentId: string, conversationId: string, draft: Draft): void {
  const all = read(agentId);
  delete all[conversationId];
  if (draft.body.trim() || draft.files?.length) all[conversationId] = draft;
  const ids = Object.keys(all);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_DRAFTS))) delete all[id];
  write(agentId, all);
}

/** The conversations the agent has a draft in (the inbox marks them). */
export const draftedIds = (agentId: string): Set<string> => new Set(Object.keys(read(agentId)));

/** Sign-out: forget every draft of the agent. */
export const forgetDrafts = (agentId: string): void => write(agentId, null);
