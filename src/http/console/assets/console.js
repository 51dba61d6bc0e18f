// jurukunci console: small progressive enhancements on server-rendered pages. Vanilla ES2020,
// no build step, loaded with `defer` from /assets (the CSP allows no inline script). Every page
// works without it: forms post, links navigate, timers show the server's value.
(() => {
  // CSRF for htmx: every htmx request carries the token from <meta name="csrf-token">.
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.getAttribute('content') : null;
  document.addEventListener('htmx:configRequest', (event) => {
    if (csrfToken && event.detail?.headers) event.detail.headers['x-csrf-token'] = csrfToken;
  });

  // Confirmation for destructive forms: <form data-confirm="Sure?">, or a submit button with it.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const button = event.submitter;
    const message = button?.getAttribute('data-confirm') || form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Print buttons are hidden until this script can make them work.
  for (const button of document.querySelectorAll('button[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }

  // Live timers: <span data-since="ISO" data-limit-ms="900000">. Shows the elapsed time as
  // mm:ss (h:mm:ss past an hour), the same format the server renders, never negative, and adds
  // .late once the limit has passed.
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (ms) => {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  };
  // Timers count on the server's clock (<meta name="jk-now">, the injected clock at render), so
  // a browser with a wrong clock still shows the right waiting time.
  const nowMeta = Date.parse(document.querySelector('meta[name="jk-now"]')?.getAttribute('content') || '');
  const skew = Number.isNaN(nowMeta) ? 0 : nowMeta - Date.now();
  const tick = () => {
    const now = Date.now() + skew;
    for (const el of document.querySelectorAll('[data-since]')) {
      const since = Date.parse(el.getAttribute('data-since') || '');
      if (Number.isNaN(since)) continue;
      const elapsed = now - since;
      const out = el.querySelector('[data-clock]') || el;
      out.textContent = clock(elapsed);
      const limit = Number(el.getAttribute('data-limit-ms'));
      if (limit > 0) el.classList.toggle('late', elapsed > limit);
    }
  };
  if (document.querySelector('[data-since]') || document.querySelector('[data-sse]')) {
    tick();
    window.setInterval(tick, 1000);
  }

  // Live fragments: <div data-sse="/console/door/stream"> replaces its content with each
  // `fragment` event's HTML (server-rendered, escaped at the source). EventSource reconnects by
  // itself and sends Last-Event-ID; the element says when the feed is down.
  for (const el of document.querySelectorAll('[data-sse]')) {
    const url = el.getAttribute('data-sse');
    if (!url || typeof window.EventSource !== 'function') continue;
    const source = new EventSource(url, { withCredentials: true });
    source.addEventListener('fragment', (event) => {
      el.innerHTML = event.data;
      el.classList.remove('stale');
      if (window.htmx) window.htmx.process(el);
      tick();
    });
    source.addEventListener('open', () => el.classList.remove('stale'));
    source.addEventListener('error', () => el.classList.add('stale'));
    window.addEventListener('pagehide', () => source.close());
  }
})();
