import { dayInEngland, daysBetween } from '@app/domain';
import { counted, formatDate } from '../words/words';
import { OutboxMail } from './outbox';

/** What a mail says of one action: its reference, its owner, its due date and where to open it. Nothing else. */
export type NamedAction = Readonly<{ reference: string; partnerName: string; dueDate?: string; link: string }>;

/** Everything a mail is written from: the outbox entry, the action named, and for a digest the actions it lists. */
export type MailSubject = Readonly<{
  mail: OutboxMail;
  action?: NamedAction;
  listed: Readonly<Record<DigestHeading, readonly NamedAction[]>>;
  /** The tracker's address under PUBLIC_URL. */
  trackerUrl: string;
}>;

export type DigestHeading = 'overdue' | 'dueSoon' | 'awaitingAssurance';

export type ComposedMail = Readonly<{ subject: string; text: string; html: string }>;

/** A paragraph: words, with a link where the reader may follow one; or a list of such lines. */
type Line = string | Readonly<{ text: string; href: string }>;
type Block = Line | readonly Line[];

/**
 * How an action is referred to where its words may not go: its review's reference and the start
 * of its id ("CSPR-2025-01 / 3f2a91c0"), enough to find it and no more.
 */
export const actionReference = (reviewReference: string | undefined, actionId: string): string =>
  `${reviewReference ?? 'Review'} / ${actionId.slice(0, 8)}`;

const FOOTER =
  'This mail leaves out what the action says and any notes or reasons on purpose: sign in to read them. ' +
  'It was sent by the safeguarding partnership’s learning-action tracker; replies are not read.';

/** What a mail's words are made of: the entry, the action named and its reference, owner and due date in words. */
type Wording = MailSubject & Readonly<{ ref: string; due: string; open: Line[]; toOwner: string; decision: string; created: string }>;

/** What each rule's mail says: its subject, and its paragraphs. */
const WORDS: Readonly<Record<OutboxMail['rule'], (words: Wording) => [string, Block[]]>> = {
  assigned: ({ ref, due, open, toOwner, action }) => [
    `Action ${ref} is assigned to ${action?.partnerName}, due ${due}`,
    [toOwner, `Action ${ref} is now yours to lead. It is due on ${due}.`, ...open],
  ],
  'due-in-30-days': (words) => dueSoon(words),
  'due-in-7-days': (words) => dueSoon(words),
  overdue: ({ ref, due, open, toOwner, mail }) => [
    `Action ${ref} is overdue`,
    [
      toOwner,
      `Action ${ref} was due on ${due} and is ${counted(Number(mail.facts.daysOverdue ?? 1), 'day')} overdue. Send its evidence, or ask for more time.`,
      ...open,
    ],
  ],
  'evidence-decided': ({ ref, due, open, toOwner, decision }) => [
    `Evidence for action ${ref} was ${decision === 'accepted' ? 'accepted' : 'not accepted'}`,
    [
      toOwner,
      decision === 'accepted'
        ? `The subgroup accepted the evidence for action ${ref}.`
        : `The subgroup did not accept the evidence for action ${ref}. The action is due on ${due}.`,
      ...open,
    ],
  ],
  'extension-decided': ({ ref, due, open, toOwner, decision }) => [
    `More time for action ${ref} was ${decision === 'approved' ? 'agreed' : 'refused'}`,
    [
      toOwner,
      decision === 'approved'
        ? `The subgroup agreed more time for action ${ref}: it is now due on ${due}.`
        : `The subgroup refused more time for action ${ref}: it is still due on ${due}.`,
      ...open,
    ],
  ],
  'extension-requested': ({ ref, due, open, action, mail }) => [
    `${action?.partnerName} asks for more time on action ${ref}`,
    [
      'To the subgroup,',
      `${action?.partnerName} asks for action ${ref}, due on ${due}, to be due on ${formatDate(String(mail.facts.requestedDueDate ?? ''))} instead. The request waits for your decision.`,
      ...open,
    ],
  ],
  'overdue-30-days': ({ ref, due, open, action }) => [
    `Action ${ref} has been overdue for 30 days`,
    [
      'To the subgroup,',
      `Action ${ref}, led by ${action?.partnerName}, was due on ${due} and has been overdue for 30 days or more.`,
      ...open,
    ],
  ],
  'weekly-digest': ({ mail, listed, trackerUrl, created }) => [
    `Weekly digest: ${counted(Number(mail.facts.overdue), 'action')} overdue, ${mail.facts.dueSoon} due within 30 days, ${mail.facts.awaitingAssurance} awaiting assurance`,
    ['To the subgroup,', `The action plan on ${formatDate(created)}.`, ...digest(mail, listed, trackerUrl)],
  ],
};

