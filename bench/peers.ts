// Peer widgets' host-page weight, installed at bench time into a throwaway directory under /tmp
// (never into the workspace). What a host page loads at start, gzip -9:
//  - @rocket.chat/livechat: its loader script (rocketchat-livechat.min.js) plus what its iframe
//    app loads at start (build/index.html and the scripts it lists; lazy chunks not counted).
//  - @papercups-io/chat-widget: the package + react + react-dom bundled by esbuild, minified
//    (its own chat iframe, served from Papercups' servers, is not counted: a lower bound).
// A refused download is a result (null with the reason), never a failed benchmark.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { gz } from './widget.ts';

const RC = { name: '@rocket.chat/livechat', version: '1.13.3' };
const PC = { name: '@papercups-io/chat-widget', version: '1.3.1', react: '17.0.2' };

function npm(args: string[], cwd: string) {
  execFileSync('npm', args, { cwd, stdio: 'pipe', timeout: 240_000, env: { ...process.env, npm_config_nodedir: undefined, npm_config_fund: 'false', npm_config_audit: 'false' } });
}

const reason = (e: unknown) => String((e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-2).join(' ') || (e as Error).message || e).slice(0, 300);

async function rocketChat(dir: string) {
  try {
    npm(['pack', `${RC.name}@${RC.version}`, '--silent'], dir);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
    const b = join(dir, 'package', 'build');
    const loader = gz(readFileSync(join(b, 'rocketchat-livechat.min.js')));
    const html = readFileSync(join(b, 'index.html'), 'utf8');
    const files = ['index.html'];
    for (const m of html.matchAll(/<script[^>]*src="([^"]+)"/g)) files.push(m[1]!.replace(/^livechat\//, ''));
    for (const m of html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)) files.push(m[1]!.replace(/^livechat\//, ''));
    const app = files.filter((f) => existsSync(join(b, f))).reduce((s, f) => s + gz(readFileSync(join(b, f))), 0);
    return { version: RC.version, hostPageGzipBytes: loader + app, loaderGzipBytes: loader, appInitialGzipBytes: app, files: ['rocketchat-livechat.min.js', ...files] };
  } catch (e) {
    return { version: RC.version, hostPageGzipBytes: null, reason: reason(e) };
  }
}

async function papercups(dir: string) {
  try {
    writeFileSync(join(dir, 'package.json'), '{"name":"peer-probe","private":true}');
    npm(['install', '--no-save', '--ignore-scripts', '--legacy-peer-deps', `${PC.name}@${PC.version}`, `react@${PC.react}`, `react-dom@${PC.react}`], dir);
    writeFileSync(
      join(dir, 'entry.js'),
      "import React from 'react';import ReactDOM from 'react-dom';import {ChatWidget} from '@papercups-io/chat-widget';" +
        "const el=document.createElement('div');document.body.appendChild(el);" +
        "ReactDOM.render(React.createElement(ChatWidget,{accountId:'acme',title:'Help',primaryColor:'#1f5eff'}),el);",
    );
    const out = await build({ entryPoints: [join(dir, 'entry.js')], bundle: true, minify: true, write: false, format: 'iife', target: 'es2020', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent', absWorkingDir: dir });
    const js = out.outputFiles[0]!.contents;
    return { version: PC.version, react: PC.react, hostPageGzipBytes: gz(Buffer.from(js)), note: 'widget + react + react-dom bundled by esbuild; its chat iframe (served by Papercups) not counted' };
  } catch (e) {
    return { version: PC.version, hostPageGzipBytes: null, reason: reason(e) };
  }
}

export async function peers(log: (s: string) => void) {
  const root = mkdtempSync(join(tmpdir(), 'ajuda-peers-'));
  try {
    const rcDir = join(root, 'rc');
    const pcDir = join(root, 'pc');
    mkdirSync(rcDir);
    mkdirSync(pcDir);
    const [rc, pc] = await Promise.all([rocketChat(rcDir), papercups(pcDir)]);
    log(`  peers: ${RC.name} ${rc.hostPageGzipBytes ?? `null (${'reason' in rc ? rc.reason : ''})`} B; ${PC.name} ${pc.hostPageGzipBytes ?? `null (${'reason' in pc ? pc.reason : ''})`} B`);
    return { [RC.name]: rc, [PC.name]: pc };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
