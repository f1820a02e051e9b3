import { describe, expect, it } from 'vitest';
import { appArmorProfile } from './setup.js';

describe('the AppArmor profile cubicle setup installs on Ubuntu 23.10+', () => {
  it('grants userns to the helper binary alone, unconfined otherwise, with a local override', () => {
    const profile = appArmorProfile('/opt/cubicle/native/cubicle-sandbox');
    expect(profile).toContain('abi <abi/4.0>,');
    expect(profile).toContain('profile cubicle-sandbox /opt/cubicle/native/cubicle-sandbox flags=(unconfined) {');
    expect(profile).toMatch(/\{\n {2}userns,\n/);
    expect(profile).toContain('include if exists <local/cubicle-sandbox>');
    expect(profile.match(/profile /g)).toHaveLength(1);
  });

  it('quotes a helper path with a space and escapes the characters AppArmor reads as a pattern', () => {
    const profile = appArmorProfile('/home/a b/[1]{x,y}*?^"\\@{HOME}/cubicle-sandbox');
    expect(profile).toContain('profile cubicle-sandbox "/home/a b/\\[1\\]\\{x,y\\}\\*\\?\\^\\"\\\\@\\{HOME\\}/cubicle-sandbox" flags=(unconfined) {');
  });

  it('refuses a helper path with a control character, saying so', () => {
    expect(() => appArmorProfile('/opt/a\nb/cubicle-sandbox')).toThrow(/control character; no profile was written/);
  });
});
