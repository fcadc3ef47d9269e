import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { checkEmailChangeGivesNoSignal } from '../../support/email-change-property';

it('PATCH /me {email}: a taken address answers as a free one and mails nothing (memory store)', () =>
  checkEmailChangeGivesNoSignal(async () => createMemoryStore(), 60));
