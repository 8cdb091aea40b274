// Unit tests run the widget and the console in happy-dom, whose page is http://localhost:3000 with no
// server behind it. A request the test did not answer itself (the alert preferences on mount, a
// thumbnail's bytes, a help search) fails at once as an offline browser's would, instead of dialling a
// closed port and logging ECONNREFUSED. Tests that answer requests stub fetch themselves.
const real = globalThis.fetch;
const page = 'http://localhost:3000';
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (new URL(url, page).origin === page) return Promise.reject(new TypeError('Failed to fetch (no server in unit tests)'));
  return real(input, init);
}) as typeof fetch;
