import type { AttachmentView } from '@ajuda/protocol';
import { useEffect, useState } from 'preact/hooks';

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

/** What storage holds for the agent (null when nothing or unavailable). */
function raw(agentId: string): string | null {
  try {
    return localStorage.getItem(key(agentId));
  } catch {
    return null;
  }
}

function parse(text: string | null): Record<string, Draft> {
  try {
    const v: unknown = JSON.parse(text ?? '{}');
    return v && typeof v === 'object' ? (v as Record<string, Draft>) : {};
  } catch {
    return {};
  }
}

const read = (agentId: string) => parse(raw(agentId));

/** Which conversations have a draft, per agent, parsed again only when the stored text changed (the inbox asks at every render). */
const drafted = new Map<string, { text: string | null; ids: Set<string> }>();

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
  const kept = draft.body.trim() || draft.files?.length ? draft : null;
  // Unchanged (a composer shown again): nothing to write.
  if (JSON.stringify(all[conversationId] ?? null) === JSON.stringify(kept)) return;
  const was = new Set(Object.keys(all));
  delete all[conversationId];
  if (kept) all[conversationId] = kept;
  const ids = Object.keys(all);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_DRAFTS))) delete all[id];
  write(agentId, all);
  // A conversation gained or lost its draft (not a keystroke in one): the inbox's marks change.
  const now = Object.keys(all);
  if (now.length !== was.size || now.some((id) => !was.has(id))) changed();
}

const watchers = new Set<() => void>();
const changed = () => watchers.forEach((w) => w());

/** The conversations the agent has a draft in, for a component that shows them: it renders again when one gains or loses its draft. */
export function useDraftedIds(agentId: string): ReadonlySet<string> {
  const [, bump] = useState(0);
  useEffect(() => {
    const w = () => bump((n) => n + 1);
    watchers.add(w);
    return () => void watchers.delete(w);
  }, []);
  return draftedIds(agentId);
}

/** The conversations the agent has a draft in (the inbox marks them). */
export function draftedIds(agentId: string): ReadonlySet<string> {
  const text = raw(agentId);
  let seen = drafted.get(agentId);
  if (!seen || seen.text !== text) drafted.set(agentId, (seen = { text, ids: new Set(Object.keys(parse(text))) }));
  return seen.ids;
}

/** Sign-out: forget every draft of the agent. */
export function forgetDrafts(agentId: string): void {
  write(agentId, null);
  changed();
}
