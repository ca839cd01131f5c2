// The playground page, built on the browser entry (sim/browser/index.ts,
// `filemon-sim/browser`): Simulator.start() loads the emulator, guest image,
// saved state and parser (with progress here) and restores the guest;
// mountTerminal() puts the xterm.js terminal on the traced shell. Beside it:
// the trace panel, the graph, the meta-mode lesson, examples and links.
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { AssetError, GuestPanicError, Simulator, mountTerminal, type FetchProgress, type ShellSession } from '../sim/browser/index.js';
import { ConsoleWatch } from '../sim/guest/console-watch.js';
import type { Machine } from '../sim/guest/machine.js';
import { reserveHeight } from './about-box.js';
import { PageAddress } from './address.js';
import { CommandQueue } from './command-queue.js';
import { EXAMPLES, findExample } from './examples.js';
import { svgFile } from './graph.js';
import { MetaLesson, type LessonState } from './lesson.js';
import { readLink, type PageLink } from './links.js';
import { TracePanel, type PanelView } from './panel.js';
import { keyboardTabs } from './tabs.js';

/** What the tests and the benchmark read. */
interface PlaygroundHooks {
  ready: boolean;
  /** performance.now() when the first prompt was on screen. */
  readyAt?: number;
  start?: 'restored' | 'cold';
  error?: string;
  /** performance.now() of the last Enter typed, and of the first X row drawn after it. */
  marks: { enter?: number; x?: number; prompt?: number };
  session?: ShellSession;
  machine?: Machine;
  lesson?: LessonState;
  /** The last process graph drawn: how many processes, when (performance.now()), how long layout and drawing took. */
  graph?: { processes: number; at: number; ms: number };
  /** The link the page opened with has been run. */
  linkDone?: boolean;
  /** What the page fetched of the toolchain disk so far (range requests, bytes); absent when the site has no toolchain. */
  toolchain?: { requests: number; bytes: number };
}

declare global {
  interface Window {
    playground: PlaygroundHooks;
  }
}

const hooks: PlaygroundHooks = (window.playground = { ready: false, marks: {} });
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const assets = (path: string) => new URL(`assets/${path}`, document.baseURI).href;
const mb = (n: number) => (n < 1e6 ? `${Math.round(n / 1e3)} kB` : `${(n / 1e6).toFixed(1)} MB`);

const STAGE_NAMES: Record<string, string> = {
  site: 'site description',
  manifest: 'image manifest',
  emulator: 'emulator (v86.wasm)',
  bios: 'BIOS',
  kernel: 'kernel',
  initramfs: 'initramfs',
  state: 'saved state',
  parser: 'log parser (wasm)',
};

class Progress {
  private readonly files = new Map<string, { loaded: number; total: number }>();
  constructor(private total: number) {}

  expect(total: number): void {
    this.total = total;
  }

  /** Lists a file before its first bytes arrive. */
  waiting(stage: string, total: number): void {
    if (!this.files.has(stage)) this.files.set(stage, { loaded: 0, total });
  }

  update = (p: FetchProgress): void => {
    this.files.set(p.stage, { loaded: p.loaded, total: p.total });
    let loaded = 0;
    for (const f of this.files.values()) loaded += f.loaded;
    const pct = this.total ? Math.min(100, (100 * loaded) / this.total) : 0;
    $('load-bar').style.width = `${pct.toFixed(1)}%`;
    const pending = [...this.files].filter(([, f]) => !f.total || f.loaded < f.total).map(([s]) => STAGE_NAMES[s] ?? s);
    $('load-stage').textContent = pending.length ? `Downloading ${pending.join(', ')}…` : 'Downloaded; checking…';
    $('load-detail').textContent =
      `${mb(loaded)} of ${mb(this.total)} · ` +
      [...this.files]
        .filter(([s]) => s !== 'site' && s !== 'manifest')
        .map(([s, f]) => `${STAGE_NAMES[s] ?? s} ${mb(f.loaded)}${f.total ? ` / ${mb(f.total)}` : ''}`)
        .join(' · ');
  };

  stage(text: string): void {
    $('load-stage').textContent = text;
  }
}

