import { Rag } from '@app/domain';
import { label } from '../words/words';

/** The GOV.UK tag colour each status is shown in. */
const RAG_COLOURS: Readonly<Record<Rag, string>> = { red: 'red', amber: 'yellow', green: 'green' };

/**
 * A partner agency's red, amber or green status as the pages show it. Green says "on track": an
 * agency with nothing outstanding is told apart from one keeping to its dates.
 */
export const ragTag = (partner: Readonly<{ rag: Rag; outstanding: number }>): Readonly<{ text: string; colour: string }> =>
  partner.outstanding === 0
    ? { text: 'None outstanding', colour: 'grey' }
    : { text: label(partner.rag, 'rag'), colour: RAG_COLOURS[partner.rag] };
