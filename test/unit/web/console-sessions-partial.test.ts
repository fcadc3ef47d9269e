import { describe, expect, it } from 'vitest';
import { sessionsSection } from '../../../src/web/pages/console-users/sessions';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';

const render = (more: boolean) =>
  String(sessionsSection(pageRequest(testDeps()), 'u1', [], { canSignOut: true, more }));

describe('the user page’s sessions when the read was cut', () => {
  it('never says "None." and keeps "Sign out everywhere" when the list is partial', () => {
    const partial = render(true);
    expect(partial).not.toContain('<p>None.</p>');
    expect(partial).toContain('the list is partial');
    expect(partial).toContain('Sign out everywhere');
  });

  it('says "None." with no sign-out button when every session was read', () => {
    const whole = render(false);
    expect(whole).toContain('<p>None.</p>');
    expect(whole).not.toContain('Sign out everywhere');
  });
});