function showError(title: string, text: string, opts: { console?: string; retry?: boolean } = {}): void {
  hooks.error = `${title}: ${text}`;
  $('loading').hidden = true;
  $('error').hidden = false;
  $('error-title').textContent = title;
  $('error-text').textContent = text;
  const pre = $('error-console');
  pre.hidden = !opts.console;
  pre.textContent = opts.console ?? '';
  const retry = $('error-retry');
  retry.hidden = !opts.retry;
  retry.onclick = () => location.reload();
}

function notice(text: string): void {
  const n = $('notice');
  n.hidden = false;
  n.textContent = text;
}

function download(name: string, data: Uint8Array | string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function main(): Promise<void> {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    showError('This browser cannot run the playground', 'It has no WebAssembly, which the emulator and the log parser need. Any current Chrome, Firefox, Safari or Edge has it.');
    return;
  }
  const progress = new Progress(0);
  // A panic while the shell runs is seen on the serial console.
  let panicked = false;
  const watch = new ConsoleWatch((report) => {
    panicked = true;
    showError('The guest kernel crashed', 'The guest kernel panicked; its console said:', { console: report, retry: true });
    $('app').hidden = true;
  });
  const sim = await Simulator.start({
    assets: assets(''),
    v86Version: __V86_VERSION__,
    onStage: (t) => progress.stage(t),
    onNotice: notice,
    onPlan: (files) => {
      progress.expect(files.reduce((n, f) => n + f.bytes, 0));
      for (const f of files) progress.waiting(f.stage, f.bytes);
    },
    onProgress: progress.update,
    onConsole: (text) => {
      for (let i = 0; i < text.length; i++) watch.push(text.charCodeAt(i));
    },
  });
  const machine = sim.machine;
  const parser = sim.logParser;
  hooks.machine = machine;
  hooks.start = sim.start;

  $('loading').hidden = true;
  $('app').hidden = false;
  // What the terminal printed while a lesson step ran (bmake's output is read from it).
  let capture: string[] | undefined;
  const outText = new TextDecoder();
  const mounted = mountTerminal($('terminal'), sim, {
    records: false,
    restart: () => !panicked,
    onOutput: (d) => capture?.push(outText.decode(d, { stream: true })),
    onInput: (d) => {
      if (d.includes('\r')) hooks.marks = { enter: performance.now() };
    },
  });
  const { term, session, typeLine } = mounted;
  hooks.session = session;
  const panel = new TracePanel(
    {
      records: $('view-records'),
      tree: $('view-tree'),
      files: $('view-files'),
      graph: { root: $('view-graph'), frame: $('graph-frame'), command: $<HTMLSelectElement>('graph-command'), caption: $('graph-caption') },
      lesson: $('view-lesson'),
      letterFilters: $('letter-filters'),
      pidFilter: $<HTMLInputElement>('pid-filter'),
      status: $('status'),
    },
    session,
  );
  panel.onRow = (kind) => {
    if (kind === 'X' && hooks.marks.enter !== undefined && hooks.marks.x === undefined) {
      const t = performance.now();
      requestAnimationFrame(() => (hooks.marks.x ??= Math.max(t, performance.now())));
    }
  };
  panel.onGraph = (n, ms) => {
    hooks.graph = { processes: n, at: performance.now(), ms };
  };
  $('graph-zoom-in').addEventListener('click', () => panel.zoom.zoom(1 / 1.2));
  $('graph-zoom-out').addEventListener('click', () => panel.zoom.zoom(1.2));
  $('graph-fit').addEventListener('click', () => panel.zoom.fit());
  $('graph-svg').addEventListener('click', () => {
    const svg = $('graph-frame').querySelector('svg');
    if (svg) download('filemon-sim-processes.svg', svgFile(svg), 'image/svg+xml');
    else panel.status('no picture yet: run a command first');
  });
  session.on((e) => {
    if (e.type === 'prompt') hooks.marks.prompt ??= performance.now();
    if (e.type === 'prompt' && !hooks.ready) {
      requestAnimationFrame(() => {
        hooks.readyAt = performance.now();
        hooks.ready = true;
      });
      term.focus();
    }
  });

  // Lines the page types wait for the prompt, one after another.
  const queue = new CommandQueue(session, typeLine);
  const address = new PageAddress(session);
  const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

  // Tabs, downloads, upload, examples.
  let view: PanelView = 'records';
  const showView = (v: PanelView) => {
    view = v;
    document.querySelectorAll<HTMLButtonElement>('.tab').forEach((x) => {
      x.classList.toggle('active', x.dataset.view === v);
      x.setAttribute('aria-selected', String(x.dataset.view === v));
    });
    // The letter and pid filters act on the trace views, not on the lesson.
    $('filters').hidden = v === 'lesson';
    panel.show(v);
    if (v === 'lesson') address.lesson(lesson.state.step);
    else address.trace();
  };
  keyboardTabs($('tabs'), (b) => showView(b.dataset.view as PanelView));

  // The meta-mode lesson: its commands are typed into the terminal.
  const lesson = new MetaLesson($('view-lesson'), {
    exec: (cmd) => machine.exec(cmd, { cwd: '/', timeoutMs: 120_000 }),
    getFile: (path) => machine.getFile(path),
    whenIdle: (waiting) => queue.idle(waiting),
    typeAndWait: async (cmd, waiting) => {
      try {
        await queue.run(cmd, { waiting, typed: () => (capture = []) });
        // eslint-disable-next-line no-control-regex
        return (capture ?? []).join('').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]/g, '');
      } finally {
        capture = undefined;
      }
    },
  });
  hooks.lesson = lesson.state;

  lesson.onShow = (n) => {
    if (view === 'lesson') address.lesson(n);
  };
  $('open-lesson').addEventListener('click', () => {
    showView('lesson');
    $('view-lesson').querySelector<HTMLButtonElement>('.lesson-run')?.focus();
  });
  $('copy-link').addEventListener('click', async () => {
    const href = address.href;
    try {
      await navigator.clipboard.writeText(href);
      panel.status(`copied the link: ${href}`);
    } catch {
      panel.status(`the browser did not let the page copy; the link is ${href}`);
    }
  });
  $('shell-reset').addEventListener('click', () => {
    panel.status('stopping the shell and everything it runs; a new shell starts, and the records stay');
    session.stop();
  });
  $('dl-log').addEventListener('click', () => download('filemon-sim.log', session.completeLog(), 'text/plain'));
  $('dl-json').addEventListener('click', () => download('filemon-sim.json', JSON.stringify(parser.parseTrace(session.completeLog()).toJSON(), null, 2), 'application/json'));
  $('upload-button').addEventListener('click', () => $('upload').click());
  $<HTMLInputElement>('upload').addEventListener('change', async (ev) => {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const name = file.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'upload';
    // Written under a hidden name and renamed once whole: the guest never sees half a file.
    const part = `/home/.${name}.part`;
    panel.status(`uploading ${file.name} (${mb(file.size)}) to /home/${name}…`);
    try {
      await machine.putFile(part, new Uint8Array(await file.arrayBuffer()));
      const r = await machine.exec(['mv', '-f', part, `/home/${name}`], { cwd: '/' });
      if (r.status !== 0) throw new Error(`mv into /home/${name} failed: ${new TextDecoder().decode(r.stderr)}`);
      panel.status(`uploaded ${file.name} (${file.size} bytes) to /home/${name}`);
    } catch (e) {
      panel.status(`upload of ${file.name} failed: ${errorText(e)}; try again, or a smaller file`);
    }
  });

  // The toolchain disk's chunks arrive as gcc first reads them: the bar shows how much of the disk that took.
  const toolchain = sim.toolchainDisk;
  if (toolchain) {
    hooks.toolchain = { ...toolchain.stats };
    const showFetched = () => {
      const { requests, bytes } = toolchain.stats;
      hooks.toolchain = { requests, bytes };
      const pct = (100 * bytes) / toolchain.byteLength;
      $('toolchain-bar').style.width = `${pct.toFixed(1)}%`;
      $('toolchain-bar').parentElement!.setAttribute('aria-valuenow', pct.toFixed(0));
      $('toolchain-text').textContent = bytes
        ? `Toolchain disk: fetched ${mb(bytes)} of ${mb(toolchain.byteLength)} in ${requests} range request${requests === 1 ? '' : 's'}, only the blocks gcc, cc1, as and ld read.`
        : `Toolchain disk: nothing fetched yet of ${mb(toolchain.byteLength)}; the blocks gcc reads come on its first run.`;
    };
    toolchain.onfetch = showFetched;
    showFetched();
  }
  const runExample = (id: string) => {
    const ex = findExample(id)!;
    // The explanation shows even where the example cannot run, so a reader still learns what it would record.
    $('example-about').textContent = `${ex.command} — ${ex.about}`;
    if (ex.toolchain && !toolchain) {
      panel.status(`"${ex.title}" needs the toolchain disk, which this site was built without (npm run images builds it; then npm run playground:build)`);
      return;
    }
    if (ex.toolchain) $('toolchain-fetch').hidden = false;
    address.set({ example: ex.id });
    term.focus();
    queue
      .run(ex.command, { waiting: () => panel.status(`"${ex.title}" will run when the current command ends (Ctrl-C in the terminal stops it)`) })
      .catch((e: unknown) => panel.status(`"${ex.title}" did not run: ${errorText(e)}`));
  };
  for (const ex of EXAMPLES) {
    const b = document.createElement('button');
    b.textContent = ex.title;
    b.title = ex.command;
    b.dataset.example = ex.id;
    b.addEventListener('click', () => runExample(ex.id));
    $('example-buttons').append(b);
  }
  reserveHeight($('example-about'), [$('example-about').textContent ?? '', ...EXAMPLES.map((ex) => `${ex.command} — ${ex.about}`)]);

  // A link names an example, a lesson step or a command: run it once the
  // shell is ready, and again whenever the address's fragment changes (a
  // link followed, the hash edited, Back and Forward).
  // A bad link's error stays until dismissed or another link is opened (the status line is replaced by the next event).
  const linkError = (text?: string) => {
    $('link-error').hidden = !text;
    $('link-error-text').textContent = text ?? '';
  };
  $('link-error-close').addEventListener('click', () => linkError());
  const openLink = async (link: PageLink) => {
    linkError(link.error && `This link could not be opened: ${link.error}. The page works as usual without it.`);
    if (link.example) {
      if (findExample(link.example)) runExample(link.example);
      else linkError(`This link names an example "${link.example}" that does not exist; the examples are ${EXAMPLES.map((e) => e.id).join(', ')}.`);
    } else if (link.lesson) {
      showView('lesson');
      const n = link.step ?? 1;
      lesson.select(n);
      // A step with an outcome shows it; one without runs (after the running one).
      if (!lesson.state.results[n]) await lesson.run(n);
    } else if (link.cmd) {
      address.set({ cmd: link.cmd });
      await queue.run(link.cmd);
    }
  };
  // The page's own address updates (replaceState) fire no hashchange: this is always a link followed.
  const follow = () => openLink(readLink(location.hash)).catch((e: unknown) => panel.status(`the link could not be run: ${errorText(e)}`));
  const first = readLink(location.hash);
  if (first.error) void openLink(first);
  session
    .nextPrompt(120_000)
    .then(async () => {
      window.addEventListener('hashchange', follow);
      await openLink(first);
      hooks.linkDone = true;
    })
    .catch((e: unknown) => panel.status(`the link could not be run: ${errorText(e)}`));
}

main().catch((e: unknown) => {
  if (e instanceof AssetError) {
    showError('A file failed to download', `${e.url} could not be loaded: ${e.message.replace(/^could not load \S+: /, '')}. Check the connection (or that the site was built completely) and retry.`, {
      retry: true,
    });
  } else if (e instanceof GuestPanicError) {
    showError('The guest kernel crashed while starting', 'Its console said:', { console: e.message, retry: true });
  } else {
    showError('The playground could not start', e instanceof Error ? `${e.name}: ${e.message}` : String(e), { retry: true });
  }
});
