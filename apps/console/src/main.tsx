import './zod-jitless.ts';
import { render } from 'preact';
import { createApi } from './api.ts';
import { App } from './App.tsx';
import { agentSocketUrl } from './connection.ts';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    storage = null;
  }
  render(<App api={createApi()} socketUrl={agentSocketUrl(location)} storage={storage} />, root);
}