function dueSoon({ ref, due, open, toOwner, mail, created }: Wording): [string, Block[]] {
  const days = mail.dueDate ? daysBetween(created, mail.dueDate) : 0;
  const when = days === 0 ? 'today' : `in ${counted(days, 'day')}, on ${due}`;
  return [
    `Action ${ref} is due ${days === 0 ? 'today' : `on ${due}`}`,
    [toOwner, `Action ${ref} is due ${when}. Send its evidence, or ask for more time, before then.`, ...open],
  ];
}

/**
 * A mail from its outbox entry, in plain text and HTML. It names the action's reference, owner and
 * due date, and the dates and decisions the rule is about, never free text: a description, a note
 * or a reason can hold personal data about a child.
 */
export function composeMail(subjectOf: MailSubject): ComposedMail {
  const { mail, action } = subjectOf;
  const ref = action?.reference ?? '';
  const [subject, blocks] = WORDS[mail.rule]({
    ...subjectOf,
    ref,
    due: formatDate(action?.dueDate ?? mail.dueDate),
    open: action ? [{ text: `Open ${ref} in the tracker`, href: action.link }] : [],
    toOwner: `To the ${action?.partnerName ?? ''} team,`,
    decision: String(mail.facts.decision ?? ''),
    created: dayInEngland(mail.createdAt),
  });
  const all: Block[] = [...blocks, FOOTER];
  // A name typed with a line break in it must not break the subject line, the one header text reaches.
  const oneLine = subject.replace(/\s+/g, ' ').trim();
  return { subject: oneLine, text: all.map(textOf).join('\n\n') + '\n', html: htmlOf(oneLine, all) };
}

function digest(mail: OutboxMail, listed: MailSubject['listed'], trackerUrl: string): Block[] {
  const sections: [DigestHeading, string, string][] = [
    ['overdue', 'Overdue', `${trackerUrl}?status=outstanding&overdue=true&sort=dueDate`],
    ['dueSoon', 'Due within 30 days', `${trackerUrl}?status=outstanding&dueWithin=30&sort=dueDate`],
    ['awaitingAssurance', 'Awaiting assurance', `${trackerUrl}?status=evidenced&sort=dueDate`],
  ];
  return sections.flatMap(([heading, title, href]) => {
    const total = Number(mail.facts[heading] ?? 0);
    if (total === 0) return [`${title}: none.`];
    const lines: Line[] = listed[heading].map((action) => ({
      text: `${action.reference}, ${action.partnerName}, due ${formatDate(action.dueDate)}`,
      href: action.link,
    }));
    const more = total - lines.length;
    return [
      `${title}: ${counted(total, 'action')}.`,
      lines,
      { text: more > 0 ? `See all ${total} in the tracker (${more} more)` : 'See them in the tracker', href },
    ];
  });
}

const textOf = (block: Block): string =>
  Array.isArray(block) ? (block as readonly Line[]).map((line) => `- ${lineText(line)}`).join('\n') : lineText(block as Line);

const lineText = (line: Line): string => (typeof line === 'string' ? line : `${line.text}: ${line.href}`);

const escaped = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);

const lineHtml = (line: Line): string =>
  typeof line === 'string' ? escaped(line) : `<a href="${escaped(line.href)}">${escaped(line.text)}</a>`;

function htmlOf(subject: string, blocks: readonly Block[]): string {
  const body = blocks
    .map((block) =>
      Array.isArray(block)
        ? `<ul>${(block as readonly Line[]).map((line) => `<li>${lineHtml(line)}</li>`).join('')}</ul>`
        : `<p>${lineHtml(block as Line)}</p>`,
    )
    .join('\n');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escaped(subject)}</title></head>\n<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.4">\n${body}\n</body></html>\n`;
}
