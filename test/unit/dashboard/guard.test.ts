import { describe, expect, it } from 'vitest';
import { dashboardGuard } from '../../../src/dashboard/guard.ts';
import { TOKEN_HEADER } from '../../../src/dashboard/model.ts';
import { CONTROL_TOKEN_HEADER } from '../../../src/local/runtime/state-dir.ts';

const guard = dashboardGuard('the-token');
const post = (headers: Record<string, string>) => ({ method: 'POST', headers });

describe('dashboardGuard', () => {
  it('serves the page to loopback Hosts only', () => {
    for (const host of ['127.0.0.1:4566', 'localhost:4566', '[::1]:4566', 'localhost']) expect(guard.refuseRead({ headers: { host } }), host).toBeUndefined();
    expect(guard.refuseRead({ headers: { host: 'evil.example:4566' } })).toMatch(/loopback Host.*"evil.example:4566"/);
    expect(guard.refuseRead({ headers: {} })).toMatch(/without Host/);
  });

  it('accepts an operation from its own page with the token', () => {
    expect(
      guard.refuseWrite(post({ host: '127.0.0.1:4566', origin: 'http://127.0.0.1:4566', 'sec-fetch-site': 'same-origin', 'x-switchyard-token': 'the-token' })),
    ).toBeUndefined();
    // A same-origin fetch may omit Origin; a non-browser client sends neither header.
    expect(guard.refuseWrite(post({ host: '127.0.0.1:4566', 'sec-fetch-site': 'same-origin', 'x-switchyard-token': 'the-token' }))).toBeUndefined();
    expect(guard.refuseWrite(post({ host: '127.0.0.1:4566', 'x-switchyard-token': 'the-token' }))).toBeUndefined();
  });

  it('refuses another origin, a cross-site request, a missing or wrong token, and GET', () => {
    expect(guard.refuseWrite(post({ host: '127.0.0.1:4566', origin: 'http://evil.example', 'x-switchyard-token': 'the-token' }))).toMatch(
      /not from "http:\/\/evil.example"/,
    );
    expect(guard.refuseWrite(post({ host: '127.0.0.1:4566', 'sec-fetch-site': 'cross-site', 'x-switchyard-token': 'the-token' }))).toMatch(
      /not from a cross-site request/,
    );
    expect(guard.refuseWrite(post({ host: '127.0.0.1:4566', origin: 'http://127.0.0.1:4566' }))).toMatch(/token.*none was sent/);
    expect(guard.refuseWrite(post({ host: '127.0.0.1:4566', origin: 'http://127.0.0.1:4566', 'x-switchyard-token': 'guess' }))).toMatch(/a wrong one was sent/);
    expect(guard.refuseWrite({ method: 'GET', headers: { host: '127.0.0.1:4566', 'x-switchyard-token': 'the-token' } })).toMatch(/take POST/);
    expect(guard.refuseWrite(post({ host: 'evil.example', 'x-switchyard-token': 'the-token' }))).toMatch(/loopback Host/);
  });

  it("takes the token in the control API's header, the one the page sends", () => {
    expect(TOKEN_HEADER).toBe(CONTROL_TOKEN_HEADER);
  });

  it('makes a fresh token per run when none is given', () => {
    expect(dashboardGuard().token).not.toBe(dashboardGuard().token);
    expect(dashboardGuard().token.length).toBeGreaterThanOrEqual(32);
  });
});
